"""/target (admin, province coordinator): how many citizens a place should help, and progress.

``/target`` lists this month's and this quarter's targets in the caller's area with their
progress; ``/target quý 4`` lists a period's. ``/target [period] [place] <category> <number>``
sets one — ``/target Vị Thủy cks 200`` (this month), ``/target quý này Ấp 1 Vị Thủy vneid 90``,
``/target tong 5000`` (the province, all categories) — and ``… <category> xoa`` removes it.
A place matching several teams is picked with buttons. Every change is checked against the
permission table, audited, and answered with the target's progress so far.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.callback_data import Field, Pattern, Values, Verb
from bot.core.chat import Button
from bot.core.models import Team
from bot.core.permissions import Action, Scope
from bot.core.roles import Role
from bot.core.steering_text import target_lines
from bot.core.targets import (
    TargetChange,
    TargetInputError,
    TargetPeriod,
    from_code,
    month_of,
    parse_target_change,
    parse_target_period,
    quarter_of,
)
from bot.core.text import fold
from handlers.kit.context import Ctx
from handlers.kit.routing import ButtonRoute, Command, Feature, press_of
from handlers.kit.scope import (
    find_communes,
    place_name,
    refuse_place,
    scopes_for,
    team_scope,
)
from handlers.steering.figures import progress_of, scope_key, target_scope
from handlers.steering.place_codes import PERIOD, PLACE, place_from_code
from storage.repos import Repos
from storage.repos.targets import Target

#: A list longer than this is cut (the registry import's targets sheet holds any number).
LIST_LIMIT = 40
_PROVINCE_WORDS = {"tinh", "toan tinh", "province", "thanh pho", "toan thanh pho", "tp"}


@dataclass(frozen=True)
class PlacePicked(Values):
    period: str
    #: A category id, or "a": all.
    category: str
    #: The citizens aimed at, or "x": remove the target.
    value: str
    place: str


#: "tg:<period>:<category id | a>:<citizens | x>:<place>" — the place picked for a /target.
PLACE_PICKED = Verb("tg", "", (Field("period", PERIOD), Field("category", Pattern(r"a|\d{1,9}")),
                              Field("value", Pattern(r"x|\d{1,9}")), Field("place", PLACE)),
                    requires=Action.SET_TARGETS, shape=PlacePicked)

async def target(ctx: Ctx) -> None:
    today = ctx.today
    text = ctx.args.strip()
    if not text:
        await _list(ctx, [month_of(today), quarter_of(today)])
        return
    period = parse_target_period(text, today)
    if period is not None:
        await _list(ctx, [period])
        return
    try:
        change = parse_target_change(text, today, await _category_words(ctx))
    except TargetInputError as problem:
        await ctx.reply(ctx.t(f"target.error_{problem.code}", **ctx.numbers(problem.params))
                        + "\n\n" + ctx.t("target.usage"))
        return
    scope = await _place(ctx, change)
    if scope is not None:
        await _set(ctx, change, scope)


async def pressed(ctx: Ctx) -> None:
    """``tg:<period code>:<category id or a>:<number or x>:<place code>`` (a place picked)."""
    press = press_of(ctx)
    picked = PlacePicked.of(press)
    category, value = picked.category, picked.value
    period = from_code(picked.period)
    scope = await place_from_code(ctx, picked.place) if period is not None else None
    if period is None or scope is None:
        await ctx.answer(ctx.t("errors.stale_button"))
        return
    change = TargetChange(period=period, place="", value=None if value == "x" else int(value),
                          category=None if category == "a" else int(category))
    await _set(ctx, change, scope)


async def _category_words(ctx: Ctx) -> dict[str, int]:
    """Folded code, aliases and labels → category id (active categories win a shared word)."""
    found: dict[str, int] = {}
    categories = await ctx.services.read.categories.all()
    for category in sorted(categories, key=lambda c: not c.active):
        for phrase in (category.code, *category.aliases, category.label_vi, category.label_en):
            found.setdefault(fold(phrase), category.id)
    return found


async def _place(ctx: Ctx, change: TargetChange) -> Scope | None:
    """The place the words name, within the caller's area; None once answered instead."""
    text = change.place
    if not text or fold(text) in _PROVINCE_WORDS:
        return scopes_for(ctx, Action.SET_TARGETS)[0]
    communes = await find_communes(ctx, text)
    if len(communes) == 1:
        return Scope(communes[0].province_code, communes[0].code)
    teams = await ctx.services.read.teams.search(scopes_for(ctx, Action.SET_TARGETS),
                                                        text)
    if len(teams) != 1:
        teams = await _team_then_commune(ctx, text.split()) or teams
    if len(teams) == 1:
        return team_scope(teams[0])
    fields = (change.period.code, str(change.category or "a"),
              str(change.value) if change.value is not None else "x")
    if teams or communes:
        buttons = [Button(f"{t.name} – {t.commune_name}", PLACE_PICKED.pack(*fields, f"t{t.id}"))
                   for t in teams]
        buttons += [Button(c.name, PLACE_PICKED.pack(*fields, f"c{c.code}")) for c in communes]
        await ctx.reply(ctx.t("target.which_place"),
                        buttons=tuple((b,) for b in buttons[:12]))
        return None
    await ctx.reply(ctx.t("target.place_not_found", text=text[:60]))
    return None


