"""A small province on real SQLite, the sandbox, and a sender wired to it through a plain Bot
(no PTB rate limiter: the sender's own limits and retries are what is under test). A pytest
plugin (see tests/conftest.py): ask for the ``province`` fixture."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pytest
from telegram import Bot

from bot.app.sender import Sender
from bot.app.services import Services, make_services
from bot.channels.telegram import TelegramPort
from bot.config import load_settings
from bot.core.roles import Role
from bot.sandbox import SandboxServer, SandboxUser
from bot.sandbox.testing import DEFAULT_TOKEN, SandboxMessage
from storage.db import Database
from storage.repos import Repos
from tests.harness.clock import REGISTRY_AGE, FakeClock
from tests.harness.database import add_two_communes

# user id → (name, team, role, commune) ; team "A" is in 31441, team "B" in 31321
PEOPLE: dict[int, tuple[str, str | None, Role | None, str | None]] = {
    101: ("Trần Văn Lực", "A", Role.TEAM_LEADER, None),
    102: ("Nguyễn Thị Mai", "A", None, None),
    103: ("Lê Văn Sơn", "A", None, None),
    104: ("Phạm Thị Hoa", "B", None, None),
    201: ("Võ Minh Tâm", None, Role.COMMUNE_COORDINATOR, "31441"),
    202: ("Đỗ Thị Lan", None, Role.COMMUNE_COORDINATOR, "31321"),
    301: ("Huỳnh Văn Tỉnh", None, Role.PROVINCE_COORDINATOR, "92"),
}
UNLINKED = ("Lý Văn Vắng", "A")   # a member nobody can reach: counted, never a failure


@dataclass
class Province92:
    services: Services
    sandbox: SandboxServer
    clock: FakeClock
    member_ids: dict[int, int]
    team_ids: dict[str, int]
    users: dict[int, SandboxUser] = field(default_factory=dict)

    def sender(self, **overrides: float) -> Sender:
        options: dict[str, float] = {"per_chat_interval": 0.02, "global_rate": 200.0,
                                     "backoff_base": 0.01, "backoff_cap": 0.05,
                                     "poll_interval": 0.05}
        options.update(overrides)
        return Sender(self.services, **options)  # type: ignore[arg-type]

    async def received(self, user_id: int) -> list[SandboxMessage]:
        user = self.users[user_id]
        await user.refresh()
        return [m for m in user.messages if m.from_bot]

    async def log(self, user_id: int, day: date, citizens: int = 2, key: str = "") -> None:
        async with self.services.db.write() as conn:
            repos = Repos(conn)
            member = await repos.members.get(self.member_ids[user_id])
            assert member is not None
            assert member.team_id is not None
            team = await repos.teams.get(member.team_id)
            assert team is not None
            await repos.sessions.add(
                member_id=member.id, team_id=team.id, commune_code=team.commune_code,
                category_id=1, citizens=citizens, session_date=day, note=None, photo_ref=None,
                channel="telegram", idempotency_key=key or f"t:{user_id}:{day}",
                now=self.clock())


@pytest.fixture
async def province(tmp_path: Path, clock: FakeClock) -> AsyncIterator[Province92]:
    settings = load_settings(DATABASE_PATH=str(tmp_path / "s.sqlite3"))
    async with SandboxServer() as sandbox, Database(settings.database_path) as db, \
            Bot(DEFAULT_TOKEN, base_url=sandbox.bot_api_base_url,
                base_file_url=sandbox.file_base_url) as bot:
        services = make_services(settings, db, clock, channels={"telegram": TelegramPort(bot)})
        # The registry existed long before the weeks the tests look at: figures of a past
        # period count the teams and members of that period (the registry's history).
        now = clock() - REGISTRY_AGE
        member_ids: dict[int, int] = {}
        team_ids: dict[str, int] = {}
        async with db.write() as conn:
            repos = Repos(conn)
            await add_two_communes(repos)
            for key, commune, name in (("A", "31441", "Ấp 1"), ("B", "31321", "Khu vực 1")):
                team_ids[key], _ = await repos.teams.upsert(
                    commune_code=commune, name=name, kind="hamlet", former_district=None,
                    former_commune=None, now=now)
            for uid, (name, team, role, scope) in PEOPLE.items():
                mid = await repos.members.create(full_name=name, team_id=team_ids.get(team or ""),
                                                 phone=None, language=None, now=now)
                member_ids[uid] = mid
                await repos.access.link(channel="telegram", external_id=str(uid),
                                        chat_id=str(uid), member_id=mid, now=now)
                if role is not None:
                    await repos.access.grant_role(
                        member_id=mid, role=role, team_id=team_ids.get(team or ""),
                        commune_code=scope, province_code=scope, granted_by=None, now=now)
            await repos.members.create(full_name=UNLINKED[0], team_id=team_ids[UNLINKED[1]],
                                       phone=None, language=None, now=now)
        world = Province92(services, sandbox, clock, member_ids, team_ids)
        for uid, (name, *_rest) in PEOPLE.items():
            world.users[uid] = SandboxUser(sandbox, uid, name, "vi")
            await world.users[uid].send("/start")   # the person has opened the chat
        yield world
