"""The no-token demo: the demo province loaded once, and ready-made people to chat as.

Six notable people of the generated registry (admin, province and commune coordinators, a team
leader and two of their members) are linked to fixed sandbox user ids, so the chat page can
offer them straight away; a newcomer persona can try joining with a standing demo invitation.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.app.services import Services
from bot.core.models import Channel, Invitation
from bot.core.registry.demo import DemoRegistry, demo_xlsx_bytes, generate_demo_registry
from bot.core.registry.validate import plan_from_file
from bot.core.roles import Role
from bot.sandbox.people import Persona
from bot.sandbox.server import SandboxServer
from bot.sandbox.zalo_state import zalo_user_id
from storage.registry_import import import_plan
from storage.repos import Repos

log = logging.getLogger(__name__)

PERSONA_IDS = {
    "admin": 9001,
    "province_coordinator": 9002,
    "commune_coordinator": 9003,
    "team_leader": 9004,
    "member_1": 9005,
    "member_2": 9006,
}
NEWCOMER_ID = 9100
#: A standing invitation to the demo team leader's team, for the newcomer persona.
DEMO_INVITE_CODE = "HGDEMXA2"


@dataclass
class DemoPeople:
    registry: DemoRegistry
    personas: list[Persona]

    async def provider(self) -> list[Persona]:
        return self.personas

    def introduce_to(self, sandbox: SandboxServer) -> None:
        """The linked personas have used the bot before, so the bot may write to them first
        (a digest, a reminder, a broadcast); the newcomer has not."""
        for persona in self.personas:
            if persona.user_id != NEWCOMER_ID:
                sandbox.add_person(persona.user_id, persona.first_name, persona.language_code)


#: How long ago the demo's teams and members were registered.
DEMO_REGISTRY_AGE = timedelta(days=365)


async def load_demo_province(services: Services,
                             registry: DemoRegistry | None = None) -> DemoRegistry:
    """Import the demo registry of the configured province unless the database already has
    teams (first run only)."""
    province = services.settings.province_code
    if registry is None:
        registry = generate_demo_registry(province_code=province)
    if await services.read.teams.count() == 0:
        plan = plan_from_file(demo_xlsx_bytes(registry=registry), "demo-province.xlsx", province)
        # The demo stands for an established province: its registry predates the weeks of
        # sample activity, so past figures (which use the registry as it was) count it.
        summary = await import_plan(services.db, plan, province_code=province,
                                    now=services.clock() - DEMO_REGISTRY_AGE,
                                    source="demo-province.xlsx")
        log.info("demo province loaded: %d teams, %d members", summary.teams_new,
                 summary.members_new)
    return registry


async def prepare_demo(services: Services, registry: DemoRegistry | None = None) -> DemoPeople:
    """The demo province loaded (``registry``, or the configured province's demo), personas
    linked, a few weeks of activity."""
    registry = await load_demo_province(services, registry)
    now = services.clock()
    async with services.db.write() as conn:
        repos = Repos(conn)
        for key, person in registry.personas.items():
            member = await repos.members.by_phone(person.phone) if person.phone else None
            if member is None:
                continue
            # The same person on both channels, so the page can switch between them.
            linked = {i.channel for i in await repos.access.identities_of(member.id)}
            ids: tuple[tuple[Channel, str], ...] = (
                ("telegram", str(PERSONA_IDS[key])), ("zalo", zalo_user_id(PERSONA_IDS[key])))
            for channel, user_id in ids:
                if channel not in linked and not await repos.access.identity(channel, user_id):
                    await repos.access.link(channel=channel, external_id=user_id,
                                            chat_id=user_id, member_id=member.id, now=now)
        await _ensure_demo_invitation(repos, registry, now)
    if not await services.read.sessions.any_logged():
        from bot.app.demo_activity import seed_demo_activity  # weeks of activity for the digests

        await seed_demo_activity(services)
    return DemoPeople(registry, _personas(services, registry))


async def _ensure_demo_invitation(repos: Repos, registry: DemoRegistry, now: datetime) -> None:
    if await repos.invitations.get(DEMO_INVITE_CODE) is not None:
        return
    leader = registry.team_leader
    team = await repos.teams.find(leader.commune_code, leader.team_name)
    if team is None:
        return
    await repos.invitations.create(Invitation(
        code=DEMO_INVITE_CODE, role=Role.MEMBER, team_id=team.id,
        commune_code=team.commune_code, province_code=team.province_code, member_id=None,
        max_uses=None, uses=0, expires_at=now + timedelta(days=3650), created_by=None,
        created_at=now, revoked_at=None,
    ))


def _personas(services: Services, registry: DemoRegistry) -> list[Persona]:
    t, lang = services.t, services.settings.default_language
    personas = []
    for key, person in registry.personas.items():
        personas.append(Persona(
            # Vietnamese names read family name first; Telegram would show first + last.
            user_id=PERSONA_IDS[key], first_name=person.full_name,
            language_code=person.language or lang,
            role_label=t(lang, f"role.{person.role.value}"),
            description=f"{person.team_name}, {person.commune_name}" if person.team_name
            else person.commune_name,
        ))
    personas.append(Persona(
        user_id=NEWCOMER_ID, first_name=t(lang, "demo.visitor_label"), language_code=lang,
        role_label=t(lang, "demo.visitor_label"),
        description=t(lang, "demo.visitor_description", code=DEMO_INVITE_CODE),
    ))
    return personas
