"""Logging an assistance session: the guided flow, the quick form, /undo and /my.

Guided: category → how many citizens → which day → a summary with Save / Change / Cancel; a
note or a photo can be sent while the summary is shown. The common case is four taps (category,
a number, "today", Save). Quick form: ``/log cks 3 họp chợ`` or just ``3 chu ky so`` fills what
it understood and jumps to the same summary, so nothing is saved unconfirmed.

The flow lives in ``chat_flows`` (survives a restart); every button carries the flow's id, so a
button from an older flow is recognised as stale, and Save is idempotent on that id: a double tap,
a re-delivered update or a retried request creates one record.
"""

from __future__ import annotations

import secrets
from datetime import date, timedelta
from typing import Any

from bot.core.assistance import (
    Limits,
    Problem,
    can_undo,
    check_day,
    check_note,
    local_today,
    mask_personal_numbers,
    month_bounds,
    parse_citizens,
    parse_day,
    week_bounds,
)
from bot.core.callback_data import FLOW_ID, ID, Field, Int, OneOf, Verb
from bot.core.chat import Button
from bot.core.models import Category, Session
from bot.core.permissions import Action, Scope
from bot.core.quick_form import QuickLog, parse_quick
from handlers.context import Ctx
from handlers.main_menu import member_menu
from handlers.routing import ButtonRoute, Command, Feature, FlowRoute
from storage.repos import Repos

FLOW = "log"
QUICK_COUNTS = (1, 2, 3, 4, 5)
RECENT = 5

Data = dict[str, Any]

_FLOW = Field("flow", FLOW_ID)
START = Verb("log", "start")
CATEGORY = Verb("log", "c", (_FLOW, Field("category", ID, ref="category")))
COUNT = Verb("log", "n", (_FLOW, Field("count", Int(digits=6))))
DAY = Verb("log", "d", (_FLOW, Field("day", OneOf(("0", "1", "other")))))
SAVE = Verb("log", "s", (_FLOW,))
CHANGE = Verb("log", "e", (_FLOW, Field("what", OneOf(("cat", "n", "day")), optional=True)))
BACK = Verb("log", "b", (_FLOW,))
CANCEL = Verb("log", "x", (_FLOW,))
_SESSION = (Field("session", ID, ref="own_session"),)
UNDO_DELETE = Verb("undo", "del", _SESSION)
UNDO_EDIT = Verb("undo", "edit", _SESSION)
UNDO_KEEP = Verb("undo", "keep", _SESSION)


# --- entry points -----------------------------------------------------------------------------


async def log_command(ctx: Ctx) -> None:
    quick = None
    if ctx.args:
        quick = parse_quick(ctx.args, await ctx.services.read.categories.active(), _today(ctx))
    await _start(ctx, quick)


async def log_button(ctx: Ctx) -> None:
    """``log:start`` (a reminder's one-tap button) and every in-flow button."""
    kind, _, rest = ctx.args.partition(":")
    if kind == "start":
        await _start(ctx, None)
        return
    flow_id, _, value = rest.partition(":")
    data = await _flow_data(ctx, flow_id)
    if data is None:
        if kind == "s" and await _already_saved(ctx, flow_id):
            await ctx.answer(ctx.t("log.already_saved"))
        else:
            await ctx.answer(ctx.t("log.stale"))
        return
    handler = _BUTTONS.get(kind)
    if handler is None:
        await ctx.answer(ctx.t("errors.stale_button"))
        return
    await handler(ctx, data, value)


async def quick_text(ctx: Ctx) -> bool:
    """A member's plain message like "3 chu ky so" is a quick log (confirmed before saving)."""
    if ctx.caller.member is None or not ctx.inc.text or ctx.caller.team is None:
        return False
    if not any(ch.isdigit() for ch in ctx.inc.text):
        return False  # no count, so not a quick log: chatter costs no parsing
    quick = parse_quick(ctx.inc.text, await ctx.services.read.categories.active(), _today(ctx))
    if not quick.complete:
        return False
    await _start(ctx, quick)
    return True