async def _team_then_commune(ctx: Ctx, words: list[str]) -> list[Team]:
    """"Ấp 1 Vị Thủy": a team's name followed by its commune's; [] if the words are not that."""
    for cut in range(len(words) - 1, 0, -1):
        within = await find_communes(ctx, " ".join(words[cut:]))
        if len(within) == 1:
            found = await ctx.services.read.teams.search(
                [Scope(within[0].province_code, within[0].code)], " ".join(words[:cut]))
            if len(found) == 1:
                return found
    return []


async def _set(ctx: Ctx, change: TargetChange, scope: Scope) -> None:
    name = await place_name(ctx, scope)
    if not ctx.caller.can(Action.SET_TARGETS, scope):
        await refuse_place(ctx, "target", name, who=Role.PROVINCE_COORDINATOR)
        return
    kind, key = scope_key(scope, ctx.services.settings.province_code)
    category = (await ctx.services.read.categories.get(change.category)
                if change.category is not None else None)
    if change.category is not None and category is None:
        await ctx.answer(ctx.t("errors.stale_button"))
        return
    member = ctx.caller.member
    async with ctx.services.db.write() as conn:
        repos = Repos(conn)
        previous = await repos.targets.set(
            scope_kind=kind, scope_id=key, category_id=change.category, period=change.period,
            citizens=change.value, by=member.id if member else None, now=ctx.now)
        await repos.audit.record(
            actor=member.id if member else None,
            action="target.set" if change.value is not None else "target.remove",
            target=name, now=ctx.now, period=change.period.code,
            category=category.code if category else "*", citizens=change.value,
            previous=previous)
    label = (f"{category.emoji} {category.label(ctx.lang)}".strip() if category
             else ctx.t("steering.all_categories"))
    n = ctx.services.t.number
    if change.value is None:
        await ctx.answer(ctx.t("target.removed" if previous else "target.nothing_to_remove",
                               place=name, category=label,
                               period=change.period.label(ctx.lang)))
        return
    lines = [ctx.t("target.set", place=name, category=label, period=change.period.label(ctx.lang),
                   value=n(ctx.lang, change.value))]
    if previous is not None and previous != change.value:
        lines.append(ctx.t("target.was", previous=n(ctx.lang, previous)))
    mine = [t for t in await ctx.services.read.targets.in_period(change.period)
            if (t.scope_kind, t.scope_id, t.category_id) == (kind, key, change.category)]
    lines += await _progress_lines(ctx, mine, change.period, with_place=False)
    await ctx.answer("\n".join(lines))


async def _progress_lines(ctx: Ctx, targets: list[Target], period: TargetPeriod, *,
                          with_place: bool) -> list[str]:
    today = ctx.today
    day = min(period.end, today)
    found = await progress_of(ctx.services, targets, ctx.lang, day, today)
    return target_lines(ctx.services.t, ctx.lang, found, with_place=with_place)


async def _list(ctx: Ctx, wanted: list[TargetPeriod]) -> None:
    read = ctx.services.read
    province = ctx.services.settings.province_code
    mine: list[Target] = []
    for period in wanted:
        mine += [t for t in await read.targets.in_period(period)
                 if ctx.caller.can(Action.SET_TARGETS, target_scope(t, province))]
    labels = ", ".join(p.label(ctx.lang) for p in wanted)
    if not mine:
        await ctx.reply(ctx.t("target.none", periods=labels) + "\n\n" + ctx.t("target.usage"))
        return
    shown = mine[:LIST_LIMIT]
    lines = [ctx.t("target.list_title", periods=labels)]
    lines += (await _progress_lines(ctx, shown, wanted[0], with_place=True))[1:]
    if len(mine) > len(shown):
        lines.append(ctx.t("digest.and_more", count=ctx.services.t.number(
            ctx.lang, len(mine) - len(shown))))
    lines += ["", ctx.t("target.usage")]
    await ctx.reply("\n".join(lines))


feature = Feature(
    commands=(Command("target", target, requires=Action.SET_TARGETS, members_only=True),),
    buttons=(ButtonRoute("tg", pressed, verbs=(PLACE_PICKED,)),),
)
