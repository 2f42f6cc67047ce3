"""/import: an admin sends the registry as an XLSX/CSV document; a dry run, then Confirm.

Same rules as the CLI import (``python -m bot import``): the file is validated row by row, a
dry run counts what would change, and Confirm applies it in one transaction. The pending file is
kept as the channel's file reference (re-downloaded on Confirm, checked against the digest of
what was shown), so a restart between the two steps loses nothing. A document an admin sends
without the command is taken as an import too, and the answer says so.
"""

from __future__ import annotations

import asyncio
import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from bot.core.callback_data import Field, Pattern, Values, Verb
from bot.core.chat import Button, IncomingFile, OutMessage
from bot.core.flows import ImportFlow
from bot.core.permissions import Action
from bot.core.registry.validate import plan_from_file
from handlers.kit.context import Ctx
from handlers.kit.flow_store import save_flow
from handlers.kit.menus import refresh_member_menus
from handlers.kit.routing import ButtonRoute, Command, Feature, FlowRoute, press_of
from handlers.render.import_report import render_summary
from storage.registry_import import ImportSummary, import_plan
from storage.repos import Repos
from storage.repos.pending_imports import PendingImport

MAX_BYTES = 10 * 1024 * 1024
#: An unconfirmed check is forgotten after this (the admin sends the file again).
PENDING_TTL = timedelta(days=1)
_TOKEN = (Field("token", Pattern(r"[0-9a-f]{12}")),)


@dataclass(frozen=True)
class Checked(Values):
    """The checked file waiting in ``pending_imports``."""

    token: str


APPLY = Verb("imp", "ok", _TOKEN, shape=Checked)
DROP = Verb("imp", "no", _TOKEN, shape=Checked)