async def _start(ctx: Ctx, quick: QuickLog | None) -> None:
    team = ctx.caller.team
    if team is None or not ctx.caller.can(
        Action.LOG_SESSION, Scope(team.province_code, team.commune_code, team.id)
    ):
        await ctx.reply(ctx.t("log.no_team"))
        return
    data: Data = {"id": secrets.token_hex(3), "cat": None, "n": None, "day": None,
                  "note": None, "photo": None, "masked": False, "replaces": None}
    warnings: list[str] = []
    if quick is not None:
        data["cat"] = quick.category.id if quick.category else None
        if quick.citizens is not None:
            problem = parse_citizens(str(quick.citizens), _limits(ctx))
            if isinstance(problem, Problem):
                warnings.append(_problem_text(ctx, problem))
            else:
                data["n"] = problem
        if quick.day is not None:
            day_problem = check_day(quick.day, _today(ctx), _limits(ctx))
            if day_problem:
                warnings.append(_problem_text(ctx, day_problem))
            else:
                data["day"] = quick.day.isoformat()
        elif data["cat"] and data["n"]:
            data["day"] = _today(ctx).isoformat()  # typed in one line: today unless said
        if quick.note:
            warnings += _set_note(ctx, data, quick.note)
    for warning in warnings:
        await ctx.reply(warning)
    await _next(ctx, data, new_message=True)


# --- the steps ----------------------------------------------------------------------------------


async def _next(ctx: Ctx, data: Data, *, new_message: bool = False) -> None:
    """Ask for the first thing still missing, or show the summary."""
    if data["cat"] is None:
        step, text, buttons = "category", ctx.t("log.ask_category"), await _category_buttons(
            ctx, data)
    elif data["n"] is None:
        step, text, buttons = "count", ctx.t("log.ask_count", max=_limits(ctx).max_citizens), (
            tuple(Button(str(n), COUNT.pack(data["id"], n)) for n in QUICK_COUNTS),)
    elif data["day"] is None:
        step, text, buttons = "day", ctx.t("log.ask_day"), _day_buttons(ctx, data)
    else:
        step, text, buttons = "summary", await _summary(ctx, data), _summary_buttons(ctx, data)
    await _save_flow(ctx, step, data)
    if new_message:
        await ctx.reply(text, buttons=buttons)
    else:
        await ctx.answer(text, buttons=buttons)


async def _category_buttons(ctx: Ctx, data: Data) -> tuple[tuple[Button, ...], ...]:
    categories = await ctx.services.read.categories.active()
    buttons = [Button(f"{c.emoji} {c.label(ctx.lang)}".strip(), CATEGORY.pack(data["id"], c.id))
               for c in categories]
    return tuple(tuple(buttons[i:i + 2]) for i in range(0, len(buttons), 2))


def _day_buttons(ctx: Ctx, data: Data) -> tuple[tuple[Button, ...], ...]:
    today = _today(ctx)
    t = ctx.services.t
    return (
        (Button(ctx.t("log.today", date=t.date(ctx.lang, today)[:5]), DAY.pack(data["id"], "0")),
         Button(ctx.t("log.yesterday", date=t.date(ctx.lang, today - timedelta(days=1))[:5]),
                DAY.pack(data["id"], "1"))),
        (Button(ctx.t("log.other_day"), DAY.pack(data["id"], "other")),),
    )


def _summary_buttons(ctx: Ctx, data: Data) -> tuple[tuple[Button, ...], ...]:
    flow_id = data["id"]
    return (
        (Button(ctx.t("log.save"), SAVE.pack(flow_id)),),
        (Button(ctx.t("log.change"), CHANGE.pack(flow_id)),
         Button(ctx.t("log.cancel"), CANCEL.pack(flow_id))),
    )


async def _summary(ctx: Ctx, data: Data) -> str:
    category = await ctx.services.read.categories.get(int(data["cat"]))
    assert category is not None
    lines = [
        ctx.t("log.summary_title"),
        ctx.t("log.summary_category", category=_category_label(ctx, category)),
        ctx.t("log.summary_count", count=ctx.services.t.number(ctx.lang, int(data["n"]))),
        ctx.t("log.summary_day", date=ctx.services.t.date(ctx.lang,
                                                          date.fromisoformat(data["day"]))),
    ]
    if data["note"]:
        lines.append(ctx.t("log.summary_note", note=data["note"]))
    if data["photo"]:
        lines.append(ctx.t("log.summary_photo"))
    lines += ["", ctx.t("log.summary_hint")]
    return "\n".join(lines)


