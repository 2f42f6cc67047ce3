"""Who is asking: the member behind a chat identity, their team, grants and language."""

from __future__ import annotations

import logging

from bot.core.chat import Incoming
from bot.core.models import Member, RoleGrant, Team
from bot.core.permissions import Grant, Scope
from bot.core.roles import Role
from handlers.kit.context import Caller, Services
from storage.repos import Repos

log = logging.getLogger(__name__)


async def grants_of(repos: Repos, member: Member, team: Team | None,
                    rows: list[RoleGrant] | None = None) -> tuple[Grant, ...]:
    """The member's grants: a member of their team, and their roles (``rows``: already read)."""
    grants: list[Grant] = []
    if team is not None:
        grants.append(Grant(Role.MEMBER, Scope(team.province_code, team.commune_code, team.id)))
    for row in rows if rows is not None else await repos.access.grants_of(member.id):
        scope = await _scope_of(repos, row)
        if scope is not None:
            grants.append(Grant(row.role, scope))
    return tuple(grants)


async def _scope_of(repos: Repos, row: RoleGrant) -> Scope | None:
    if row.scope_kind == "all":
        return Scope.everywhere()
    if row.scope_kind == "province":
        return Scope(province=row.scope_id)
    if row.scope_kind == "commune":
        commune = await repos.geo.commune(row.scope_id)
        return Scope(commune.province_code, commune.code) if commune else None
    team = await repos.teams.get(int(row.scope_id))
    return Scope(team.province_code, team.commune_code, team.id) if team else None


async def resolve_caller(services: Services, inc: Incoming) -> Caller:
    repos = services.quick
    if _is_configured_admin(services, inc):
        await _ensure_configured_admin(services, inc)
    found = await repos.members.caller(inc.channel, inc.user_id)
    if found is None or not found[0].active:
        chosen = await repos.chats.visitor_language(inc.channel, inc.user_id)
        return Caller(lang=chosen or services.settings.default_language)
    member, team, rows = found
    return Caller(
        lang=member.language or services.settings.default_language,
        member=member,
        team=team,
        grants=await grants_of(repos, member, team, rows),
    )


async def load_caller(services: Services, member: Member, lang_default: str) -> Caller:
    """A caller for a known member (after joining, or to address someone else)."""
    repos = services.read
    team = await repos.teams.get(member.team_id) if member.team_id else None
    return Caller(lang=member.language or lang_default, member=member, team=team,
                  grants=await grants_of(repos, member, team))


def _is_configured_admin(services: Services, inc: Incoming) -> bool:
    settings = services.settings
    if inc.channel == "telegram":
        return inc.user_id.isdigit() and int(inc.user_id) in settings.admin_telegram_ids
    return inc.user_id in settings.admin_zalo_ids


async def _ensure_configured_admin(services: Services, inc: Incoming) -> None:
    """The admins named in the configuration need no invitation: the first contact makes them."""
    now = services.clock()
    async with services.db.write() as conn:
        repos = Repos(conn)
        member = await repos.members.by_identity(inc.channel, inc.user_id)
        if member is None:
            member_id = await repos.members.create(
                full_name=inc.display_name or f"Admin {inc.user_id}", team_id=None, phone=None,
                language=None, now=now,
            )
            await repos.access.link(channel=inc.channel, external_id=inc.user_id,
                                    chat_id=inc.chat_id, member_id=member_id, now=now)
        else:
            member_id = member.id
        if await repos.access.grant(member_id=member_id, role=Role.ADMIN, scope_kind="all",
                                    scope_id="*", granted_by=None, now=now):
            await repos.audit.record(actor=member_id, action="admin.bootstrap",
                                     target=f"member:{member_id}", now=now)
            log.info("configured admin %s:%s is member %d", inc.channel, inc.user_id, member_id)