async def import_command(ctx: Ctx) -> None:
    if ctx.inc.document is not None:  # the command typed as the document's caption
        await _check(ctx, ctx.inc.document)
        return
    await save_flow(ctx, ImportFlow())
    await ctx.reply(ctx.t("admin.import.send_file", limit=MAX_BYTES // (1024 * 1024)))


async def waiting_for_file(ctx: Ctx, state: ImportFlow) -> None:
    if ctx.inc.document is None:
        await ctx.reply(ctx.t("admin.import.still_waiting"))
        return
    async with ctx.services.db.write() as conn:
        await Repos(conn).chats.clear_flow(ctx.inc.channel, ctx.inc.chat_id)
    await _check(ctx, ctx.inc.document)


async def document_sent(ctx: Ctx) -> bool:
    """A document from someone who may import, outside any flow: treat it as an import."""
    document = ctx.inc.document
    if document is None or not ctx.caller.can_somewhere(Action.IMPORT_REGISTRY):
        return False
    await ctx.reply(ctx.t("admin.import.taken_as_import"))
    await _check(ctx, document)
    return True


async def _check(ctx: Ctx, document: IncomingFile) -> None:
    filename = document.filename or "registry.xlsx"
    if document.size is not None and document.size > MAX_BYTES:
        await ctx.reply(ctx.t("admin.import.too_big", limit=MAX_BYTES // (1024 * 1024)))
        return
    await ctx.reply(ctx.t("admin.import.checking", filename=filename))
    progress = ctx.sent[-1]
    data = await ctx.channel.download(document)
    if len(data) > MAX_BYTES:
        await _show(ctx, progress, ctx.t("admin.import.too_big",
                                         limit=MAX_BYTES // (1024 * 1024)))
        return
    summary = await _dry_run(ctx, data, filename)
    text = render_summary(ctx.services.t, ctx.lang, summary, dry_run=True)
    if summary.errors:
        await _show(ctx, progress, text + "\n\n" + ctx.t("admin.import.fix_and_resend"))
        return
    if not summary.changes:
        await _show(ctx, progress, ctx.t("import.nothing_changed"))
        return
    token = secrets.token_hex(6)
    member = ctx.caller.member
    async with ctx.services.db.write() as conn:
        repos = Repos(conn)
        await repos.pending_imports.forget_before(ctx.now - PENDING_TTL)
        await repos.pending_imports.add(PendingImport(
            token=token, channel=ctx.inc.channel, chat_id=ctx.inc.chat_id,
            member_id=member.id if member else None, file_ref=document.file_ref,
            filename=filename, digest=hashlib.sha256(data).hexdigest(), created_at=ctx.now,
        ))
    buttons = ((Button(ctx.t("admin.import.confirm"), APPLY.pack(token)),
                Button(ctx.t("admin.import.cancel"), DROP.pack(token))),)
    await _show(ctx, progress, text + "\n\n" + ctx.t("admin.import.confirm_hint"),
                buttons=buttons)


async def pressed(ctx: Ctx) -> None:
    press = press_of(ctx)
    token = Checked.of(press).token
    if not ctx.caller.can_somewhere(Action.IMPORT_REGISTRY):  # the table, again, at every step
        await ctx.answer(ctx.t("admin.import.not_allowed"))
        return
    pending = await ctx.services.read.pending_imports.get(token)
    if pending is None or pending.chat_id != ctx.inc.chat_id:
        await ctx.answer(ctx.t("admin.import.expired"))
        return
    if press.verb is DROP:
        async with ctx.services.db.write() as conn:
            await Repos(conn).pending_imports.take(token)
        await ctx.answer(ctx.t("admin.import.cancelled"))
        return
    await ctx.answer(ctx.t("admin.import.applying", filename=pending.filename))
    data = await ctx.channel.download(IncomingFile(pending.file_ref, pending.filename, None,
                                                   None))
    if hashlib.sha256(data).hexdigest() != pending.digest:
        await ctx.answer(ctx.t("admin.import.expired"))
        return
    plan = await asyncio.to_thread(plan_from_file, data, pending.filename,
                                   ctx.services.settings.province_code)
    member = ctx.caller.member
    # The confirmation is taken in the import's own transaction: a double tap, or the press
    # replayed after a crash, applies it once — and a crash mid-import loses neither.
    summary = await import_plan(ctx.services.db, plan,
                                province_code=ctx.services.settings.province_code, now=ctx.now,
                                actor=member.id if member else None, source=pending.filename,
                                pending_token=token)
    if summary.already_applied:
        await ctx.answer(ctx.t("admin.import.already_applied"))
        return
    for member_id in summary.promoted:  # a new leader or coordinator sees their new commands
        await refresh_member_menus(ctx.services, member_id)
    await ctx.answer(render_summary(ctx.services.t, ctx.lang, summary, dry_run=False))


async def _dry_run(ctx: Ctx, data: bytes, filename: str) -> ImportSummary:
    # Reading and validating thousands of rows is CPU work: off the event loop.
    plan = await asyncio.to_thread(plan_from_file, data, filename,
                                   ctx.services.settings.province_code)
    return await import_plan(ctx.services.db, plan,
                             province_code=ctx.services.settings.province_code, now=ctx.now,
                             dry_run=True, source=filename)


async def _show(ctx: Ctx, progress: str | None, text: str, *,
                buttons: tuple[tuple[Button, ...], ...] = ()) -> None:
    """Replace the "checking…" message with the result (a new message where edits fail)."""
    if progress is not None and ctx.channel.supports_buttons:
        await ctx.edit(progress, OutMessage(text=text, buttons=buttons))
    else:
        await ctx.reply(text, buttons=buttons)


feature = Feature(
    commands=(Command("import", import_command, requires=Action.IMPORT_REGISTRY,
                      members_only=True),),
    buttons=(ButtonRoute("imp", pressed, verbs=(APPLY, DROP), requires=Action.IMPORT_REGISTRY,
                         members_only=True),),
    flows=(FlowRoute(ImportFlow, waiting_for_file),),
    text_hooks=(document_sent,),
)
