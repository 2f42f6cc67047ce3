"""/stats: the key numbers for the caller's place — this week and this month, or any period.

A commune coordinator sees their commune; a province coordinator or admin the whole province
(with the communes that helped most and the least complete ones), or ``/stats <commune or
team>`` for one place. A period may come first: ``/stats last month``, ``/stats 2026-10 Vị
Thủy``; buttons step to the previous or next week or month. Each view shows completeness
(teams reporting, members active, teams silent for two weeks), the place's targets with their
progress, and the places one level down that are behind theirs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from bot.core import calendar as periods
from bot.core.calendar import Period
from bot.core.callback_data import Field, Values, Verb
from bot.core.chat import Button
from bot.core.completeness import Completeness, TeamActivity, ranked
from bot.core.permissions import Action, Scope
from bot.core.steering_text import behind_line, completeness_lines, ranking_lines, target_lines
from handlers.kit.context import Ctx
from handlers.kit.routing import ButtonRoute, Command, Feature, press_of
from handlers.kit.scope import (
    find_communes,
    grid,
    place_name,
    refuse_place,
    scopes_for,
    team_scope,
)
from handlers.steering.figures import (
    behind,
    children_progress,
    communes_of,
    completeness,
    target_progress,
)
from handlers.steering.place_codes import PERIOD, PLACE, place_code, place_from_code
from storage.repos.tallies import Tally, summed

TOP_PLACES = 5
RANKED_PLACES = 3


async def stats(ctx: Ctx) -> None:
    today = ctx.today
    period, rest = periods.split_period(ctx.args.strip(), today)
    scope: Scope | None
    if rest:
        scope = await _typed_place(ctx, rest)
        if scope is None:
            return
    else:
        scope = scopes_for(ctx, Action.VIEW_STATS)[0]
    if period is not None and period.start > today:
        await ctx.reply(ctx.t("steering.stats_future", period=period.label(ctx.lang)))
        return
    await _show(ctx, scope, period)


async def pressed(ctx: Ctx) -> None:
    """``st:<period code or "now">:<place code>``: another period, the same place."""
    press = press_of(ctx)
    values = Now.of(press) if press.verb is NOW else APeriod.of(press)
    what = values.period if isinstance(values, APeriod) else "now"
    code = values.place
    period = None if what == "now" else periods.from_code(what)
    scope = await place_from_code(ctx, code)
    if scope is None or (period is None and what != "now"):
        await ctx.answer(ctx.t("errors.stale_button"))
        return
    if not ctx.caller.can_somewhere(Action.VIEW_STATS):  # buttons are checked again here
        await refuse_place(ctx, "stats", await place_name(ctx, scope))
        return
    # Where the view cannot be changed in place (Zalo), each step is a new message below the
    # last: it says only what the step changed, the period's figures, not the whole page again.
    await _show(ctx, scope, period, step=not ctx.channel.supports_buttons)


async def _typed_place(ctx: Ctx, text: str) -> Scope | None:
    communes = await find_communes(ctx, text)
    if len(communes) == 1:
        return Scope(communes[0].province_code, communes[0].code)
    if not communes:
        teams = await ctx.services.read.teams.search(scopes_for(ctx, Action.VIEW_STATS),
                                                            text)
        if len(teams) == 1:
            return team_scope(teams[0])
        if teams:
            names = ", ".join(f"{t.name} ({t.commune_name})" for t in teams)
            await ctx.reply(ctx.t("stats.which_place", names=names,
                                  example=teams[0].commune_name))
            return None
        await ctx.reply(ctx.t("stats.place_not_found", text=text[:60]))
        return None
    await ctx.reply(ctx.t("stats.which_place", names=", ".join(c.name for c in communes),
                          example=communes[0].name))
    return None


async def _show(ctx: Ctx, scope: Scope, chosen: Period | None, *, step: bool = False) -> None:
    name = await place_name(ctx, scope)
    if not ctx.caller.can(Action.VIEW_STATS, scope):
        await refuse_place(ctx, "stats", name)
        return
    today = ctx.today
    lines = [ctx.t("stats.title", place=name)]
    if chosen is None:
        blocks = [("stats.week", periods.this_week(today)),
                  ("stats.month", periods.this_month(today))]
    else:
        blocks = [("steering.stats_period", chosen)]
    found: Completeness | None = None
    teams: list[TeamActivity] = []
    # Both periods of "now" end today or later and no session is dated after today: each
    # team's latest session is read once for the two (5,000 seeks in a province).
    latest = (await ctx.services.read.activity.latest_per_team(scope, today)
              if len(blocks) > 1 else None)
    tallies: dict[int, Tally] = {}
    for key, period in blocks:
        lines.append("")
        block, found, teams, tallies = await _period_lines(ctx, scope, name, key, period,
                                                           today, latest)
        lines += block
    assert found is not None
    if step:
        await ctx.answer("\n".join(lines), buttons=_steps(ctx, scope, chosen, today))
        return
    if found.silent_teams:  # as of the end of the last block: said once
        lines.append(ctx.t("steering.silent_teams_count",
                           count=ctx.services.t.number(ctx.lang, len(found.silent_teams)))
                     if scope.commune is None else
                     completeness_lines(ctx.services.t, ctx.lang, found)[-1])
    main = blocks[-1][1]
    day = min(main.end, today)
    lines.append("")
    lines += await _categories(ctx, main, tallies, chosen is None)
    t = ctx.services.t
    mine = target_lines(t, ctx.lang, await target_progress(ctx.services, scope, ctx.lang,
                                                           day, today))
    below = behind_line(t, ctx.lang, behind(await children_progress(ctx.services, scope,
                                                                    ctx.lang, day, today)))
    if mine or below:
        lines += ["", *mine, *below]
    if scope.commune is None:
        lines.append("")
        lines += await _top_communes(ctx, scope, main, teams, today)
    await ctx.answer("\n".join(lines), buttons=_steps(ctx, scope, chosen, today))


async def _period_lines(ctx: Ctx, scope: Scope, name: str, key: str, period: Period,
                        today: date, latest: Mapping[int, date] | None
                        ) -> tuple[list[str], Completeness, list[TeamActivity],
                                   dict[int, Tally]]:
    """The period's lines, its completeness and teams, and its sums per category (the last
    period's are listed below the blocks)."""
    n = ctx.services.t.number
    # /stats shows teams reporting, members active and silent teams, never the on-time share
    found, teams = await completeness(ctx.services, scope, name, period.start, period.end,
                                       today, on_time=False, latest=latest)
    tallies = await ctx.services.read.tallies.by_category(scope, period.start, period.end)
    total = summed(tallies)
    lines = [
        ctx.t(key, period=period.label(ctx.lang)),
        ctx.t("stats.totals", sessions=n(ctx.lang, total.sessions),
              citizens=n(ctx.lang, total.citizens)),
        *completeness_lines(ctx.services.t, ctx.lang, found)[:2],
    ]
    return lines, found, teams, tallies


