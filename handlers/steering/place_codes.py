"""A place as a short code for button data ("p", "c31441", "t12") and back."""

from __future__ import annotations

from bot.core.callback_data import Pattern
from bot.core.permissions import Scope
from handlers.kit.context import Ctx
from handlers.kit.scope import commune_scope, team_scope

#: A place in button data: "p" (the province), "c31441" (a commune), "t12" (a team).
PLACE = Pattern(r"p|c\d{1,10}|t\d{1,12}")
#: A period in button data (bot.core.calendar.Period.code, bot.core.targets.TargetPeriod.code).
PERIOD = Pattern(r"[mwydq]\d{4}(?:-\d{1,2}){0,2}|r\d{8}-\d{8}")


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
        team = await ctx.services.read.teams.get(int(code[1:]))
        return team_scope(team) if team else None
    return None
