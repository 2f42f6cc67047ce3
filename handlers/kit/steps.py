"""One table per flow: what a message does at each step and what each of its buttons does.

Like python-telegram-bot's ``ConversationHandler(states={STEP: [handlers]}, fallbacks=[...])``: a
flow's whole graph reads in one place instead of in ``if step is ...`` chains over several
modules. ``states`` must name every step of the flow (checked at import), so a step added to a
flow's ``StrEnum`` without saying what typing does there fails at once. ``buttons`` act
whichever the step (as PTB's fallbacks): each carries the flow's id, and the feature's button
route has already told a button of another flow from one of this one.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Generic, TypeVar

from bot.core.callback_data import Press, Verb
from bot.core.flows import FlowState
from handlers.kit.context import Ctx
from handlers.kit.routing import FlowRoute

S = TypeVar("S", bound=FlowState)

#: What a message does at a step: the flow's state as stored.
Typed = Callable[[Ctx, S], Awaitable[None]]
#: What a button of the flow does: the state and the press (read through its verb's shape).
Pressed = Callable[[Ctx, S, Press], Awaitable[None]]


@dataclass(frozen=True)
class StepTable(Generic[S]):
    kind: type[S]
    states: Mapping[StrEnum, Typed[S]]
    buttons: Mapping[Verb, Pressed[S]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        missing = set(self.kind.steps()) - set(self.states)
        if missing:
            raise TypeError(f"{self.kind.name}: no handler for the steps {sorted(missing)}")

    async def typed(self, ctx: Ctx, state: S) -> None:
        await self.states[state.step](ctx, state)

    async def pressed(self, ctx: Ctx, state: S, press: Press) -> None:
        await self.buttons[press.verb](ctx, state, press)

    @property
    def route(self) -> FlowRoute[S]:
        """The route that hands this flow's messages to the table."""
        return FlowRoute(self.kind, self.typed)
