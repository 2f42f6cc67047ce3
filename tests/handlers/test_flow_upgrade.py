"""A flow left open across an upgrade goes on; one the bot cannot read is closed politely.

The rows are written as the previous release wrote them (the JSON of its dicts, see
tests/core/flows/test_stored_shapes.py), then the bot restarts — the upgrade — and the member
carries on through the sandbox as they would from their phone.
"""

from __future__ import annotations

from datetime import date

from bot.core.models import Session
from storage.repos.sql import ts
from tests.harness.world import World

TODAY = date(2026, 11, 23)  # the FakeClock's Monday, in Vietnam
MEMBER = "member_1"


async def _store(world: World, step: str, data: str, flow: str = "log") -> None:
    """The member's flow, as a bot of the previous release left it in the database."""
    chat = str(world.person(MEMBER).user_id)
    async with world.services.db.write() as conn:
        await conn.execute(
            "INSERT OR REPLACE INTO chat_flows (channel, chat_id, flow, step, data, updated_at)"
            " VALUES ('telegram', ?, ?, ?, ?, ?)", (chat, flow, step, data, ts(world.clock.now)))


async def _sessions(world: World) -> list[Session]:
    member = await world.services.read.members.by_identity(
        "telegram", str(world.person(MEMBER).user_id))
    assert member is not None
    return await world.services.read.sessions.latest_of(member.id, limit=10)


async def test_a_log_half_way_through_before_the_upgrade_is_finished_after_it(
        world: World) -> None:
    category = (await world.services.read.categories.active())[1]
    await _store(world, "count",
                 f'{{"id": "c0ffee", "cat": {category.id}, "n": null, "day": null, '
                 '"note": "họp chợ ấp 3", "photo": null, "masked": false, "replaces": null}')
    await world.restart_bot()
    member = world.person(MEMBER)

    await member.send("7")                      # the answer to "how many citizens?"
    assert "ngày nào" in (await member.next_message()).text
    await member.press("Hôm nay (23/11)")
    summary = (await member.next_message()).text
    assert category.label_vi in summary
    assert "Số người dân: 7" in summary
    assert "Ghi chú: họp chợ ấp 3" in summary
    await member.press("✅ Lưu")
    assert "Đã lưu" in (await member.next_message()).text

    [session] = await _sessions(world)
    assert (session.category_id, session.citizens, session.session_date, session.note) == (
        category.id, 7, TODAY, "họp chợ ấp 3")


async def test_a_summary_shown_before_the_upgrade_is_saved_once_after_it(world: World) -> None:
    category = (await world.services.read.categories.active())[0]
    await _store(world, "summary",
                 f'{{"id": "0a1b2c", "cat": {category.id}, "n": 12, "day": "2026-11-20", '
                 '"note": null, "photo": null, "masked": false, "replaces": null}')
    await world.restart_bot()
    member = world.person(MEMBER)

    await member.send("hỗ trợ tại nhà văn hoá")  # a note, typed while the summary is shown
    summary = await member.next_message()
    assert "Số người dân: 12" in summary.text
    assert "20/11/2026" in summary.text
    await member.press("✅ Lưu", message=summary)
    await member.press("✅ Lưu", message=summary)  # a double tap
    answers = [(await member.next_message()).text for _ in range(2)]
    assert sum("Đã lưu" in a for a in answers) == 1
    assert any("không ghi trùng" in a for a in answers)

    [session] = await _sessions(world)
    assert (session.category_id, session.citizens, session.session_date, session.note) == (
        category.id, 12, date(2026, 11, 20), "hỗ trợ tại nhà văn hoá")


async def test_a_flow_the_bot_cannot_read_is_closed_without_an_error(world: World) -> None:
    """release-0.1's first log shape (tests/fixtures/make_release_db.py), which this bot never
    wrote: the member is told it stopped and can start again, not "an error occurred"."""
    await _store(world, "citizens", '{"category": "cks"}')
    await world.restart_bot()
    member = world.person(MEMBER)

    await member.send("3")
    answers = [(await member.next_message()).text for _ in range(2)]
    assert "đã dừng" in answers[0]
    assert "chưa hiểu" in answers[1]  # as after a timeout: "3" alone is no quick log
    assert not any("đã có lỗi" in a for a in answers)
    chat = str(member.user_id)
    assert await world.services.read.chats.flow("telegram", chat) is None

    await member.command("log")                 # and logging works again at once
    assert "việc gì" in (await member.next_message()).text
    assert await _sessions(world) == []
