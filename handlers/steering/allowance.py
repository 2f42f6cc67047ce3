"""/allowance (admin): the rule the province pays its teams by, printed on every allowance sheet.

``/allowance`` shows the rule in force this month; ``/allowance team 600000`` (Hà Tĩnh),
``/allowance member 60000 day 150000`` (Bình Dương), ``/allowance team 300000 day 50000 cap
300000`` (Đà Nẵng) set it from this month on — or from an earlier month: ``/allowance from
2026-10 …``. ``/allowance off`` stops it. What is typed is the whole rule; the answer repeats it
in words with a worked example, and the change is audited. Earlier months keep their rule.
"""

from __future__ import annotations

from bot.core import calendar as periods
from bot.core.allowance import AllowanceInputError, AllowanceRule, parse_rule, team_amount
from bot.core.permissions import Action
from bot.core.text import fold
from handlers.kit.context import Ctx
from handlers.kit.routing import Command, Feature
from handlers.render.steering_sheets import rule_lines
from storage.repos import Repos

#: The worked example's team: three members, on duty 4, 2 and 0 days.
EXAMPLE_DAYS = (4, 2, 0)
_FROM = {"tu", "from", "tu thang", "ap dung tu"}


def money(ctx: Ctx, dong: int) -> str:
    """An amount in đồng as the reader writes numbers ("1.234.567 đ"); approvals show it too."""
    return ctx.t("allowance.dong", amount=ctx.services.t.number(ctx.lang, dong))


def _describe(ctx: Ctx, rule: AllowanceRule) -> list[str]:
    lines = [f"• {line}" for line in rule_lines(ctx.t, lambda d: money(ctx, d), rule)]
    example = team_amount(rule, EXAMPLE_DAYS)
    lines.append(ctx.t("allowance.example", total=money(ctx, example.total),
                       members=", ".join(money(ctx, m.total) for m in example.members),
                       team_part=money(ctx, example.team_part)))
    return lines


async def allowance(ctx: Ctx) -> None:
    today = ctx.today
    words = ctx.args.split()
    if not words:
        await _show(ctx)
        return
    for size in (2, 1):  # "từ", "from", "áp dụng từ": the month comes next
        if len(words) > size and fold(" ".join(words[:size])) in _FROM:
            words = words[size:]
            break
    start, rest = periods.split_period(" ".join(words), today)
    if start is not None and start.kind != "month":
        await ctx.reply(ctx.t("allowance.error_bad_month") + "\n\n" + ctx.t("allowance.usage"))
        return
    month = start.start if start is not None else today.replace(day=1)
    try:
        rule = parse_rule(rest)
    except AllowanceInputError as problem:
        await ctx.reply(ctx.t(f"allowance.error_{problem.code}", **ctx.numbers(problem.params))
                        + "\n\n" + ctx.t("allowance.usage"))
        return
    member = ctx.caller.member
    async with ctx.services.db.write() as conn:
        repos = Repos(conn)
        await repos.allowance.add(from_month=month, rule=rule,
                                  by=member.id if member else None, now=ctx.now)
        await repos.audit.record(actor=member.id if member else None, action="allowance.set",
                                 target=f"{month:%Y-%m}", now=ctx.now, per_team=rule.per_team,
                                 per_member=rule.per_member, per_day=rule.per_day,
                                 cap=rule.cap)
    label = periods.month(month.year, month.month).label(ctx.lang)
    if rule.empty:
        await ctx.reply(ctx.t("allowance.off", month=label))
        return
    await ctx.reply("\n".join([ctx.t("allowance.set", month=label), *_describe(ctx, rule),
                               "", ctx.t("allowance.on_the_sheet")]))


async def _show(ctx: Ctx) -> None:
    today = ctx.today
    stored = await ctx.services.read.allowance.for_month(today)
    if stored is None:
        await ctx.reply(ctx.t("allowance.none") + "\n\n" + ctx.t("allowance.usage"))
        return
    lines = [ctx.t("allowance.current", month=periods.month(
        stored.from_month.year, stored.from_month.month).label(ctx.lang),
        who=stored.set_by_name or ctx.t("audit.system")), *_describe(ctx, stored.rule),
        "", ctx.t("allowance.usage")]
    await ctx.reply("\n".join(lines))


feature = Feature(commands=(
    Command("allowance", allowance, requires=Action.MANAGE_ALLOWANCE, members_only=True),
))