async def _category_chosen(ctx: Ctx, data: Data, value: str) -> None:
    category = await ctx.services.read.categories.get(int(value)) if value.isdigit() else None
    if category is None or not category.active:
        await ctx.answer(ctx.t("errors.stale_button"))
        return
    data["cat"] = category.id
    await _next(ctx, data)


async def _count_chosen(ctx: Ctx, data: Data, value: str) -> None:
    parsed = parse_citizens(value, _limits(ctx))
    if isinstance(parsed, Problem):
        await ctx.answer(_problem_text(ctx, parsed))
        return
    data["n"] = parsed
    await _next(ctx, data)


async def _day_chosen(ctx: Ctx, data: Data, value: str) -> None:
    if value == "other":
        await _save_flow(ctx, "date", data)
        await ctx.answer(ctx.t("log.ask_date", example=_today(ctx).strftime("%d/%m")))
        return
    if value not in ("0", "1"):
        await ctx.answer(ctx.t("errors.stale_button"))
        return
    data["day"] = (_today(ctx) - timedelta(days=int(value))).isoformat()
    await _next(ctx, data)


async def _change(ctx: Ctx, data: Data, value: str) -> None:
    if value in ("cat", "n", "day"):
        data[value] = None
        await _next(ctx, data)
        return
    flow_id = data["id"]
    await ctx.answer(ctx.t("log.change_what"), buttons=(
        (Button(ctx.t("log.change_category"), CHANGE.pack(flow_id, "cat")),
         Button(ctx.t("log.change_count"), CHANGE.pack(flow_id, "n"))),
        (Button(ctx.t("log.change_day"), CHANGE.pack(flow_id, "day")),
         Button(ctx.t("log.back"), BACK.pack(flow_id))),
    ))


async def _back(ctx: Ctx, data: Data, value: str) -> None:
    await _next(ctx, data)


async def _cancel(ctx: Ctx, data: Data, value: str) -> None:
    async with ctx.services.db.write() as conn:
        await Repos(conn).chats.clear_flow(ctx.inc.channel, ctx.inc.chat_id)
    await ctx.answer(ctx.t("log.cancelled"))


async def _save(ctx: Ctx, data: Data, value: str) -> None:
    member, team = ctx.caller.member, ctx.caller.team
    if member is None or team is None or None in (data["cat"], data["n"], data["day"]):
        await ctx.answer(ctx.t("log.stale"))
        return
    day = date.fromisoformat(data["day"])
    problem = check_day(day, _today(ctx), _limits(ctx))
    if problem is not None:  # a flow left open across midnight can drift out of range
        data["day"] = None
        await ctx.reply(_problem_text(ctx, problem))
        await _next(ctx, data, new_message=True)
        return
    async with ctx.services.db.write() as conn:
        repos = Repos(conn)
        if data["replaces"]:
            await repos.sessions.delete(int(data["replaces"]), ctx.now)
        _, created = await repos.sessions.add(
            member_id=member.id, team_id=team.id, commune_code=team.commune_code,
            category_id=int(data["cat"]), citizens=int(data["n"]), session_date=day,
            note=data["note"], photo_ref=data["photo"], channel=ctx.inc.channel,
            idempotency_key=_key(member.id, data["id"]), now=ctx.now,
        )
        await repos.chats.clear_flow(ctx.inc.channel, ctx.inc.chat_id)
    if not created:
        await ctx.answer(ctx.t("log.already_saved"))
        return
    week = await _week_total(ctx, member.id)
    await ctx.answer(ctx.t("log.saved", week=ctx.services.t.number(ctx.lang, week)))


_BUTTONS = {
    "c": _category_chosen, "n": _count_chosen, "d": _day_chosen, "s": _save, "e": _change,
    "b": _back, "x": _cancel,
}


# --- typing while the flow is open --------------------------------------------------------------


