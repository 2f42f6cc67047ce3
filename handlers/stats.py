"""/stats: the key numbers for the caller's place, this week and this month.

A commune coordinator sees their commune; a province coordinator or admin the whole province
(with the communes that helped most), or ``/stats <commune or team>`` for one place.
"""

from __future__ import annotations

from bot import periods
from bot.periods import Period
from bot.permissions import Action, Scope
from handlers.admin_scope import (
    find_communes,
    local_today,
    place_name,
    refuse_place,
    scopes_for,
    team_scope,
)
from handlers.context import Ctx
from handlers.routing import Command, Feature
from storage.repos.activity import ActiveCounts, Tally, summed

TOP_PLACES = 5


async def stats(ctx: Ctx) -> None:
    scope: Scope | None
    if ctx.args.strip():
        scope = await _typed_place(ctx, ctx.args.strip())
        if scope is None:
            return
    else:
        scope = scopes_for(ctx, Action.VIEW_STATS)[0]
    name = await place_name(ctx, scope)
    if not ctx.caller.can(Action.VIEW_STATS, scope):
        await refuse_place(ctx, "stats", name)
        return
    today = local_today(ctx)
    read = ctx.services.read
    week, month = periods.this_week(today), periods.this_month(today)
    # Each figure read once: this month's categories give its total too; the active members
    # and teams of both periods come from one pass over the place's registry.
    month_tallies = await read.activity.by_category(scope, month.start, month.end)
    counts = await read.activity.active_counts_many(
        scope, [(week.start, week.end), (month.start, month.end)])
    lines = [ctx.t("stats.title", place=name)]
    for key, period, total, count in (
            ("stats.week", week, await read.activity.total(scope, week.start, week.end),
             counts[0]),
            ("stats.month", month, summed(month_tallies), counts[1])):
        lines.append("")
        lines += _period_lines(ctx, key, period, total, count)
    lines.append("")
    lines += await _categories(ctx, month_tallies)
    if scope.commune is None:
        lines.append("")
        lines += await _top_communes(ctx, scope, month)
    await ctx.reply("\n".join(lines))


async def _typed_place(ctx: Ctx, text: str) -> Scope | None:
    communes = await find_communes(ctx, text)
    if len(communes) == 1:
        return Scope(communes[0].province_code, communes[0].code)
    if not communes:
        teams = await ctx.services.read.people.search_teams(scopes_for(ctx, Action.VIEW_STATS),
                                                            text)
        if len(teams) == 1:
            return team_scope(teams[0])
        if teams:
            names = ", ".join(f"{t.name} ({t.commune_name})" for t in teams)
            await ctx.reply(ctx.t("stats.which_place", names=names))
            return None
        await ctx.reply(ctx.t("export.place_not_found", text=text[:60]))
        return None
    await ctx.reply(ctx.t("stats.which_place", names=", ".join(c.name for c in communes)))
    return None


def _period_lines(ctx: Ctx, key: str, period: Period, total: Tally,
                  counts: ActiveCounts) -> list[str]:
    n = ctx.services.t.number
    return [
        ctx.t(key, period=period.label(ctx.lang)),
        ctx.t("stats.totals", sessions=n(ctx.lang, total.sessions),
              citizens=n(ctx.lang, total.citizens)),
        ctx.t("stats.active_members", active=n(ctx.lang, counts.active_members),
              total=n(ctx.lang, counts.members)),
        ctx.t("stats.active_teams", active=n(ctx.lang, counts.active_teams),
              total=n(ctx.lang, counts.teams)),
    ]


async def _categories(ctx: Ctx, tallies: dict[int, Tally]) -> list[str]:
    lines = [ctx.t("stats.by_category")]
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


async def _top_communes(ctx: Ctx, scope: Scope, period: Period) -> list[str]:
    province = scope.province or ctx.services.settings.province_code
    communes = await ctx.services.read.activity.by_commune(province, period.start, period.end)
    ranked = sorted((c for c in communes if c.citizens), key=lambda c: -c.citizens)
    if not ranked:
        return [ctx.t("stats.no_activity_yet")]
    lines = [ctx.t("stats.top_communes")]
    for place in ranked[:TOP_PLACES]:
        lines.append(ctx.t("stats.place_line", place=place.name,
                           citizens=ctx.services.t.number(ctx.lang, place.citizens)))
    silent = sum(1 for c in communes if c.sessions == 0)
    if silent:
        lines.append(ctx.t("stats.silent_communes", count=ctx.services.t.number(ctx.lang,
                                                                                silent)))
    return lines


feature = Feature(
    commands=(Command("stats", stats, requires=Action.VIEW_STATS, members_only=True),),
)
