"""A small hand-built province on real SQLite: two communes, a few teams, named people. A pytest
plugin (see tests/conftest.py): ask for the ``small`` fixture."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest

from storage.db import Database
from storage.repos import Repos
from tests.harness.clock import REGISTRY_AGE, FakeClock
from tests.harness.database import add_two_communes

# team key → (commune code, team name, members)
TEAMS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "a10": ("31441", "Ấp 10", ("Lê Văn An", "Trần Thị Bình")),
    "a2": ("31441", "Ấp 2", ("Nguyễn Văn Cường", "Phạm Thị Dung", "Võ Văn Em")),
    "a3": ("31441", "Ấp 3", ()),                       # nobody yet: not expected to report
    "kv1": ("31321", "Khu vực 1", ("Đỗ Thị Giang",)),
}


@dataclass
class Small:
    db: Database
    clock: FakeClock
    teams: dict[str, int]
    people: dict[str, int]          # full name → member id

    async def log(self, name: str, day: date, citizens: int, category: int = 1,
                  team: str | None = None) -> None:
        async with self.db.write() as conn:
            repos = Repos(conn)
            member = await repos.members.get(self.people[name])
            assert member is not None
            team_id = self.teams[team] if team else member.team_id
            assert team_id is not None
            found = await repos.teams.get(team_id)
            assert found is not None
            key = f"{name}:{day}:{citizens}:{category}:{team}"
            await repos.sessions.add(
                member_id=member.id, team_id=team_id, commune_code=found.commune_code,
                category_id=category, citizens=citizens, session_date=day, note=None,
                photo_ref=None, channel="telegram", idempotency_key=key, now=self.clock())


@pytest.fixture
async def small(db: Database, clock: FakeClock) -> Small:
    # The registry existed long before the weeks the tests look at: figures of a past
    # period count the teams and members of that period (the registry's history).
    now = clock() - REGISTRY_AGE
    teams: dict[str, int] = {}
    people: dict[str, int] = {}
    async with db.write() as conn:
        repos = Repos(conn)
        await add_two_communes(repos)
        for key, (commune, name, members) in TEAMS.items():
            teams[key], _ = await repos.teams.upsert(
                commune_code=commune, name=name, kind="hamlet", former_district=None,
                former_commune=None, now=now)
            for person in members:
                people[person] = await repos.members.create(
                    full_name=person, team_id=teams[key], phone=None, language=None, now=now)
    return Small(db, clock, teams, people)
