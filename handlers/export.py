"""/export: the activity workbook (or CSV) for a period and a place, in the reader's language.

``/export`` asks for the period with buttons; ``/export tháng trước``, ``/export 2026-11 Vị
Thủy``, ``/export csv this month Ấp 1`` say it all at once. A commune coordinator only ever gets
their commune (asking for another is refused politely and logged); a province coordinator or
admin picks the whole province or one commune.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import time
from collections.abc import Callable
from typing import TypeVar

from bot import periods
from bot.chat import Button, OutFile, OutMessage
from bot.export import (
    CSV_MIME,
    XLSX_MIME,
    ExportData,
    Progress,
    build_members_csv,
    build_workbook,
)
from bot.periods import Period
from bot.permissions import Action, Scope
from bot.text import fold
from handlers.admin_scope import (
    commune_scope,
    find_communes,
    grid,
    local_today,
    place_name,
    province_wide,
    refuse_place,
    scopes_for,
    team_scope,
)
from handlers.context import Ctx
from handlers.routing import ButtonRoute, Command, Feature
from storage.export_stream import stream_session_lines
from storage.repos import Repos

log = logging.getLogger(__name__)

_FORMATS = {"csv": "c", "xlsx": "x", "excel": "x"}
#: A report that takes longer than this shows how far it got, in its "preparing…" message…
PROGRESS_AFTER_S = 3.0
#: …updated this often.
PROGRESS_POLL_S = 1.0


async def export(ctx: Ctx) -> None:
    words = ctx.args.split()
    fmt = "x"
    if words and fold(words[0]) in _FORMATS:
        fmt = _FORMATS[fold(words.pop(0))]
    period, rest = periods.split_period(" ".join(words), local_today(ctx))
    scope_code = "?"
    if rest:
        found = await _place_from_text(ctx, rest, fmt, period)
        if found is None:
            return
        scope_code = found
    if period is None:
        await _ask_period(ctx, fmt, scope_code)
        return
    await _go(ctx, fmt, period, scope_code)


async def pressed(ctx: Ctx) -> None:
    """``exp:<x|c>:<period code>:<scope code>``; scope "?" means "ask if there is a choice"."""
    parts = ctx.args.split(":")
    period = periods.from_code(parts[1]) if len(parts) == 3 else None
    if period is None or parts[0] not in ("x", "c"):
        await ctx.answer(ctx.t("errors.stale_button"))
        return
    await _go(ctx, parts[0], period, parts[2])


async def _ask_period(ctx: Ctx, fmt: str, scope_code: str) -> None:
    today = local_today(ctx)
    choices = [
        ("export.this_month", periods.this_month(today)),
        ("export.last_month", periods.last_month(today)),
        ("export.this_week", periods.this_week(today)),
        ("export.last_week", periods.last_week(today)),
    ]
    buttons = [Button(ctx.t(key), f"exp:{fmt}:{p.code}:{scope_code}") for key, p in choices]
    await ctx.reply(ctx.t("export.pick_period"), buttons=grid(buttons))


async def _go(ctx: Ctx, fmt: str, period: Period, scope_code: str) -> None:
    if scope_code == "?":
        mine = scopes_for(ctx, Action.EXPORT)
        if len(mine) == 1 and not province_wide(ctx, Action.EXPORT):
            scope_code = _code(mine[0])
        else:
            await _ask_scope(ctx, fmt, period)
            return
    scope = await _scope(ctx, scope_code)
    if scope is None:
        await ctx.answer(ctx.t("errors.stale_button"))
        return
    name = await place_name(ctx, scope)
    if not ctx.caller.can(Action.EXPORT, scope):  # the table decides, at every step
        await refuse_place(ctx, "export", name)
        return
    await _produce(ctx, fmt, period, scope, name)


async def _ask_scope(ctx: Ctx, fmt: str, period: Period) -> None:
    province = ctx.services.settings.province_code
    buttons: list[Button] = []
    if province_wide(ctx, Action.EXPORT):
        buttons.append(Button(ctx.t("admin.whole_province"), f"exp:{fmt}:{period.code}:p"))
    communes = await ctx.services.read.geo.communes_with_teams(province)
    buttons += [Button(c.name, f"exp:{fmt}:{period.code}:c{c.code}") for c in communes
                if ctx.caller.can(Action.EXPORT, Scope(province, c.code))]
    await ctx.answer(ctx.t("export.pick_place", period=period.label(ctx.lang)),
                     buttons=grid(buttons))


async def _place_from_text(ctx: Ctx, text: str, fmt: str, period: Period | None) -> str | None:
    """The scope code for a typed place; None once the person has been answered instead."""
    communes = await find_communes(ctx, text)
    if len(communes) == 1:
        return f"c{communes[0].code}"
    if len(communes) > 1:
        code = period.code if period else periods.this_month(local_today(ctx)).code
        await ctx.reply(ctx.t("export.which_place"), buttons=grid(
            [Button(c.name, f"exp:{fmt}:{code}:c{c.code}") for c in communes[:20]]))
        return None
    teams = await ctx.services.read.people.search_teams(scopes_for(ctx, Action.EXPORT), text)
    if len(teams) == 1:
        return f"t{teams[0].id}"
    if teams:
        code = period.code if period else periods.this_month(local_today(ctx)).code
        await ctx.reply(ctx.t("export.which_place"), buttons=grid(
            [Button(f"{t.name} – {t.commune_name}", f"exp:{fmt}:{code}:t{t.id}")
             for t in teams]))
        return None
    await ctx.reply(ctx.t("export.place_not_found", text=text[:60]))
    return None


def _code(scope: Scope) -> str:
    if scope.team is not None:
        return f"t{scope.team}"
    if scope.commune is not None:
        return f"c{scope.commune}"
    return "p"


async def _scope(ctx: Ctx, code: str) -> Scope | None:
    if code == "p":
        return Scope(ctx.services.settings.province_code)
    if code.startswith("c") and code[1:].isdigit():
        return commune_scope(ctx, code[1:])
    if code.startswith("t") and code[1:].isdigit():
        team = await ctx.services.read.people.team(int(code[1:]))
        return team_scope(team) if team else None
    return None


async def _produce(ctx: Ctx, fmt: str, period: Period, scope: Scope, name: str) -> None:
    await ctx.answer(ctx.t("export.preparing", place=name, period=period.label(ctx.lang)))
    # The message to edit with the progress: the pressed one, or the one just sent.
    ref = ctx.inc.message_ref if ctx.inc.message_ref else (ctx.sent[-1] if ctx.sent else None)
    read = ctx.services.read
    lang = ctx.lang
    total = await read.activity.total(scope, period.start, period.end)
    head = ExportData(
        title=ctx.t("export.title", place=name, period=period.label(lang)),
        categories=await read.categories.all(),
        sessions=stream_session_lines(ctx.services.db.path, scope, period.start, period.end),
        teams=(), communes=(), members=(),
    )

    def label(key: str, **params: object) -> str:
        return ctx.services.t(lang, key, **params)

    # The summaries first, then the sessions sheet in a thread: read side by side, the two
    # fought over the interpreter lock and took twice as long together as one after the other.
    data = await _summaries(ctx, head, scope, period)
    slug = _slug(name)
    if fmt == "c":
        content = await asyncio.to_thread(build_members_csv, data, label, lang)
        file = OutFile(f"{ctx.t('export.file_members')}-{slug}-{period.code[1:]}.csv", content,
                       CSV_MIME)
    else:
        def show(percent: int) -> str:
            return ctx.t("export.progress", place=name, period=period.label(lang),
                         percent=percent)

        content = await _with_progress(ctx, ref, total.sessions, show,
                                       lambda progress: build_workbook(data, label, lang,
                                                                       progress))
        file = OutFile(f"{ctx.t('export.file')}-{slug}-{period.code[1:]}.xlsx", content,
                       XLSX_MIME)
    member = ctx.caller.member
    async with ctx.services.db.write() as conn:
        await Repos(conn).audit.record(
            actor=member.id if member else None, action="export", target=name, now=ctx.now,
            period=period.code, format="csv" if fmt == "c" else "xlsx",
        )
    caption = ctx.t("export.caption", place=name, period=period.label(lang),
                    sessions=ctx.services.t.number(lang, total.sessions),
                    citizens=ctx.services.t.number(lang, total.citizens))
    await ctx.channel.send(ctx.inc.chat_id, OutMessage(text=caption, document=file))


async def _summaries(ctx: Ctx, head: ExportData, scope: Scope, period: Period) -> ExportData:
    read = ctx.services.read
    return dataclasses.replace(
        head,
        teams=await read.exports.teams(scope, period.start, period.end),
        communes=await read.exports.communes(scope, period.start, period.end),
        members=await read.exports.member_months(scope, period.start, period.end,
                                                 period.months()),
    )


T = TypeVar("T")


async def _with_progress(ctx: Ctx, ref: str | None, total: int, show: Callable[[int], str],
                         work: Callable[[Progress], T]) -> T:
    """Run ``work`` in a thread; if it is still running after :data:`PROGRESS_AFTER_S`, edit
    the "preparing…" message with how far it got (a channel that cannot edit gets nothing:
    a new message per step would be noise)."""
    done = [0]

    def progress(rows: int) -> None:  # called from the worker thread: one int, no locking
        done[0] = rows

    job = asyncio.ensure_future(asyncio.to_thread(work, progress))
    started = time.monotonic()
    shown = -1
    while not job.done():
        await asyncio.wait({job}, timeout=PROGRESS_POLL_S)
        if job.done() or ref is None or not ctx.channel.supports_buttons or not total:
            continue
        percent = min(99, 100 * done[0] // total)
        if time.monotonic() - started >= PROGRESS_AFTER_S and percent != shown:
            shown = percent
            try:
                await ctx.channel.edit(ctx.inc.chat_id, ref, OutMessage(text=show(percent)))
            except Exception:  # the report matters, not its progress line
                log.warning("could not show export progress", exc_info=True)
    return job.result()


def _slug(name: str) -> str:
    return "-".join(fold(name).replace(",", " ").split())[:40] or "bao-cao"


feature = Feature(
    commands=(Command("export", export, requires=Action.EXPORT, members_only=True),),
    buttons=(ButtonRoute("exp", pressed),),
)