async def flow_input(ctx: Ctx) -> None:
    assert ctx.flow is not None
    data = dict(ctx.flow.data)
    step = ctx.flow.step
    text = (ctx.inc.text or "").strip()
    if ctx.inc.photo is not None and step in ("summary", "day", "date"):
        data["photo"] = ctx.inc.photo.file_ref
        warnings = _set_note(ctx, data, text) if text else []
        for warning in warnings:
            await ctx.reply(warning)
        await _next(ctx, data, new_message=True)
        return
    if not text:
        await ctx.reply(ctx.t("log.use_buttons"))
        return
    if step == "category":
        quick = parse_quick(text, await ctx.services.read.categories.active(), _today(ctx))
        if quick.category is None:
            await ctx.reply(ctx.t("log.unknown_category"),
                            buttons=await _category_buttons(ctx, data))
            return
        data["cat"] = quick.category.id
    elif step == "count":
        parsed = parse_citizens(text, _limits(ctx))
        if isinstance(parsed, Problem):
            await ctx.reply(_problem_text(ctx, parsed))
            return
        data["n"] = parsed
    elif step in ("day", "date"):
        day = parse_day(text, _today(ctx))
        problem = Problem.DATE_UNREADABLE if day is None else check_day(
            day, _today(ctx), _limits(ctx))
        if problem is not None or day is None:
            await ctx.reply(_problem_text(ctx, problem or Problem.DATE_UNREADABLE))
            return
        data["day"] = day.isoformat()
    else:  # the summary: what they type is the note
        warnings = _set_note(ctx, data, text)
        if warnings and data["note"] is None:
            await ctx.reply(warnings[0])
            return
        for warning in warnings:
            await ctx.reply(warning)
    await _next(ctx, data, new_message=True)


def _set_note(ctx: Ctx, data: Data, text: str) -> list[str]:
    """Set the note (masked); the messages to tell the member about it."""
    problem = check_note(text)
    if problem is not None:
        return [_problem_text(ctx, problem)]
    masked = mask_personal_numbers(text)
    data["note"] = masked.text
    data["masked"] = data["masked"] or masked.masked
    return [ctx.t("log.masked")] if masked.masked else []


# --- /undo and /my --------------------------------------------------------------------------------


async def undo(ctx: Ctx) -> None:
    member = ctx.caller.member
    assert member is not None
    latest = await ctx.services.read.sessions.latest_of(member.id, limit=1)
    window = timedelta(hours=ctx.services.settings.undo_window_hours)
    if not latest or not can_undo(latest[0].created_at, ctx.now, window):
        await ctx.reply(ctx.t("undo.nothing", hours=ctx.services.settings.undo_window_hours))
        return
    session = latest[0]
    line = await _session_line(ctx, session)
    await ctx.reply(ctx.t("undo.confirm", entry=line), buttons=(
        (Button(ctx.t("undo.delete"), UNDO_DELETE.pack(session.id)),
         Button(ctx.t("undo.edit"), UNDO_EDIT.pack(session.id))),
        (Button(ctx.t("undo.keep"), UNDO_KEEP.pack(session.id)),),
    ))


async def undo_button(ctx: Ctx) -> None:
    action, _, raw_id = ctx.args.partition(":")
    member = ctx.caller.member
    session = await ctx.services.read.sessions.get(int(raw_id)) if raw_id.isdigit() else None
    window = timedelta(hours=ctx.services.settings.undo_window_hours)
    if (member is None or session is None or session.member_id != member.id
            or session.deleted_at is not None or not can_undo(session.created_at, ctx.now,
                                                              window)):
        await ctx.answer(ctx.t("undo.too_late"))
        return
    if action == "keep":
        await ctx.answer(ctx.t("undo.kept"))
    elif action == "del":
        async with ctx.services.db.write() as conn:
            await Repos(conn).sessions.delete(session.id, ctx.now)
        await ctx.answer(ctx.t("undo.deleted", entry=await _session_line(ctx, session)))
    elif action == "edit":
        data: Data = {"id": secrets.token_hex(3), "cat": session.category_id,
                      "n": session.citizens, "day": session.session_date.isoformat(),
                      "note": session.note, "photo": session.photo_ref, "masked": False,
                      "replaces": session.id}
        await _next(ctx, data)


