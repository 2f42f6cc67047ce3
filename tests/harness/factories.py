"""Test data made straight in the database: sessions for reports to count."""

from __future__ import annotations

from datetime import date

from storage.db import Database
from storage.repos import Repos
from tests.harness.clock import FakeClock


async def log_session(db: Database, clock: FakeClock, member_id: int, category: str,
                      citizens: int, day: date, key: str, note: str | None = None) -> None:
    async with db.write() as conn:
        repos = Repos(conn)
        member = await repos.members.get(member_id)
        assert member is not None
        assert member.team_id is not None
        team = await repos.teams.get(member.team_id)
        assert team is not None
        cat = await repos.categories.by_code(category)
        assert cat is not None
        await repos.sessions.add(member_id=member_id, team_id=team.id,
                                 commune_code=team.commune_code, category_id=cat.id,
                                 citizens=citizens, session_date=day, note=note, photo_ref=None,
                                 channel="telegram", idempotency_key=key, now=clock())
