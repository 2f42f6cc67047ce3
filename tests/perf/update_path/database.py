"""The benchmark's database: the demo province, with simulated members linked to Telegram ids.

Built once per run (as the end-to-end tests' ``demo_database`` is), then copied for each bot
process so every process starts from the same state.
"""

from __future__ import annotations

from pathlib import Path

from bot.app.demo import load_demo_province
from bot.app.services import make_services, utc_now
from bot.config import load_settings
from bot.core.plausibility import OFF, Rule
from handlers.steering.weekly import run_due_work
from storage.db import Database
from storage.repos import Repos

#: Telegram user ids of the simulated members (their chat ids too: private chats).
FIRST_USER_ID = 100_000


async def build(path: Path, members: int) -> list[int]:
    """The demo province with ``members`` team members linked; their Telegram user ids.

    This week's scheduled work (a reminder, digests) is done and its messages cancelled here, so
    the bot's start-up catch-up does not send a wave of reminders into the measurement.
    """
    settings = load_settings(DATABASE_PATH=str(path), ZALO_BOT_TOKEN="",
                             TELEGRAM_BOT_TOKEN="")
    async with Database(path) as db:
        services = make_services(settings, db)
        await load_demo_province(services)
        now = utc_now()
        async with db.write() as conn:
            rows = list(await conn.execute_fetchall(
                "SELECT id FROM members WHERE team_id IS NOT NULL AND active = 1"
                " ORDER BY id LIMIT ?", (members,)))
            if len(rows) < members:
                raise SystemExit(f"the demo province has only {len(rows)} team members")
            user_ids = [FIRST_USER_ID + i for i in range(members)]
            for user_id, (member_id,) in zip(user_ids, rows, strict=True):
                await Repos(conn).access.link(channel="telegram", external_id=str(user_id),
                                              chat_id=str(user_id), member_id=member_id,
                                              now=now)
            # A member in the closed loop logs the same session every few hundred ms, which the
            # plausibility rules rightly flag (an extra line for a leader to review). Off here,
            # so every Save is the ordinary one; the check itself still runs on each.
            for rule in (Rule.REPEAT, Rule.BURST, Rule.DAY):
                await Repos(conn).plausibility.set_rule(rule.value, None, OFF, by=None, now=now)
        await run_due_work(services)
        async with db.write() as conn:
            await conn.execute("UPDATE outbox SET status = 'cancelled' WHERE status = 'pending'")
    return user_ids
