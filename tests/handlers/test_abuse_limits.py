"""A flooding chat is slowed with one notice while everyone else is answered; invitation codes
cannot be guessed at leisure; old bookkeeping is deleted by the daily job."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.app.demo import PERSONA_IDS
from bot.app.housekeeping import purge_expired
from locales import translator
from storage.repos import Repos
from tests.harness.inprocess import InProcessBot

MEMBER, OTHER = PERSONA_IDS["member_1"], PERSONA_IDS["member_2"]
NOTICE = translator()("vi", "flood.notice")


async def test_a_member_sending_hundreds_of_messages_gets_one_notice_and_no_one_else_waits(
        inprocess: InProcessBot) -> None:
    bot = inprocess
    burst = bot.services.settings.flood_burst
    for i in range(300):  # within one second of the controllable clock
        await bot.telegram_text(MEMBER, f"tin {i}")
        if i == 150:
            await bot.telegram_text(OTHER, "/help")
    answers = bot.telegram.texts_to(MEMBER)
    assert answers.count(NOTICE) == 1
    assert len(answers) == burst + 1  # answered up to the burst, then one notice, then quiet
    assert len(bot.telegram.texts_to(OTHER)) == 1  # someone else is not slowed at all

    bot.clock.advance(seconds=60)  # a minute later the member is answered again
    await bot.telegram_text(MEMBER, "/help")
    assert bot.telegram.texts_to(MEMBER)[-1] != NOTICE
    assert len(bot.telegram.texts_to(MEMBER)) == burst + 2


async def test_a_steady_pace_is_never_slowed(inprocess: InProcessBot) -> None:
    bot = inprocess
    for i in range(200):  # one message every two seconds, for almost seven minutes
        bot.clock.advance(seconds=2)
        await bot.telegram_text(MEMBER, f"tin {i}")
    assert NOTICE not in bot.telegram.texts_to(MEMBER)
    assert len(bot.telegram.texts_to(MEMBER)) == 200


@pytest.mark.settings(JOIN_ATTEMPTS_PER_HOUR="5")
async def test_wrong_invitation_codes_are_limited_per_person_per_hour(
        inprocess: InProcessBot) -> None:
    bot = inprocess
    t = translator()
    stranger = 555_000_111
    for _ in range(5):
        await bot.telegram_text(stranger, "/join ABCDEFGH")
        assert bot.telegram.texts_to(stranger)[-1] == t("vi", "join.unknown_code")
    await bot.telegram_text(stranger, "/join HGDEMXA2")  # even the right code must wait now
    assert bot.telegram.texts_to(stranger)[-1] == t("vi", "join.too_many_attempts", minutes=60)
    assert await bot.services.read.members.by_identity("telegram", str(stranger)) is None
    rows = await bot.services.db.reader.execute_fetchall(
        "SELECT action FROM audit_log WHERE action LIKE 'join.%' ORDER BY id")
    assert [r[0] for r in rows] == ["join.wrong_code"] * 5 + ["join.locked"]

    await bot.telegram_text(OTHER + 1_000_000, "/join ABCDEFGH")  # another person is not locked
    assert bot.telegram.texts_to(OTHER + 1_000_000)[-1] == t("vi", "join.unknown_code")

    bot.clock.advance(minutes=61)
    await bot.telegram_text(stranger, "/join HGDEMXA2")
    assert await bot.services.read.members.by_identity("telegram", str(stranger)) is None
    assert "Ấp 1, Xã Vị Thủy" in bot.telegram.texts_to(stranger)[-1]  # who are you in it?


async def test_the_daily_job_deletes_what_has_been_kept_long_enough(
        inprocess: InProcessBot) -> None:
    bot = inprocess
    await bot.telegram_text(MEMBER, "/log")  # a flow left half-finished, and its update key
    await bot.telegram_text(555_000_222, "/join ABCDEFGH")
    old = await _counts(bot)
    assert all(old.values())

    bot.clock.advance(days=29)
    await purge_expired(bot.services)
    assert (await _counts(bot))["inbox"] == old["inbox"]
    assert (await _counts(bot))["join_failures"] == 0  # a day is enough for those

    bot.clock.advance(days=2)
    await bot.telegram_text(OTHER, "/help")  # something recent stays
    deleted = await purge_expired(bot.services)
    now = await _counts(bot)
    assert now["chat_flows"] == 0
    assert now["inbox"] == 1
    assert deleted["inbox"] == old["inbox"]
    assert deleted["file_links"] == 0  # a table of a later release: skipped while absent


async def test_audit_entries_go_after_the_retention_period(inprocess: InProcessBot) -> None:
    bot = inprocess
    async with bot.services.db.write() as conn:
        await Repos(conn).audit.record(actor=None, action="test.old", target=None,
                                       now=bot.clock() - timedelta(days=731))
        await Repos(conn).audit.record(actor=None, action="test.recent", target=None,
                                       now=bot.clock() - timedelta(days=700))
    await purge_expired(bot.services)
    actions = {e.action for e in await bot.services.read.audit.latest(1000)}
    assert "test.recent" in actions
    assert "test.old" not in actions


async def _counts(bot: InProcessBot) -> dict[str, int]:
    counts = {}
    for table in ("chat_flows", "inbox", "join_failures"):
        rows = await bot.services.db.reader.execute_fetchall(f"SELECT COUNT(*) FROM {table}")
        counts[table] = int(next(iter(rows))[0])
    return counts
