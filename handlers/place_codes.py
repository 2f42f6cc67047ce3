"""A place as a short code for button data ("p", "c31441", "t12") and back."""

from __future__ import annotations

from bot.permissions import Scope
from handlers.admin_scope import commune_scope, team_scope
from handlers.context import Ctx


def place_code(scope: Scope) -> str:
    if scope.team is not None:
        return f"t{scope.team}"
    if scope.commune is not None:
        return f"c{scope.commune}"
    return "p"


async def place_from_code(ctx: Ctx, code: str) -> Scope | None:
    """The place a code names (None for anything malformed or gone)."""
    if code == "p":
        return Scope(ctx.services.settings.province_code)
    if code.startswith("c") and code[1:].isdigit():
        return commune_scope(ctx, code[1:])
    if code.startswith("t") and code[1:].isdigit():
        team = await ctx.services.read.people.team(int(code[1:]))
        return team_scope(team) if team else None
    return None
