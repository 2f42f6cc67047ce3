"""Renaming a person or a team: one flow for both — the new name is typed, shown with Confirm and
Cancel, and written only on Confirm.

The two differ only in what they look up (and refuse), how a name is checked, their texts and
the write; a feature says those in a :class:`Rename` and the steps here are the same for both.
The flow waits in ``chat_flows`` (``member_rename`` / ``team_rename``), and Confirm carries the
id renamed, so a Confirm of another rename is stale.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Generic, TypeVar

from bot.core.callback_data import Verb
from bot.core.chat import Button
from bot.core.flows import RenameFlow, RenameStep
from handlers.kit.context import Ctx
from handlers.kit.flow_store import pending_flow, save_flow
from handlers.kit.steps import StepTable
from storage.repos import Repos

F = TypeVar("F", bound=RenameFlow)
T = TypeVar("T")


class Rename(ABC, Generic[F, T]):
    """What renaming one kind of thing (``T``, its flow stored as ``F``) needs."""

    #: The flow's kind, as stored.
    flow: type[F]
    #: Confirm (it carries the id) and Cancel.
    confirm: Verb
    cancel: Verb

    @abstractmethod
    async def find(self, ctx: Ctx, target: int) -> T | None:
        """The thing if the caller may rename it; otherwise answered politely, and None."""

    @abstractmethod
    def parse(self, text: str) -> str | None:
        """The name typed, tidied; None for one that cannot be a name."""

    @abstractmethod
    def ask_text(self, ctx: Ctx, found: T) -> str: ...

    @abstractmethod
    def bad_name_text(self, ctx: Ctx) -> str: ...

    @abstractmethod
    def confirm_text(self, ctx: Ctx, found: T, new: str) -> str: ...

    @abstractmethod
    async def write(self, ctx: Ctx, repos: Repos, found: T, name: str) -> bool:
        """Rename and audit in the caller's transaction; False when the name is taken."""

    @abstractmethod
    async def done(self, ctx: Ctx, found: T, name: str, written: bool) -> None:
        """Tell the caller (and whoever needs to know) how it went."""


def rename_steps(rename: Rename[F, T]) -> StepTable[F]:
    """The rename's table: a name typed at either step is the new name (typing again while
    Confirm is awaited replaces it); Confirm and Cancel are the feature's own buttons."""
    async def typed(ctx: Ctx, state: F) -> None:
        await new_name_typed(ctx, rename, state)
    return StepTable(rename.flow, states={RenameStep.NAME: typed, RenameStep.CONFIRM: typed})


async def ask_new_name(ctx: Ctx, rename: Rename[F, T], target: int) -> None:
    found = await rename.find(ctx, target)
    if found is None:
        return
    await save_flow(ctx, rename.flow.asking(target))
    await ctx.answer(rename.ask_text(ctx, found))


async def new_name_typed(ctx: Ctx, rename: Rename[F, T], state: F) -> None:
    name = rename.parse(ctx.inc.text or "")
    if name is None:
        await ctx.reply(rename.bad_name_text(ctx))
        return
    found = await rename.find(ctx, state.target)
    if found is None:
        return
    await save_flow(ctx, state.named(name))
    await ctx.reply(rename.confirm_text(ctx, found, name),
                    buttons=((Button(ctx.t("admin.confirm"), rename.confirm.pack(state.target)),
                              Button(ctx.t("admin.cancel"), rename.cancel.pack())),))


async def confirmed(ctx: Ctx, rename: Rename[F, T], target: int) -> None:
    state = await pending_flow(ctx, rename.flow,
                               lambda s: s.target == target and s.new_name is not None)
    if state is None or state.new_name is None:
        return
    found = await rename.find(ctx, target)
    if found is None:
        return
    async with ctx.services.db.write() as conn:
        repos = Repos(conn)
        await repos.chats.clear_flow(ctx.inc.channel, ctx.inc.chat_id)
        written = await rename.write(ctx, repos, found, state.new_name)
    await rename.done(ctx, found, state.new_name, written)
