"""The guided steps of logging a session: category → how many citizens → which day → summary.

Each step asks for the first thing still missing, or shows the summary with Save / Change /
Cancel; the buttons and what typing a value does (:mod:`handlers.logging_flow` routes them here).
The flow's state lives in ``chat_flows`` so it survives a restart.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from bot.core.assistance import (
    Limits,
    Problem,
    check_note,
    mask_personal_numbers,
    parse_citizens,
)
from bot.core.callback_data import FLOW_ID, ID, Field, Int, OneOf, Verb
from bot.core.chat import Button
from bot.core.models import Category
from handlers.context import Ctx
from storage.repos import Repos

FLOW = "log"
QUICK_COUNTS = (1, 2, 3, 4, 5)

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
    today = ctx.today
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
        await ctx.answer(ctx.t("log.ask_date", example=ctx.today.strftime("%d/%m")))
        return
    if value not in ("0", "1"):
        await ctx.answer(ctx.t("errors.stale_button"))
        return
    data["day"] = (ctx.today - timedelta(days=int(value))).isoformat()
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


def _set_note(ctx: Ctx, data: Data, text: str) -> list[str]:
    """Set the note (masked); the messages to tell the member about it."""
    problem = check_note(text)
    if problem is not None:
        return [_problem_text(ctx, problem)]
    masked = mask_personal_numbers(text)
    data["note"] = masked.text
    data["masked"] = data["masked"] or masked.masked
    return [ctx.t("log.masked")] if masked.masked else []


# --- helpers ---------------------------------------------------------------------------------


def _limits(ctx: Ctx) -> Limits:
    settings = ctx.services.settings
    return Limits(max_citizens=settings.log_max_citizens, max_age_days=settings.log_max_age_days)


def _key(member_id: int, flow_id: str) -> str:
    return f"log:{member_id}:{flow_id}"


def _category_label(ctx: Ctx, category: Category) -> str:
    return f"{category.emoji} {category.label(ctx.lang)}".strip()


def _problem_text(ctx: Ctx, problem: Problem) -> str:
    limits = _limits(ctx)
    return ctx.t(f"log.problem.{problem.value}", max=limits.max_citizens,
                 days=limits.max_age_days, limit=500,
                 example=ctx.today.strftime("%d/%m"))


async def _save_flow(ctx: Ctx, step: str, data: Data) -> None:
    async with ctx.services.db.write() as conn:
        await Repos(conn).chats.set_flow(ctx.inc.channel, ctx.inc.chat_id, FLOW, step, data,
                                         ctx.now)
