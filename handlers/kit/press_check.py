"""The one check every button press passes before a feature sees it.

A press is let through only when its data is one of the route's declared verbs with well-formed
values (:mod:`bot.core.callback_data`), the caller holds what the route and the verb
require, and every id in it names something that exists and lies within the caller's scope
for the field's action.
Anything else — unknown, stale, forged, pointing at nothing or at someone else's place — gets the
same short answer, which says nothing about the id; a press beyond the caller's rights is also
written to the audit log. Features still re-check their own steps (defence in depth), but a forged
id never reaches a feature's own refusal, which may name a place.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from enum import Enum
from typing import Literal

from bot.core.callback_data import Press, Ref, unpack
from bot.core.permissions import Scope
from handlers.kit.context import Ctx
from handlers.kit.routing import ButtonRoute
from storage.repos import Repos

log = logging.getLogger(__name__)


class Verdict(Enum):
    STALE = "stale"      # not a declared verb, malformed, or naming nothing (no audit)
    DENIED = "denied"    # beyond the caller's rights (audited)


#: What a resolver says of a value: the place it lies in, True (exists, no place to check), or
#: None (nothing by that id the caller may address).
Found = Scope | Literal[True] | None
Resolver = Callable[[Ctx, object], Awaitable[Found]]


async def check(ctx: Ctx, route: ButtonRoute, data: str) -> Press | Verdict | None:
    """The press, checked; a verdict to refuse it; None for a route that declares no verbs yet
    (let through unchecked, as before — a test requires every route to declare its verbs)."""
    if not route.verbs:
        return None
    press = unpack(route.verbs, data)
    if press is None:
        return Verdict.STALE
    caller = ctx.caller
    if route.members_only and caller.member is None:
        return Verdict.DENIED
    for needed in (route.requires, press.verb.requires):
        if needed is not None and not caller.can_somewhere(needed):
            return Verdict.DENIED
    for spec in press.verb.fields:
        if spec.ref is None or spec.name not in press.values:
            continue
        resolver = RESOLVERS[Ref(spec.ref)]
        found = await resolver(ctx, press.values[spec.name])
        if found is None:
            return Verdict.STALE
        if spec.needs is not None and found is not True and not caller.can(spec.needs, found):
            return Verdict.DENIED
    return press


async def refuse(ctx: Ctx, verdict: Verdict) -> None:
    """The one answer to a press that cannot be used; a denied one is audited."""
    data = ctx.inc.callback_data or ""
    if verdict is Verdict.DENIED:
        async with ctx.services.db.write() as conn:
            await Repos(conn).audit.record(
                actor=ctx.caller.member.id if ctx.caller.member else None, action="denied",
                target=f"button {data.split(':', 1)[0][:16]}", now=ctx.now,
                channel=ctx.inc.channel, user=ctx.inc.user_id, data=data[:64],
            )
    log.info("press refused (%s) on %s", verdict.value, ctx.inc.channel)
    await ctx.reply(ctx.t("errors.stale_button"))


# --- resolvers: what an id names, and where ---------------------------------------------------


async def _team(ctx: Ctx, value: object) -> Found:
    team = await ctx.services.read.teams.get(int(str(value)))
    if team is None or team.province_code != ctx.services.settings.province_code:
        return None
    return Scope(team.province_code, team.commune_code, team.id)


async def _commune(ctx: Ctx, value: object) -> Found:
    province = ctx.services.settings.province_code
    commune = await ctx.services.read.geo.commune(str(value))
    if commune is None or commune.province_code != province:
        return None
    return Scope(province, commune.code)


async def _province(ctx: Ctx, value: object) -> Found:
    province = ctx.services.settings.province_code
    return Scope(province) if str(value) == province else None


async def _area(ctx: Ctx, value: object) -> Found:
    """``-`` (the whole province served) or a commune."""
    if value == "-":
        return Scope(ctx.services.settings.province_code)
    return await _commune(ctx, value)


async def _member(ctx: Ctx, value: object) -> Found:
    member_id = int(str(value))
    read = ctx.services.read
    row = await read.members.person(member_id)
    if row is None or await read.members.is_erased(member_id):
        return None
    if row.team is not None:
        return Scope(row.team.province_code, row.team.commune_code, row.team.id)
    return Scope(ctx.services.settings.province_code)  # people outside teams: province level


async def _export_place(ctx: Ctx, value: object) -> Found:
    """``?`` (ask), ``p`` (the province), ``c<commune>`` or ``t<team>``."""
    text = str(value)
    if text == "?":
        return True
    if text == "p":
        return Scope(ctx.services.settings.province_code)
    if text.startswith("c"):
        return await _commune(ctx, text[1:])
    return await _team(ctx, text[1:])


async def _category(ctx: Ctx, value: object) -> Found:
    category = await ctx.services.read.categories.get(int(str(value)))
    return True if category is not None and category.active else None


async def _own_session(ctx: Ctx, value: object) -> Found:
    member = ctx.caller.member
    session = await ctx.services.read.sessions.get(int(str(value)))
    if member is None or session is None or session.member_id != member.id:
        return None
    return True


async def _flag(ctx: Ctx, value: object) -> Found:
    """A flagged session: its place is where it was logged."""
    flag = await ctx.services.read.plausibility.get(int(str(value)))
    if flag is None:
        return None
    return Scope(ctx.services.settings.province_code, flag.commune_code, flag.team_id)


#: A lookup for every kind of thing a button may name (checked below, at import).
RESOLVERS: dict[Ref, Resolver] = {
    Ref.TEAM: _team,
    Ref.COMMUNE: _commune,
    Ref.PROVINCE: _province,
    Ref.AREA: _area,
    Ref.MEMBER: _member,
    Ref.EXPORT_PLACE: _export_place,
    Ref.CATEGORY: _category,
    Ref.OWN_SESSION: _own_session,
    Ref.FLAG: _flag,
}
if set(RESOLVERS) != set(Ref):
    raise RuntimeError(f"no resolver for {set(Ref) - set(RESOLVERS)}")