async def my(ctx: Ctx) -> None:
    member = ctx.caller.member
    assert member is not None
    today = _today(ctx)
    read = ctx.services.read
    categories = {c.id: c for c in await read.categories.all()}
    t = ctx.services.t
    lines = [ctx.t("my.title")]
    for key, (start, end) in (("my.week", week_bounds(today)), ("my.month", month_bounds(today))):
        tallies = await read.activity.member_by_category(member.id, start, end)
        citizens = sum(x.citizens for x in tallies.values())
        sessions = sum(x.sessions for x in tallies.values())
        lines += ["", ctx.t(key, start=t.date(ctx.lang, start)[:5], end=t.date(ctx.lang, end)[:5],
                            citizens=t.number(ctx.lang, citizens),
                            sessions=t.number(ctx.lang, sessions))]
        for cat_id, tally in sorted(tallies.items(), key=lambda item: -item[1].citizens):
            lines.append(ctx.t("my.category_line", category=_category_label(ctx,
                                                                          categories[cat_id]),
                               citizens=t.number(ctx.lang, tally.citizens)))
    recent = await read.sessions.latest_of(member.id, limit=RECENT)
    lines += ["", ctx.t("my.recent") if recent else ctx.t("my.none_yet")]
    for session in recent:
        lines.append("• " + await _session_line(ctx, session, categories))
    await ctx.reply("\n".join(lines), menu=member_menu(ctx))


# --- helpers ---------------------------------------------------------------------------------


def _limits(ctx: Ctx) -> Limits:
    settings = ctx.services.settings
    return Limits(max_citizens=settings.log_max_citizens, max_age_days=settings.log_max_age_days)


def _today(ctx: Ctx) -> date:
    return local_today(ctx.now, ctx.services.settings.tz)


def _key(member_id: int, flow_id: str) -> str:
    return f"log:{member_id}:{flow_id}"


def _category_label(ctx: Ctx, category: Category) -> str:
    return f"{category.emoji} {category.label(ctx.lang)}".strip()


def _problem_text(ctx: Ctx, problem: Problem) -> str:
    limits = _limits(ctx)
    return ctx.t(f"log.problem.{problem.value}", max=limits.max_citizens,
                 days=limits.max_age_days, limit=500,
                 example=_today(ctx).strftime("%d/%m"))


async def _session_line(ctx: Ctx, session: Session,
                        categories: dict[int, Category] | None = None) -> str:
    category = (categories or {}).get(session.category_id) or \
        await ctx.services.read.categories.get(session.category_id)
    assert category is not None
    t = ctx.services.t
    return ctx.t("log.entry_line", date=t.date(ctx.lang, session.session_date)[:5],
                 category=_category_label(ctx, category),
                 count=t.number(ctx.lang, session.citizens))


async def _week_total(ctx: Ctx, member_id: int) -> int:
    start, end = week_bounds(_today(ctx))
    tallies = await ctx.services.read.activity.member_by_category(member_id, start, end)
    return sum(t.citizens for t in tallies.values())


async def _flow_data(ctx: Ctx, flow_id: str) -> Data | None:
    flow = await ctx.services.read.chats.flow(ctx.inc.channel, ctx.inc.chat_id)
    if flow is None or flow.flow != FLOW or flow.data.get("id") != flow_id:
        return None
    return dict(flow.data)


async def _already_saved(ctx: Ctx, flow_id: str) -> bool:
    member = ctx.caller.member
    if member is None:
        return False
    return await ctx.services.read.sessions.has_key(_key(member.id, flow_id))


async def _save_flow(ctx: Ctx, step: str, data: Data) -> None:
    async with ctx.services.db.write() as conn:
        await Repos(conn).chats.set_flow(ctx.inc.channel, ctx.inc.chat_id, FLOW, step, data,
                                         ctx.now)


feature = Feature(
    commands=(
        Command("log", log_command, requires=Action.LOG_SESSION, members_only=True),
        Command("my", my, requires=Action.VIEW_OWN_ACTIVITY, members_only=True),
        Command("undo", undo, requires=Action.LOG_SESSION, members_only=True),
    ),
    buttons=(
        ButtonRoute("log", log_button, verbs=(START, CATEGORY, COUNT, DAY, SAVE, CHANGE, BACK,
                                              CANCEL),
                    requires=Action.LOG_SESSION, members_only=True),
        ButtonRoute("undo", undo_button, verbs=(UNDO_DELETE, UNDO_EDIT, UNDO_KEEP),
                    requires=Action.LOG_SESSION, members_only=True),
    ),
    flows=(FlowRoute(FLOW, flow_input),),
    text_hooks=(quick_text,),
)
