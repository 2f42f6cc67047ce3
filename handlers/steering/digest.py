"""/digest: a coordinator's weekly digest on demand — this week so far, last week, or any week.

``/digest`` offers this week, last week and the eight before as buttons; a week can be typed
too: ``/digest last``, ``/digest 9/11`` (the week holding that day), ``/digest tuần 46``.
``/digest last Vị Thủy`` gives one commune's digest to whoever may see that commune (a province
coordinator looking closer; a commune coordinator asking for another commune is refused).

The same figures, text and chart as the Monday digest (:mod:`handlers.steering.weekly`), sent
straight back instead of through the outbox: the person is waiting for it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from bot.core import calendar as periods
from bot.core.calendar import week_start
from bot.core.callback_data import Field, Pattern, Values, Verb
from bot.core.chat import Button
from bot.core.digest import CommuneDigest, ProvinceDigest
from bot.core.permissions import PERMISSIONS, Action, Scope
from bot.core.text import fold
from handlers.kit.context import Ctx
from handlers.kit.routing import ButtonRoute, Command, Feature, press_of
from handlers.kit.scope import find_communes, grid, refuse_place
from handlers.steering.places import example_commune
from handlers.steering.weekly import commune_digest, digest_messages, province_digest

THIS_WEEK = Verb("dg", "this")
LAST_WEEK = Verb("dg", "last")
MORE_WEEKS = Verb("dg", "more")


@dataclass(frozen=True)
class AWeek(Values):
    monday: str


A_WEEK = Verb("dg", "w", (Field("monday", Pattern(r"\d{4}-\d{2}-\d{2}")),), shape=AWeek)
#: Earlier weeks offered as buttons after "this week" and "last week".
OLDER_WEEKS = 8
_THIS = {"this", "nay", "tuannay", "thisweek"}
_LAST = {"last", "truoc", "tuantruoc", "lastweek"}


def _area(ctx: Ctx) -> tuple[str, str] | None:
    """("province", code) for a province-wide grant, else ("commune", code), else None."""
    communes = []
    for grant in ctx.caller.grants:
        if Action.VIEW_DIGEST not in PERMISSIONS[grant.role]:
            continue
        if grant.scope.commune is None:
            return "province", grant.scope.province or ctx.services.settings.province_code
        communes.append(grant.scope.commune)
    return ("commune", communes[0]) if communes else None


async def digest(ctx: Ctx) -> None:
    if _area(ctx) is None:
        await ctx.reply(ctx.t("digest.no_area"))
        return
    today = ctx.today
    monday, place = _week(ctx.args, today)
    if monday is _BAD:
        await ctx.reply(ctx.t("steering.digest_usage", example=await example_commune(ctx)))
        return
    if monday is not None and monday > week_start(today):
        await ctx.reply(ctx.t("steering.digest_future"))
        return
    if place:  # "/digest last Vị Thủy": one commune, for whoever may see it
        await _commune_asked(ctx, place, monday or week_start(today))
        return
    if monday is not None:
        await _send(ctx, monday)
        return
    await ctx.reply(ctx.t("digest.choose"), buttons=(
        (Button(ctx.t("digest.this_week"), THIS_WEEK.pack()),),
        (Button(ctx.t("digest.last_week"), LAST_WEEK.pack()),),
        (Button(ctx.t("steering.digest_older"), MORE_WEEKS.pack()),),
    ))


#: Marks words that try to name a week and fail (the person is shown how to write one).
_BAD = date.min


def _week(text: str, today: date) -> tuple[date | None, str]:
    """The Monday the words name first (None: none named), and the words after it.

    "last", "tuần trước", "2026-11-09", "9/11", "tuần 46", "2026-W46" — any day of a week
    names that week.
    """
    words = text.split()
    this, last = week_start(today), week_start(today) - timedelta(days=7)
    for size in (2, 1):
        if len(words) < size:
            continue
        key = fold(" ".join(words[:size])).replace(" ", "")
        if key in _THIS | _LAST:
            return (this if key in _THIS else last), " ".join(words[size:])
        try:
            week = periods.parse_week_number(" ".join(words[:size]), today)
        except ValueError:  # a week the year does not have: "tuần 54"
            return _BAD, ""
        if week is not None:
            return week.start, " ".join(words[size:])
    period, rest = periods.split_period(text, today)
    if period is None:
        return None, text.strip()
    if period.kind not in ("day", "week"):
        return _BAD, ""
    return week_start(period.start), rest


async def _commune_asked(ctx: Ctx, place: str, monday: date) -> None:
    found = await find_communes(ctx, place)
    if len(found) != 1:
        await ctx.reply(ctx.t("steering.digest_usage", example=await example_commune(ctx)))
        return
    commune = found[0]
    if not ctx.caller.can(Action.VIEW_DIGEST, Scope(commune.province_code, commune.code)):
        await refuse_place(ctx, "digest", commune.name)
        return
    await _send(ctx, monday, area=("commune", commune.code))


async def pressed(ctx: Ctx) -> None:
    # Buttons are not checked by the dispatcher: the rights are checked again here.
    if not ctx.caller.can_somewhere(Action.VIEW_DIGEST) or _area(ctx) is None:
        await ctx.answer(ctx.t("digest.no_area"))
        return
    this = week_start(ctx.today)
    press = press_of(ctx)
    if press.verb is MORE_WEEKS:
        await ctx.answer(ctx.t("steering.digest_pick_week"), buttons=grid([
            Button(periods.week_of(this - timedelta(days=7 * back)).label(ctx.lang),
                   A_WEEK.pack((this - timedelta(days=7 * back)).isoformat()))
            for back in range(2, 2 + OLDER_WEEKS)]))
        return
    if press.verb in (THIS_WEEK, LAST_WEEK):
        monday = this if press.verb is THIS_WEEK else this - timedelta(days=7)
        await ctx.answer(ctx.t("digest.this_week" if press.verb is THIS_WEEK
                               else "digest.last_week"))
    else:
        try:  # the verb's pattern is only the shape of a date: 2026-02-31 gets here
            monday = week_start(date.fromisoformat(AWeek.of(press).monday))
        except ValueError:
            await ctx.answer(ctx.t("errors.stale_button"))
            return
        await ctx.answer(periods.week_of(monday).label(ctx.lang))
    await _send(ctx, min(monday, this))


async def _send(ctx: Ctx, monday: date, area: tuple[str, str] | None = None) -> None:
    area = area or _area(ctx)
    assert area is not None
    today = ctx.today
    period = periods.week_of(monday).so_far(today)
    level, code = area
    found: CommuneDigest | ProvinceDigest | None
    if level == "province":
        found = await province_digest(ctx.services, code, period, ctx.lang, today)
    else:
        found = await commune_digest(ctx.services, code, period, ctx.lang, today)
        if found is None:
            await ctx.reply(ctx.t("digest.no_area"))
            return
    for message in digest_messages(ctx.services, ctx.lang, found):
        await ctx.send(message)


feature = Feature(
    commands=(Command("digest", digest, requires=Action.VIEW_DIGEST, members_only=True),),
    buttons=(ButtonRoute("dg", pressed, verbs=(THIS_WEEK, LAST_WEEK, MORE_WEEKS, A_WEEK),
                         requires=Action.VIEW_DIGEST, members_only=True),),
)
