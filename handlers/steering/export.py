"""/export: the activity workbook (or CSV) for a period and a place, in the reader's language.

``/export`` asks for the period with buttons; ``/export tháng trước``, ``/export 2026-11 Vị
Thủy``, ``/export csv this month Ấp 1`` say it all at once. A commune coordinator only ever gets
their commune (asking for another is refused politely and logged); a province coordinator or
admin picks the whole province or one commune.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Protocol

from bot.core import calendar as periods
from bot.core.calendar import Period
from bot.core.callback_data import Field, OneOf, Pattern, Ref, Values, Verb
from bot.core.chat import Button, OutFile, OutMessage
from bot.core.permissions import Action, Scope
from bot.core.text import fold
from handlers.kit.commune_picker import pick_commune
from handlers.kit.context import Ctx, Services
from handlers.kit.routing import ButtonRoute, Command, Feature, press_of
from handlers.kit.scope import (
    find_communes,
    grid,
    place_name,
    province_wide,
    refuse_place,
    scopes_for,
)
from handlers.render.workbook import (
    CSV_MIME,
    XLSX_MIME,
    ActivityWorkbook,
    ExportData,
    Label,
    build_members_csv,
)
from handlers.steering.export_progress import ExportProgress
from handlers.steering.figures import allowance_months, communes_of
from handlers.steering.place_codes import place_code, place_from_code
from handlers.steering.places import example_commune
from storage import evidence as evidence_files
from storage.repos import Repos
from storage.repos.evidence import link_name
from storage.repos.sessions import DayRow

_FORMATS = {"csv": "c", "xlsx": "x", "excel": "x"}
@dataclass(frozen=True)
class Export(Values):
    #: "x" (XLSX) or "c" (CSV).
    format: str
    period: str
    place: str


#: ``exp:<x|c>:<period code>:<place>``; place "?" means "ask if there is a choice".
EXPORT = Verb("exp", "", (
    Field("format", OneOf(("x", "c"))),
    Field("period", Pattern(r"m\d{4}-\d{2}|w\d{4}-\d{2}-\d{2}|y\d{4}|d\d{4}-\d{2}-\d{2}"
                            r"|r\d{8}-\d{8}")),
    Field("place", Pattern(r"\?|p|c\d{1,10}|t\d{1,12}"), ref=Ref.EXPORT_PLACE,
          needs=Action.EXPORT),
), shape=Export)


async def export(ctx: Ctx) -> None:
    words = ctx.args.split()
    fmt = "x"
    if words and fold(words[0]) in _FORMATS:
        fmt = _FORMATS[fold(words.pop(0))]
    period, rest = periods.split_period(" ".join(words), ctx.today)
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
    """:data:`EXPORT`, checked and unpacked by the dispatcher; a period code of the right
    shape that is no real period (month 13) is a stale button."""
    wanted = Export.of(press_of(ctx))
    period = periods.from_code(wanted.period)
    if period is None:
        await ctx.answer(ctx.t("errors.stale_button"))
        return
    await _go(ctx, wanted.format, period, wanted.place)


async def _ask_period(ctx: Ctx, fmt: str, scope_code: str) -> None:
    today = ctx.today
    choices = [
        ("export.this_month", periods.this_month(today)),
        ("export.last_month", periods.last_month(today)),
        ("export.this_week", periods.this_week(today)),
        ("export.last_week", periods.last_week(today)),
    ]
    buttons = [Button(ctx.t(key), EXPORT.pack(fmt, p.code, scope_code)) for key, p in choices]
    await ctx.reply(ctx.t("export.pick_period", example=await example_commune(ctx)),
                    buttons=grid(buttons))


async def _go(ctx: Ctx, fmt: str, period: Period, scope_code: str) -> None:
    if scope_code == "?":
        mine = scopes_for(ctx, Action.EXPORT)
        if len(mine) == 1 and not province_wide(ctx, Action.EXPORT):
            scope_code = place_code(mine[0])
        else:
            await _ask_scope(ctx, fmt, period)
            return
    scope = await place_from_code(ctx, scope_code)
    if scope is None:
        await ctx.answer(ctx.t("errors.stale_button"))
        return
    name = await place_name(ctx, scope)
    if not ctx.caller.can(Action.EXPORT, scope):  # the table decides, at every step
        await refuse_place(ctx, "export", name)
        return
    await _produce(ctx, fmt, period, scope, name)


async def _ask_scope(ctx: Ctx, fmt: str, period: Period) -> None:
    buttons: list[Button] = []
    if province_wide(ctx, Action.EXPORT):
        buttons.append(Button(ctx.t("admin.whole_province"), EXPORT.pack(fmt, period.code, "p")))
    # A commune's button data is this prefix and its code (the place field: c<code>).
    rows = (*grid(buttons),
            *await pick_commune(ctx, Action.EXPORT, f"{EXPORT.key}:{fmt}:{period.code}:c"))
    await ctx.answer(ctx.t("export.pick_place", period=period.label(ctx.lang)), buttons=rows)


async def _place_from_text(ctx: Ctx, text: str, fmt: str, period: Period | None) -> str | None:
    """The scope code for a typed place; None once the person has been answered instead."""
    communes = await find_communes(ctx, text)
    if len(communes) == 1:
        return f"c{communes[0].code}"
    if len(communes) > 1:
        code = period.code if period else periods.this_month(ctx.today).code
        await ctx.reply(ctx.t("export.which_place"), buttons=grid(
            [Button(c.name, EXPORT.pack(fmt, code, f"c{c.code}")) for c in communes[:20]]))
        return None
    teams = await ctx.services.read.teams.search(scopes_for(ctx, Action.EXPORT), text)
    if len(teams) == 1:
        return f"t{teams[0].id}"
    if teams:
        code = period.code if period else periods.this_month(ctx.today).code
        await ctx.reply(ctx.t("export.which_place"), buttons=grid(
            [Button(f"{t.name} – {t.commune_name}", EXPORT.pack(fmt, code, f"t{t.id}"))
             for t in teams]))
        return None
    await ctx.reply(ctx.t("export.place_not_found", text=text[:60]))
    return None


async def _produce(ctx: Ctx, fmt: str, period: Period, scope: Scope, name: str) -> None:
    await ctx.answer(ctx.t("export.preparing", place=name, period=period.label(ctx.lang)))
    progress = ExportProgress(ctx, name, period)
    lang = ctx.lang
    total = await ctx.services.read.tallies.total(scope, period.start, period.end)
    if fmt == "c":
        file = await members_csv_file(ctx, scope, period, name)
    else:
        file = await workbook_file(ctx, scope, period, name, progress, sessions=total.sessions)
    member = ctx.caller.member
    async with ctx.services.db.write() as conn:
        await Repos(conn).audit.record(
            actor=member.id if member else None, action="export", target=name, now=ctx.now,
            period=period.code, format="csv" if fmt == "c" else "xlsx",
        )
    # The period's totals as the summary sheets count them (the roll-ups).
    caption = ctx.t("export.caption", place=name, period=period.label(lang),
                    sessions=ctx.services.t.number(lang, total.sessions),
                    citizens=ctx.services.t.number(lang, total.citizens))
    await ctx.send(OutMessage(text=caption, document=file))


class Asking(Protocol):
    """Who an export is written for: a chat (:class:`Ctx`) or a dashboard reader."""

    @property
    def services(self) -> Services: ...
    @property
    def lang(self) -> str: ...
    @property
    def today(self) -> date: ...
    def t(self, key: str, /, **params: object) -> str: ...


class Progress(Protocol):
    def expect(self, sessions: int) -> None: ...
    async def sessions_written(self, count: int) -> None: ...
    async def summaries(self) -> None: ...


class Unreported:
    """No one to tell how far it got (a download in a browser waits for the file itself)."""

    def expect(self, sessions: int) -> None:
        pass

    async def sessions_written(self, count: int) -> None:
        pass

    async def summaries(self) -> None:
        pass


def _label(asking: Asking) -> Label:
    lang = asking.lang

    def label(key: str, **params: object) -> str:
        return asking.services.t(lang, key, **params)

    return label


async def workbook_file(asking: Asking, scope: Scope, period: Period, name: str,
                        progress: Progress | None = None, *, sessions: int | None = None
                        ) -> OutFile:
    """The /export workbook of the place and period, named as the chat names it."""
    if sessions is None:
        sessions = (await asking.services.read.tallies.total(scope, period.start,
                                                             period.end)).sessions
    title = asking.t("export.title", place=name, period=period.label(asking.lang))
    # The export reads on connections of its own: its long reads never hold back (nor wait
    # for) the other chats' reads on the shared reader.
    async with asking.services.db.reading() as days:
        content = await _workbook(asking, Repos(days), _label(asking), scope, period, name,
                                  title, sessions, progress or Unreported())
    return OutFile(f"{asking.t('export.file')}-{_slug(name)}-{period.code[1:]}.xlsx", content,
                   XLSX_MIME)


async def members_csv_file(asking: Asking, scope: Scope, period: Period, name: str) -> OutFile:
    """/export csv: members by month, one row each."""
    title = asking.t("export.title", place=name, period=period.label(asking.lang))
    data = await asyncio.to_thread(_summaries_aside, asking, scope, period, name, title,
                                   asking.today, steering=False)
    content = await asyncio.to_thread(build_members_csv, data, _label(asking), asking.lang)
    return OutFile(f"{asking.t('export.file_members')}-{_slug(name)}-{period.code[1:]}.csv",
                   content, CSV_MIME)


def _summaries_aside(ctx: Asking, scope: Scope, period: Period, name: str, title: str,
                     today: date, *, steering: bool) -> ExportData:
    """:func:`_summaries`, run in a worker thread on an event loop and a connection of its
    own: their Python (a province's month: grouping 180,000 rows, sorting 35,000 names, in
    pieces of up to half a second) then never holds up the loop every chat is answered on."""
    async def read() -> ExportData:
        async with ctx.services.db.reading() as conn:
            return await _summaries(ctx, Repos(conn), scope, period, name, title, today,
                                    steering=steering)
    return asyncio.run(read())


async def _summaries(ctx: Asking, read: Repos, scope: Scope, period: Period, name: str,
                     title: str, today: date, *, steering: bool) -> ExportData:
    """What the summary sheets show (the CSV: members by month only), read from the roll-ups
    on ``read``'s connection."""
    lang = ctx.lang
    categories = await read.categories.all()
    teams = await read.tallies.teams_by_category(scope, period.start, period.end)
    communes = await read.tallies.communes_by_category(scope, period.start, period.end)
    members = await read.tallies.member_months(scope, period.start, period.end,
                                               period.months())
    on_time_days = ctx.services.settings.on_time_days
    activity = await read.activity.team_activity(
        scope, period.start, period.end, on_time_days) if steering else []
    completeness = communes_of(activity, period.end, today) if steering else []
    allowance = await allowance_months(read, scope, period, today) if steering else []
    return ExportData(
        title=title, categories=categories, teams=teams, communes=communes, members=members,
        completeness=completeness, teams_on_time=activity, allowance=allowance, place=name,
        money=lambda dong: ctx.t("allowance.dong", amount=ctx.services.t.number(lang, dong)),
        date_text=lambda day: ctx.services.t.date(lang, day), on_time_days=on_time_days,
    )


