"""/web: a one-time link that opens the coordinators' web dashboard in a browser.

Team leaders and above get a link (256 random bits, only its hash stored, one use, valid
:data:`~bot.core.web_access.LINK_TTL`) to the bot's own web server — its public address
(``WEB_BASE_URL``), or the sandbox's in the demo; the page it opens keeps a browser session
(see ``bot.app.web.dashboard``). Nothing to remember, nothing typed: the chat is the login.
"""

from __future__ import annotations

from bot.core.web_access import LINK_TTL, OPEN_DASHBOARD
from handlers.kit.context import Ctx
from handlers.kit.routing import Command, Feature
from storage.file_links import new_token, token_hash
from storage.repos import Repos

LOGIN_PATH = "/web/login/"


def login_url(base_url: str, token: str) -> str:
    return f"{base_url.rstrip('/')}{LOGIN_PATH}{token}"


async def web(ctx: Ctx) -> None:
    member = ctx.caller.member
    links = ctx.services.links
    base_url = links.base_url if links is not None else None
    if member is None or base_url is None:  # no web address: nothing a link could open
        await ctx.reply(ctx.t("web.unavailable"))
        return
    token = new_token()
    now = ctx.now
    expires = now + LINK_TTL
    async with ctx.services.db.write() as conn:
        await Repos(conn).web.add_link(token_hash(token), member.id, now, expires)
    local = expires.astimezone(ctx.services.settings.tz)
    await ctx.reply(ctx.t("web.link", url=login_url(base_url, token),
                          until=ctx.services.t.datetime(ctx.lang, local),
                          minutes=int(LINK_TTL.total_seconds() // 60)))


feature = Feature(
    commands=(Command("web", web, requires=OPEN_DASHBOARD, members_only=True),),
)
