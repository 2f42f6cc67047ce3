"""A few weeks of plausible demo activity, so a coordinator's /digest shows real numbers.

For the demo database only. Deterministic: the same members and weeks give the same sessions
(keys ``demo:<member>:<date>:<n>``), so seeding twice adds nothing. Only full weeks before the
current one are filled, and the chat page's own personas (linked members) log nothing, so what
they log by hand is all there is this week.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from bot.app.services import Services
from bot.core.calendar import local_today, week_start
from storage.repos import Repos
from storage.repos.sql import fetch_all, ts

#: Relative weights of the categories by their code (digital signatures lead, as in reality).
WEIGHTS = {"cks": 30, "vneid": 25, "dvc": 18, "ttkdtm": 12, "kns": 8, "tmdt": 5, "khac": 2}


def _logged_at(day: date, key: str) -> datetime:
    """When a demo session was typed in: mostly the same day, some a few days late, so the
    on-time share (ON_TIME_DAYS) shows what a real province looks like, not 0%. A generator of
    its own (seeded by the session's key): the sessions themselves stay the same."""
    rng = random.Random(key)
    late = rng.choices((0, 1, 2, 5, 9), (70, 12, 6, 7, 5))[0]
    return datetime.combine(day + timedelta(days=late), time(2 + rng.randrange(10)), UTC)


async def seed_demo_activity(services: Services, weeks: int = 8) -> int:
    """Sessions for the ``weeks`` full weeks before this one; how many rows were offered."""
    now = services.clock()
    this_monday = week_start(local_today(now, services.settings.tz))
    read = services.read
    categories = await read.categories.active()
    codes = [c.id for c in categories]
    weights = [WEIGHTS.get(c.code, 5) for c in categories]
    members = await fetch_all(
        read.conn,
        "SELECT m.id, m.team_id, t.commune_code FROM members m JOIN teams t ON t.id = m.team_id"
        " WHERE m.active AND t.active AND NOT EXISTS"
        " (SELECT 1 FROM identities i WHERE i.member_id = m.id) ORDER BY m.id")
    rows: list[tuple[Any, ...]] = []
    for member_id, team_id, commune in members:
        team_rng = random.Random(int(team_id))
        dormant = team_rng.random() < 0.08          # a few teams went quiet: the 14-day list
        pace = 0.25 + 0.6 * random.Random(commune).random()   # some communes are busier
        for back in range(weeks, 0, -1):
            monday = this_monday - timedelta(days=7 * back)
            if dormant and back <= 3:
                continue
            rng = random.Random(int(member_id) * 7919 + monday.toordinal())
            growth = 1 + 0.05 * (weeks - back)      # a gentle upward trend
            for n in range(3):
                if rng.random() > pace * growth / (n + 1.5):
                    break
                day = monday + timedelta(days=rng.randrange(7))
                rows.append((member_id, team_id, commune,
                             rng.choices(codes, weights)[0], rng.randint(1, 6),
                             day.isoformat(), "telegram", f"demo:{member_id}:{day}:{n}",
                             ts(min(now, _logged_at(day, f"{member_id}:{day}:{n}")))))
    async with services.db.write() as conn:
        await Repos(conn).sessions.add_demo(rows)
    return len(rows)
