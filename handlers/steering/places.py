"""Place names of the bot's own province for the examples in help texts.

A help text that says "/digest last Vị Thủy" only helps in Cần Thơ: the example is the caller's
own commune, else a commune of the configured province that has teams, else its first commune.
"""

from __future__ import annotations

from bot.core.registry.geo import official_communes, split_prefix
from handlers.kit.context import Ctx


async def example_commune(ctx: Ctx) -> str:
    """A commune name as one would type it after a command: "Vị Thủy", "Sài Gòn"."""
    read = ctx.services.read
    code = ctx.caller.team.commune_code if ctx.caller.team is not None else None
    for grant in ctx.caller.grants:
        code = code or grant.scope.commune
    if code is not None and (mine := await read.geo.commune(code)) is not None:
        return split_prefix(mine.name)[1]
    province = ctx.services.settings.province_code
    with_teams = await read.geo.communes_with_teams(province)
    name = with_teams[0].name if with_teams else official_communes(province)[0].name
    return split_prefix(name)[1]
