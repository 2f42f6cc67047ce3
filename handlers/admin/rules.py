"""/rules (admin): the plausibility limits a session is checked against when it is saved (the
check: :mod:`handlers.logging.plausibility`; the rules: :mod:`bot.core.plausibility`).

``/rules`` shows the limits in force; ``/rules session 100``, ``/rules session cks 30``,
``/rules day 200``, ``/rules repeat off``, ``/rules burst 5 10``, ``/rules paused on`` change
one, audited, in force from the next session saved.
"""

from __future__ import annotations

from bot.core.permissions import Action
from bot.core.plausibility import (
    RulesInputError,
    parse_change,
)
from handlers.kit.context import Ctx
from handlers.kit.routing import Command, Feature
from storage.repos import Repos

# --- /rules -------------------------------------------------------------------------------------


async def rules_command(ctx: Ctx) -> None:
    if not ctx.args.strip():
        await ctx.reply("\n".join([*await _describe(ctx), "", ctx.t("rules.usage")]))
        return
    categories = await ctx.services.read.categories.all()
    try:
        change = parse_change(ctx.args, [c.code for c in categories])
    except RulesInputError as problem:
        text = ctx.t(f"rules.error_{problem.code}", **problem.params)
        await ctx.reply(text + "\n\n" + ctx.t("rules.usage"))
        return
    by_code = {c.code: c.id for c in categories}
    member = ctx.caller.member
    async with ctx.services.db.write() as conn:
        repos = Repos(conn)
        for rule, code, value in change.rows:
            await repos.plausibility.set_rule(rule, by_code[code] if code else None, value,
                                              by=member.id if member else None, now=ctx.now)
        await repos.audit.record(actor=member.id if member else None, action="rules.set",
                                 target=change.rule.value, now=ctx.now,
                                 values=[list(row) for row in change.rows])
    await ctx.reply("\n".join([ctx.t("rules.done"), *await _describe(ctx)]))


async def _describe(ctx: Ctx) -> list[str]:
    rules = await ctx.services.read.plausibility.rules()
    number = ctx.services.t.number

    def limit(value: int) -> str:
        return number(ctx.lang, value) if value else ctx.t("rules.off")

    def on(flag: bool) -> str:
        return ctx.t("rules.on") if flag else ctx.t("rules.off")

    lines = [ctx.t("rules.title"),
             ctx.t("rules.line_session", limit=limit(rules.session.get(None, 0)))]
    categories = {c.id: c for c in await ctx.services.read.categories.all()}
    for category_id, value in sorted(rules.session.items(), key=lambda kv: kv[0] or 0):
        if category_id is not None and category_id in categories:
            lines.append(ctx.t("rules.line_session_category",
                               category=categories[category_id].label(ctx.lang),
                               code=categories[category_id].code, limit=limit(value)))
    burst = (ctx.t("rules.burst_value", sessions=rules.burst_sessions,
                   minutes=rules.burst_minutes)
             if rules.burst_sessions and rules.burst_minutes else ctx.t("rules.off"))
    lines += [ctx.t("rules.line_day", limit=limit(rules.day)),
              ctx.t("rules.line_repeat", value=on(rules.repeat)),
              ctx.t("rules.line_burst", value=burst),
              ctx.t("rules.line_paused", value=on(rules.paused)),
              "", ctx.t("rules.flagged_not_refused")]
    return lines


feature = Feature(commands=(
    Command("rules", rules_command, requires=Action.MANAGE_RULES, members_only=True),
))