async def _categories(ctx: Ctx, period: Period, tallies: dict[int, Tally],
                      current: bool) -> list[str]:
    lines = [ctx.t("stats.by_category") if current else
             ctx.t("steering.by_category_period", period=period.label(ctx.lang))]
    for category in await ctx.services.read.categories.all():
        tally = tallies.get(category.id)
        if tally is None and not category.active:
            continue
        lines.append(ctx.t("stats.category_line", emoji=category.emoji,
                           category=category.label(ctx.lang),
                           citizens=ctx.services.t.number(ctx.lang,
                                                          tally.citizens if tally else 0),
                           sessions=ctx.services.t.number(ctx.lang,
                                                          tally.sessions if tally else 0)))
    return lines


async def _top_communes(ctx: Ctx, scope: Scope, period: Period, teams: list[TeamActivity],
                        today: date) -> list[str]:
    province = scope.province or ctx.services.settings.province_code
    communes = await ctx.services.read.tallies.by_commune(province, period.start, period.end)
    busiest = sorted((c for c in communes if c.citizens), key=lambda c: -c.citizens)
    label = period.label(ctx.lang)
    if not busiest:
        return [ctx.t("steering.no_activity_period", period=label)]
    lines = [ctx.t("steering.top_communes_period", period=label)]
    for place in busiest[:TOP_PLACES]:
        lines.append(ctx.t("stats.place_line", place=place.name,
                           citizens=ctx.services.t.number(ctx.lang, place.citizens)))
    silent = sum(1 for c in communes if c.sessions == 0)
    if silent:
        lines.append(ctx.t("steering.silent_communes_period", period=label,
                           count=ctx.services.t.number(ctx.lang, silent)))
    ranking = ranking_lines(ctx.services.t, ctx.lang,
                            ranked(communes_of(teams, period.end, today, silent=False)),
                            RANKED_PLACES)
    return [*lines, *(["", *ranking] if ranking else [])]


@dataclass(frozen=True)
class Now(Values):
    place: str


@dataclass(frozen=True)
class APeriod(Values):
    period: str
    place: str


NOW = Verb("st", "now", (Field("place", PLACE),), requires=Action.VIEW_STATS, shape=Now)
A_PERIOD = Verb("st", "", (Field("period", PERIOD), Field("place", PLACE)),
                requires=Action.VIEW_STATS, shape=APeriod)


def _steps(ctx: Ctx, scope: Scope, chosen: Period | None,
           today: date) -> tuple[tuple[Button, ...], ...]:
    """Buttons to the neighbouring periods (never into the future), and back to now."""
    code = place_code(scope)
    lang = ctx.lang

    def button(period: Period, key: str) -> Button:
        return Button(ctx.t(key, period=period.label(lang)), A_PERIOD.pack(period.code, code))

    if chosen is None:
        return ((button(periods.last_week(today), "steering.step_back"),
                 button(periods.last_month(today), "steering.step_back")),)
    row: list[Button] = []
    if chosen.kind in ("week", "month"):
        before = (periods.last_week(chosen.start) if chosen.kind == "week"
                  else periods.last_month(chosen.start))
        after = (periods.week_of(chosen.end + timedelta(days=1)) if chosen.kind == "week"
                 else periods.this_month(chosen.end + timedelta(days=1)))
        row.append(button(before, "steering.step_back"))
        if after.start <= today:
            row.append(button(after, "steering.step_forward"))
    buttons = [*grid(row), (Button(ctx.t("steering.step_now"), NOW.pack(code)),)]
    return tuple(buttons)


feature = Feature(
    commands=(Command("stats", stats, requires=Action.VIEW_STATS, members_only=True),),
    buttons=(ButtonRoute("st", pressed, verbs=(NOW, A_PERIOD)),),
)
