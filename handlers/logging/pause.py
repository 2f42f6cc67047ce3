"""/pause and /resume: a member on leave stops the weekly reminders, and starts them again.

``/pause 2w`` (or ``2 tuần``, ``10 ngày``, ``đến 15/12``) pauses up to and including a day;
``/pause`` alone shows the state with buttons (one week, two weeks, a month, resume).
``/resume`` — or ``/pause off`` — ends a pause early. While paused, the member gets no
reminder of any kind, and their team leader sees them as paused, not silent. A team leader or
commune coordinator also pauses someone else: ``/pause Mai 2w``, ``/resume Mai``
(:mod:`handlers.logging.pause_member`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from bot.core.callback_data import Field, OneOf, Values, Verb
from bot.core.chat import Button
from bot.core.pause import PauseInputError, parse_pause
from bot.core.permissions import Action
from bot.core.text import fold
from handlers.kit.context import Ctx
from handlers.kit.routing import ButtonRoute, Command, Feature, press_of
from handlers.logging import pause_member
from storage.repos import Repos

#: (days, label key) of the buttons /pause offers.
CHOICES = ((7, "pause.one_week"), (14, "pause.two_weeks"), (30, "pause.one_month"))
_OFF = {"off", "resume", "tat", "huy", "bat lai", "thoi"}
RESUME = Verb("pz", "off", requires=Action.PAUSE_REMINDERS)


@dataclass(frozen=True)
class ForDays(Values):
    #: One of :data:`CHOICES`, as text (the verb offers no other).
    days: str


FOR_DAYS = Verb("pz", "", (Field("days", OneOf(tuple(str(d) for d, _ in CHOICES))),),
                shape=ForDays,
                requires=Action.PAUSE_REMINDERS)


async def pause(ctx: Ctx) -> None:
    text = ctx.args.strip()
    if fold(text) in _OFF:
        await resume(ctx)
        return
    today = ctx.today
    if not text:
        await _ask(ctx, today)
        return
    try:
        until = parse_pause(text, today)
    except PauseInputError as problem:
        # Not a length of one's own pause: a leader names a member ("/pause Mai 2w").
        if problem.code == "usage" and ctx.caller.can_somewhere(Action.PAUSE_MEMBER):
            await pause_member.pause_someone(ctx, text)
            return
        await ctx.reply(ctx.t(f"pause.error_{problem.code}") + "\n\n" + ctx.t("pause.usage"))
        return
    await _pause_until(ctx, until)


async def resume(ctx: Ctx) -> None:
    text = ctx.args.strip()
    if text and fold(text) not in _OFF and ctx.caller.can_somewhere(Action.PAUSE_MEMBER):
        await pause_member.pause_someone(ctx, text, resume=True)
        return
    member = ctx.caller.member
    assert member is not None
    async with ctx.services.db.write() as conn:
        was = await Repos(conn).pauses.clear(member.id)
    await ctx.answer(ctx.t("pause.resumed" if was else "pause.not_paused"))


async def pressed(ctx: Ctx) -> None:
    """``pz:<days>`` pauses that long from today; ``pz:off`` resumes."""
    if ctx.caller.member is None or not ctx.caller.can_somewhere(Action.PAUSE_REMINDERS):
        await ctx.answer(ctx.t("errors.join_first"))
        return
    press = press_of(ctx)
    if press.verb in pause_member.VERBS:
        await pause_member.pressed(ctx, press)
        return
    if press.verb is RESUME:
        await resume(ctx)
        return
    days = int(ForDays.of(press).days)
    await _pause_until(ctx, ctx.today + timedelta(days=days - 1))


async def _ask(ctx: Ctx, today: date) -> None:
    member = ctx.caller.member
    assert member is not None
    current = (await ctx.services.read.pauses.current(today, [member.id])).get(member.id)
    buttons = [Button(ctx.t(key), FOR_DAYS.pack(days)) for days, key in CHOICES]
    if current is not None:
        text = ctx.t("pause.paused_now", until=ctx.services.t.date(ctx.lang, current))
        buttons.append(Button(ctx.t("pause.resume_button"), RESUME.pack()))
    else:
        text = ctx.t("pause.ask")
    usage = ctx.t("pause.usage")
    if ctx.caller.can_somewhere(Action.PAUSE_MEMBER):
        usage += "\n" + ctx.t("pause.others_usage")
    await ctx.reply(text + "\n\n" + usage, buttons=tuple((b,) for b in buttons))


async def _pause_until(ctx: Ctx, until: date) -> None:
    member = ctx.caller.member
    assert member is not None
    async with ctx.services.db.write() as conn:
        await Repos(conn).pauses.set(member.id, until, ctx.now)
    await ctx.answer(ctx.t("pause.done", until=ctx.services.t.date(ctx.lang, until)))


feature = Feature(
    commands=(
        Command("pause", pause, requires=Action.PAUSE_REMINDERS, members_only=True),
        Command("resume", resume, requires=Action.PAUSE_REMINDERS, members_only=True),
    ),
    buttons=(ButtonRoute("pz", pressed, verbs=(RESUME, FOR_DAYS, *pause_member.VERBS)),),
)
