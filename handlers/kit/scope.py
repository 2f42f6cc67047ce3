"""Where a coordinator or admin may act, and the polite refusal when they ask for elsewhere.

The dispatcher already refuses a command nobody of the caller's role may use; these helpers
handle the second question — *this* commune or team — with the same permission table, and
write every refusal to the audit log.
"""

from __future__ import annotations

from bot.core.chat import Button
from bot.core.models import Commune, Team
from bot.core.permissions import PERMISSIONS, Action, Scope
from bot.core.roles import Role
from bot.core.text import fold
from handlers.kit.context import Caller, Ctx, Services
from handlers.kit.refusals import audit_refusal


def scopes_for(ctx: Ctx, action: Action) -> list[Scope]:
    """The places the caller may do ``action`` in; "everywhere" is this bot's province."""
    return widest_scopes(ctx.caller, ctx.services.settings.province_code, action)


def widest_scopes(caller: Caller, province: str, action: Action) -> list[Scope]:
    """The places ``caller`` may do ``action`` in, in the order of their grants; "everywhere"
    is ``province``. The chat and the web dashboard (which has no chat context) both ask this."""
    scopes: list[Scope] = []
    for grant in caller.grants:
        if action not in PERMISSIONS[grant.role]:
            continue
        scope = grant.scope if grant.scope.province is not None else Scope(province)
        if scope not in scopes:
            scopes.append(scope)
    # A wider scope makes the narrower ones inside it redundant.
    return [s for s in scopes if not any(o != s and o.contains(s) for o in scopes)]


def province_wide(ctx: Ctx, action: Action) -> bool:
    return ctx.caller.can(action, Scope(ctx.services.settings.province_code))


def team_scope(team: Team) -> Scope:
    return Scope(team.province_code, team.commune_code, team.id)


def commune_scope(ctx: Ctx, commune_code: str) -> Scope:
    return Scope(ctx.services.settings.province_code, commune_code)


async def place_name(ctx: Ctx, scope: Scope) -> str:
    return await name_of_place(ctx.services, ctx.lang, scope)


async def name_of_place(services: Services, lang: str, scope: Scope, *,
                        gone: str | None = None) -> str:
    """A team's, commune's or the province's name; a team or commune gone since is ``gone``
    (by default its id, which a coordinator can still look up)."""
    read = services.read
    if scope.team is not None:
        team = await read.teams.get(scope.team)
        return f"{team.name}, {team.commune_name}" if team else gone or str(scope.team)
    if scope.commune is not None:
        commune = await read.geo.commune(scope.commune)
        return commune.name if commune else gone or scope.commune
    province = await read.geo.province(scope.province or services.settings.province_code)
    return province.name if province else services.t(lang, "admin.whole_province")


async def refuse_place(ctx: Ctx, command: str, place: str, *,
                       who: Role = Role.COMMUNE_COORDINATOR) -> None:
    """Not here: say whose business it is, and log the attempt."""
    await audit_refusal(ctx, f"/{command} {place}")
    await ctx.answer(ctx.t("admin.not_your_place", place=place,
                           role=ctx.t(f"role.{who.value}")))


async def find_communes(ctx: Ctx, text: str) -> list[Commune]:
    """Communes of the province (with teams) whose name contains ``text``, any diacritics.

    "Vị Thủy", "vi thuy" and "xa vi thuy" all find Xã Vị Thủy; an exact name wins outright.
    """
    wanted = fold(text)
    if not wanted:
        return []
    communes = await ctx.services.read.geo.communes_with_teams(ctx.services.settings.province_code)
    exact = [c for c in communes if fold(c.name) == wanted or _bare(c.name) == wanted]
    return exact or [c for c in communes if wanted in fold(c.name)]


def _bare(name: str) -> str:
    folded = fold(name)
    for prefix in ("xa ", "phuong ", "dac khu ", "thi tran "):
        if folded.startswith(prefix):
            return folded[len(prefix):]
    return folded


def grid(buttons: list[Button], per_row: int = 2) -> tuple[tuple[Button, ...], ...]:
    return tuple(tuple(buttons[i:i + per_row]) for i in range(0, len(buttons), per_row))
