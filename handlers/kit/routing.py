"""Route types: each feature module declares its commands, buttons, flows and text hooks."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from bot.core.callback_data import Press, Verb
from bot.core.flows import FlowState
from bot.core.permissions import Action
from handlers.kit.context import Ctx

Handler = Callable[[Ctx], Awaitable[None]]
#: A text hook looks at free text outside any flow and says whether it handled it.
TextHook = Callable[[Ctx], Awaitable[bool]]
S = TypeVar("S", bound=FlowState)


@dataclass(frozen=True)
class Command:
    name: str
    handler: Handler
    #: Needed somewhere in the caller's grants; None: anyone, even a visitor.
    requires: Action | None = None
    #: Registered members only (a visitor is told how to join first).
    members_only: bool = False
    in_menu: bool = True


@dataclass(frozen=True)
class ButtonRoute:
    """Handles callback data ``"<prefix>:<rest>"``; the handler reads which verb was pressed
    and its typed values from the checked press (:func:`press_of`), never from the raw data.

    The dispatcher lets a press through only if it is one of ``verbs`` with well-formed values,
    every id in it names something that exists and lies within the caller's scope, and the caller
    holds ``requires`` (and is a member, if ``members_only``): anything else gets one short
    answer that says nothing about the id (see ``handlers.kit.press_check``).
    """

    prefix: str
    handler: Handler
    verbs: tuple[Verb, ...] = ()
    requires: Action | None = None
    members_only: bool = False


@dataclass(frozen=True)
class FlowRoute(Generic[S]):
    """Handles text (and files) while a flow of this kind is in progress in the chat; the
    handler gets the flow's typed state."""

    kind: type[S]
    handler: Callable[[Ctx, S], Awaitable[None]]

    @property
    def flow(self) -> str:
        return self.kind.name

    async def handle(self, ctx: Ctx, state: FlowState) -> bool:
        """Run the handler if ``state`` is this route's kind (else False: not handled)."""
        if not isinstance(state, self.kind):
            return False
        await self.handler(ctx, state)
        return True


@dataclass(frozen=True)
class Feature:
    commands: tuple[Command, ...] = ()
    buttons: tuple[ButtonRoute, ...] = ()
    flows: tuple[FlowRoute[Any], ...] = ()
    text_hooks: tuple[TextHook, ...] = ()
    #: Text hooks that go before the flow in progress: the persistent menu's labels, which
    #: a member taps to start again wherever they are (never an answer to a step).
    menu_hooks: tuple[TextHook, ...] = ()


def press_of(ctx: Ctx) -> Press:
    """The checked press a button handler is handling (the dispatcher sets it before)."""
    if ctx.press is None:
        raise LookupError("a button handler runs only for a checked press")
    return ctx.press
