"""A chat's flow in progress, typed (:mod:`bot.core.flows`): saving it, and finding the one a
button expects.

Button handlers read the flow the dispatcher loaded for this update (``ctx.flow``, already
closed if it timed out); a flow's text handler gets its state as an argument (``FlowRoute``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from bot.core.flows import FlowState
from handlers.kit.context import Ctx
from storage.repos.chats import set_flow_statement

S = TypeVar("S", bound=FlowState)


async def save_flow(ctx: Ctx, state: FlowState) -> None:
    """Make ``state`` this chat's flow in progress (replacing any other)."""
    await ctx.services.db.write_one(
        *set_flow_statement(ctx.inc.channel, ctx.inc.chat_id, state, ctx.now))


async def pending_flow(ctx: Ctx, kind: type[S], matches: Callable[[S], bool]) -> S | None:
    """This chat's flow when it is of ``kind`` and ``matches`` (about the same thing), as a
    Confirm button expects; otherwise the button is stale — say so and return None."""
    state = kind.of(ctx.flow)
    if state is None or not matches(state):
        await ctx.answer(ctx.t("errors.stale_button"))
        return None
    return state
