"""The guided steps of logging a session: category → how many citizens → which day → summary.

Each step asks for the first thing still missing, or shows the summary with Save / Change /
Cancel; the buttons and what typing a value does at each step (the flow's table,
:data:`handlers.logging.flow.LOG_STEPS`, routes them here).
The flow's state lives in ``chat_flows`` so it survives a restart.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import timedelta

from bot.core.assistance import (
    Limits,
    Problem,
    check_day,
    check_note,
    mask_personal_numbers,
    parse_citizens,
    parse_day,
)
from bot.core.callback_data import FLOW_ID, ID, Field, Int, OfFlow, OneOf, Press, Ref, Verb
from bot.core.chat import Button
from bot.core.flows import LogFlow, LogStep
from bot.core.models import Category
from bot.core.quick_form import parse_quick
from handlers.kit.context import Ctx
from handlers.kit.flow_store import save_flow
from handlers.logging.evidence import keep_evidence
from storage.repos import Repos
from storage.repos.evidence import PHOTO_REQUIRED

FLOW = LogFlow.name
QUICK_COUNTS = (1, 2, 3, 4, 5)

_FLOW = Field("flow", FLOW_ID)


@dataclass(frozen=True)
class CategoryChosen(OfFlow):
    category: int


@dataclass(frozen=True)
class CountChosen(OfFlow):
    count: int


@dataclass(frozen=True)
class DayChosen(OfFlow):
    #: "0" (today), "1" (yesterday) or "other" (a date will be typed).
    day: str


@dataclass(frozen=True)
class Change(OfFlow):
    #: "cat", "n" or "day"; None: ask which.
    what: str | None = None


START = Verb("log", "start")
CATEGORY = Verb("log", "c", (_FLOW, Field("category", ID, ref=Ref.CATEGORY)),
                shape=CategoryChosen)
COUNT = Verb("log", "n", (_FLOW, Field("count", Int(digits=6))), shape=CountChosen)
DAY = Verb("log", "d", (_FLOW, Field("day", OneOf(("0", "1", "other")))), shape=DayChosen)
SAVE = Verb("log", "s", (_FLOW,), shape=OfFlow)
CHANGE = Verb("log", "e", (_FLOW, Field("what", OneOf(("cat", "n", "day")), optional=True)),
              shape=Change)
BACK = Verb("log", "b", (_FLOW,), shape=OfFlow)
CANCEL = Verb("log", "x", (_FLOW,), shape=OfFlow)


# --- the steps ----------------------------------------------------------------------------------


async def next_step(ctx: Ctx, state: LogFlow, *, new_message: bool = False) -> None:
    """Ask for the first thing still missing, or show the summary."""
    state = state.ahead()
    if state.step is LogStep.CATEGORY:
        text, buttons = ctx.t("log.ask_category"), await category_buttons(ctx, state)
    elif state.step is LogStep.COUNT:
        text, buttons = ctx.t("log.ask_count", max=limits_of(ctx).max_citizens), (
            tuple(Button(str(n), COUNT.pack(state.id, n)) for n in QUICK_COUNTS),)
    elif state.step is LogStep.DAY:
        text, buttons = ctx.t("log.ask_day"), _day_buttons(ctx, state)
    else:
        text, buttons = await _summary(ctx, state), summary_buttons(ctx, state)
    await save_flow(ctx, state)
    if new_message:
        await ctx.reply(text, buttons=buttons)
    else:
        await ctx.answer(text, buttons=buttons)


async def category_buttons(ctx: Ctx, state: LogFlow) -> tuple[tuple[Button, ...], ...]:
    categories = await ctx.services.quick.categories.active()
    buttons = [Button(f"{c.emoji} {c.label(ctx.lang)}".strip(), CATEGORY.pack(state.id, c.id))
               for c in categories]
    return tuple(tuple(buttons[i:i + 2]) for i in range(0, len(buttons), 2))


def _day_buttons(ctx: Ctx, state: LogFlow) -> tuple[tuple[Button, ...], ...]:
    today = ctx.today
    t = ctx.services.t
    return (
        (Button(ctx.t("log.today", date=t.date(ctx.lang, today)[:5]), DAY.pack(state.id, "0")),
         Button(ctx.t("log.yesterday", date=t.date(ctx.lang, today - timedelta(days=1))[:5]),
                DAY.pack(state.id, "1"))),
        (Button(ctx.t("log.other_day"), DAY.pack(state.id, "other")),),
    )


def summary_buttons(ctx: Ctx, state: LogFlow) -> tuple[tuple[Button, ...], ...]:
    flow_id = state.id
    return (
        (Button(ctx.t("log.save"), SAVE.pack(flow_id)),),
        (Button(ctx.t("log.change"), CHANGE.pack(flow_id)),
         Button(ctx.t("log.cancel"), CANCEL.pack(flow_id))),
    )


async def _summary(ctx: Ctx, state: LogFlow) -> str:
    filled = state.filled()
    assert filled is not None  # the summary is the step once nothing is missing
    category_id, citizens, day = filled
    category = await ctx.services.quick.categories.get(category_id)
    assert category is not None
    lines = [
        ctx.t("log.summary_title"),
        ctx.t("log.summary_category", category=category_label(ctx, category)),
        ctx.t("log.summary_count", count=ctx.services.t.number(ctx.lang, citizens)),
        ctx.t("log.summary_day", date=ctx.services.t.date(ctx.lang, day)),
    ]
    if state.note:
        lines.append(ctx.t("log.summary_note", note=state.note))
    if state.photo:
        lines.append(ctx.t("log.summary_photo"))
    elif await ctx.services.quick.evidence.category_photo(category_id) == PHOTO_REQUIRED:
        lines.append(ctx.t("evidence.summary_required"))
    lines += ["", ctx.t("log.summary_hint")]
    return "\n".join(lines)


async def category_chosen(ctx: Ctx, state: LogFlow, press: Press) -> None:
    category = await ctx.services.quick.categories.get(CategoryChosen.of(press).category)
    if category is None or not category.active:
        await ctx.answer(ctx.t("errors.stale_button"))
        return
    await next_step(ctx, replace(state, category=category.id))


async def count_chosen(ctx: Ctx, state: LogFlow, press: Press) -> None:
    parsed = parse_citizens(str(CountChosen.of(press).count), limits_of(ctx))
    if isinstance(parsed, Problem):
        await ctx.answer(problem_text(ctx, parsed))
        return
    await next_step(ctx, replace(state, citizens=parsed))


async def day_chosen(ctx: Ctx, state: LogFlow, press: Press) -> None:
    value = DayChosen.of(press).day
    if value == "other":
        await save_flow(ctx, replace(state, step=LogStep.DATE))
        await ctx.answer(ctx.t("log.ask_date", example=ctx.today.strftime("%d/%m")))
        return
    days_back = 1 if value == "1" else 0
    await next_step(ctx, replace(state, day=ctx.today - timedelta(days=days_back)))


async def change(ctx: Ctx, state: LogFlow, press: Press) -> None:
    what = Change.of(press).what
    if what == "cat":
        await next_step(ctx, replace(state, category=None))
        return
    if what == "n":
        await next_step(ctx, replace(state, citizens=None))
        return
    if what == "day":
        await next_step(ctx, replace(state, day=None))
        return
    flow_id = state.id
    await ctx.answer(ctx.t("log.change_what"), buttons=(
        (Button(ctx.t("log.change_category"), CHANGE.pack(flow_id, "cat")),
         Button(ctx.t("log.change_count"), CHANGE.pack(flow_id, "n"))),
        (Button(ctx.t("log.change_day"), CHANGE.pack(flow_id, "day")),
         Button(ctx.t("log.back"), BACK.pack(flow_id))),
    ))


async def back(ctx: Ctx, state: LogFlow, press: Press) -> None:
    await next_step(ctx, state)


async def cancel(ctx: Ctx, state: LogFlow, press: Press) -> None:
    async with ctx.services.db.write() as conn:
        await Repos(conn).chats.clear_flow(ctx.inc.channel, ctx.inc.chat_id)
    await ctx.answer(ctx.t("log.cancelled"))


# --- typing at each step (the flow's table routes each step here) -----------------------------


def typing(step: Callable[[Ctx, LogFlow, str], Awaitable[LogFlow | None]], *, photo: bool = False
           ) -> Callable[[Ctx, LogFlow], Awaitable[None]]:
    """A step that reads what is typed, then asks for what is next. ``step`` gives the state with
    the value typed, or None when it has answered why not. Where ``photo`` is allowed (once the
    category and the count are known), a photo (or an image sent as a file) is kept as evidence,
    its caption as the note."""
    async def handle(ctx: Ctx, state: LogFlow) -> None:
        text = (ctx.inc.text or "").strip()
        file = ctx.inc.photo or ctx.inc.document
        if photo and file is not None:
            kept = await keep_evidence(ctx, file)  # re-encoded and stored, or refused politely
            if kept is None:
                return
            state = replace(state, photo=kept)
            warnings: list[str] = []
            if text:
                state, warnings = set_note(ctx, state, text)
            for warning in warnings:
                await ctx.reply(warning)
            await next_step(ctx, state, new_message=True)
            return
        if not text:
            await ctx.reply(ctx.t("log.use_buttons"))
            return
        found = await step(ctx, state, text)
        if found is not None:
            await next_step(ctx, found, new_message=True)
    return handle


async def category_typed(ctx: Ctx, state: LogFlow, text: str) -> LogFlow | None:
    quick = parse_quick(text, await ctx.services.quick.categories.active(), ctx.today)
    if quick.category is None:
        await ctx.reply(ctx.t("log.unknown_category"), buttons=await category_buttons(ctx, state))
        return None
    return replace(state, category=quick.category.id)


async def count_typed(ctx: Ctx, state: LogFlow, text: str) -> LogFlow | None:
    parsed = parse_citizens(text, limits_of(ctx))
    if isinstance(parsed, Problem):
        await ctx.reply(problem_text(ctx, parsed))
        return None
    return replace(state, citizens=parsed)


async def day_typed(ctx: Ctx, state: LogFlow, text: str) -> LogFlow | None:
    day = parse_day(text, ctx.today)
    problem = Problem.DATE_UNREADABLE if day is None else check_day(day, ctx.today,
                                                                      limits_of(ctx))
    if problem is not None or day is None:
        await ctx.reply(problem_text(ctx, problem or Problem.DATE_UNREADABLE))
        return None
    return replace(state, day=day)


async def note_typed(ctx: Ctx, state: LogFlow, text: str) -> LogFlow | None:
    """At the summary, what they type is the note."""
    noted, warnings = set_note(ctx, state, text)
    if warnings and noted.note is None:
        await ctx.reply(warnings[0])
        return None
    for warning in warnings:
        await ctx.reply(warning)
    return noted


def set_note(ctx: Ctx, state: LogFlow, text: str) -> tuple[LogFlow, list[str]]:
    """The state with the note set (masked), and the messages to tell the member about it."""
    problem = check_note(text)
    if problem is not None:
        return state, [problem_text(ctx, problem)]
    masked = mask_personal_numbers(text)
    noted = replace(state, note=masked.text, masked=state.masked or masked.masked)
    return noted, [ctx.t("log.masked")] if masked.masked else []


# --- helpers ---------------------------------------------------------------------------------


def limits_of(ctx: Ctx) -> Limits:
    settings = ctx.services.settings
    return Limits(max_citizens=settings.log_max_citizens, max_age_days=settings.log_max_age_days)


def _key(member_id: int, flow_id: str) -> str:
    return f"log:{member_id}:{flow_id}"


def category_label(ctx: Ctx, category: Category) -> str:
    return f"{category.emoji} {category.label(ctx.lang)}".strip()


def problem_text(ctx: Ctx, problem: Problem) -> str:
    limits = limits_of(ctx)
    return ctx.t(f"log.problem.{problem.value}", max=limits.max_citizens,
                 days=limits.max_age_days, limit=500,
                 example=ctx.today.strftime("%d/%m"))