async def _workbook(ctx: Asking, days: Repos, label: Label, scope: Scope, period: Period,
                    name: str, title: str, sessions: int, progress: Progress) -> bytes:
    """The workbook, written as it is read: each day's sessions straight from the database
    (``days``) into the sessions sheet (the bulk of the work, so its progress is shown), then
    the summary sheets a chunk at a time. The summaries are read meanwhile, aside (see
    :func:`_summaries_aside`), and the next day while this one is written: SQLite steps
    without the interpreter lock, so the reads take the machine's other core. The writing
    runs in worker threads, one step after the other, so the event loop (every other chat)
    is never held for a step."""
    summaries = asyncio.ensure_future(asyncio.to_thread(
        _summaries_aside, ctx, scope, period, name, title, ctx.today, steering=True))
    day = period.start
    ahead = asyncio.ensure_future(days.sessions.day_sessions(scope, day))
    try:
        book = await asyncio.to_thread(ActivityWorkbook, title, await days.categories.all(),
                                       label, ctx.lang)
        names = await days.sessions.session_names()
        progress.expect(sessions)
        while day <= period.end and not book.full:
            rows = await ahead
            if day < period.end:
                ahead = asyncio.ensure_future(
                    days.sessions.day_sessions(scope, day + timedelta(days=1)))
            if rows:
                links = await _evidence_links(ctx, rows)
                await asyncio.to_thread(book.add_day, day, rows, names, links)
            await progress.sessions_written(book.sessions)
            day += timedelta(days=1)
        left_out = max(0, sessions - book.sessions) if book.full else 0
        await asyncio.to_thread(book.end_sessions, ctx.t(
            "export.sessions_cut", count=ctx.services.t.number(ctx.lang, left_out))
            if left_out else None)
        await progress.summaries()
        data = await summaries
    finally:
        # Reads never awaited (the sheet is full, or the export failed) are let go.
        ahead.cancel()
        summaries.cancel()
    steps = book.summaries(data)
    while await asyncio.to_thread(next, steps, None) is not None:
        await progress.summaries()
    return await asyncio.to_thread(book.save)


async def _evidence_links(ctx: Asking, rows: list[DayRow]) -> dict[str, str]:
    """An expiring file link per evidence photo of the day (none without a web address)."""
    links = ctx.services.links
    photos = [row[7] for row in rows if row[7]]
    if links is None or not photos:
        return {}
    found: dict[str, str] = {}
    folder = ctx.services.settings.evidence_dir
    for name in photos:
        data = await asyncio.to_thread(evidence_files.read, folder, name)
        if data is None:
            continue
        published = await links.publish(OutFile(link_name(name), data, "image/jpeg"),
                                        "evidence")
        if published is not None:
            found[name] = published.url
    return found


def _slug(name: str) -> str:
    return "-".join(fold(name).replace(",", " ").split())[:40] or "bao-cao"


feature = Feature(
    commands=(Command("export", export, requires=Action.EXPORT, members_only=True),),
    buttons=(ButtonRoute("exp", pressed, verbs=(EXPORT,), requires=Action.EXPORT,
                         members_only=True),),
)
