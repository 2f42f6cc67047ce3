"""/broadcast end to end: audience, preview, Confirm, the outbox under the rate limits, report."""

from __future__ import annotations

import re

import pytest

from bot.core.permissions import Scope
from bot.sandbox import FloodControl
from storage.repos import Repos
from tests.harness.world import World

FIRST_ID = 300_000


async def _link_everyone(world: World, commune: str | None = None, *, leave_out: int = 0
                         ) -> dict[int, int]:
    """Give every member without a chat one (as if all had joined); member id → chat id."""
    linked: dict[int, int] = {}
    async with world.services.db.write() as conn:
        rows = await conn.execute_fetchall(
            "SELECT m.id, m.full_name FROM members m LEFT JOIN teams t ON t.id = m.team_id"
            " WHERE m.active AND NOT EXISTS (SELECT 1 FROM identities i WHERE i.member_id = m.id)"
            " AND (? IS NULL OR t.commune_code = ?) ORDER BY m.id", (commune, commune))
        rows = list(rows)[leave_out:]
        for member_id, name in rows:
            chat = FIRST_ID + member_id
            await Repos(conn).access.link(channel="telegram", external_id=str(chat),
                                          chat_id=str(chat), member_id=member_id,
                                          now=world.clock())
            world.sandbox.add_person(chat, name)
            linked[member_id] = chat
    return linked


def _received(world: World, chat_id: int, text: str) -> int:
    """How many announcements carrying ``text`` reached this chat."""
    messages = world.sandbox.state.messages.get(chat_id, {}).values()
    return sum(1 for m in messages if m["from"]["is_bot"]
               and m.get("text", "").startswith(("📣 Thông báo từ", "📣 Announcement from"))
               and text in m["text"])


async def _broadcast(world: World, who: str, *presses: str, text: str) -> str:
    sender = world.person(who)
    await sender.command("broadcast")
    for label in presses:
        await sender.next_message()
        await sender.press(label)
    assert "nhắn nội dung" in (await sender.next_message()).text
    await sender.send(text)
    preview = await sender.next_message()
    assert text in preview.text
    send_button = next(b for b in preview.buttons if b.startswith("📣 Gửi cho"))
    await sender.press(send_button)
    report = await sender.wait_for(lambda m: "Gửi thông báo xong" in m.text, timeout=120)
    return report.text


def _figure(report: str, label: str) -> int:
    match = re.search(rf"{label}: ([\d.]+)", report)
    assert match, report
    return int(match[1].replace(".", ""))


async def test_a_commune_broadcast_under_flood_control_reaches_each_member_once(
    world: World,
) -> None:
    linked = await _link_everyone(world, "31441")
    world.sandbox.flood = FloodControl()
    report = await _broadcast(world, "commune_coordinator", "🏘️ Cả Xã Vị Thủy",
                              text="Họp tổ CNS lúc 8h sáng thứ Bảy tại nhà văn hóa ấp.")
    for chat in linked.values():
        assert _received(world, chat, "Họp tổ CNS lúc 8h") == 1
    for key in ("commune_coordinator", "team_leader", "member_1", "member_2"):
        assert _received(world, world.person(key).user_id, "Họp tổ CNS lúc 8h") == 1
    items = await world.services.read.outbox.items(kind="broadcast")
    assert {i.status for i in items} == {"sent"}
    assert len({i.member_id for i in items}) == len(items)
    reachable = len(linked) + 4
    assert _figure(report, "Đã gửi") == reachable
    assert _figure(report, "Đã chặn bot") == 0
    letter = next(m for m in world.sandbox.state.messages[next(iter(linked.values()))].values()
                  if m["from"]["is_bot"])
    assert letter["text"].startswith("📣 Thông báo từ Đỗ Tấn Phong (Điều phối viên xã/phường)")


async def test_a_preview_can_be_edited_or_cancelled_and_nothing_goes_out(world: World) -> None:
    coordinator = world.person("commune_coordinator")
    await coordinator.command("broadcast")
    await coordinator.next_message()
    await coordinator.press("🏠 Một tổ")
    await coordinator.next_message()
    await coordinator.press("Ấp 1")
    await coordinator.next_message()
    await coordinator.send("x" * 3501)
    assert "rút gọn" in (await coordinator.next_message()).text
    await coordinator.send("Bản nháp")
    await coordinator.next_message()
    await coordinator.press("✏️ Sửa nội dung")
    await coordinator.next_message()
    await coordinator.send("Bản cuối")
    preview = await coordinator.next_message()
    assert "Bản cuối" in preview.text
    assert "Bản nháp" not in preview.text
    await coordinator.press("✖️ Hủy")
    assert "chưa gửi gì" in (await coordinator.next_message()).text
    assert await world.services.read.outbox.items(kind="broadcast") == []


async def test_in_quiet_hours_it_waits_and_can_be_stopped(world: World) -> None:
    world.clock.advance(hours=13)  # 22:00 in Vietnam: quiet hours
    coordinator = world.person("commune_coordinator")
    await coordinator.command("broadcast")
    await coordinator.next_message()
    await coordinator.press("🏠 Một tổ")
    await coordinator.next_message()
    await coordinator.press("Ấp 1")
    await coordinator.next_message()
    await coordinator.send("Nhắc lịch trực")
    await coordinator.next_message()
    await coordinator.press(next(b for b in coordinator.messages[-1].buttons
                                 if b.startswith("📣")))
    progress = await coordinator.wait_for(lambda m: "Đang gửi" in m.text)
    assert "0/" in progress.text
    assert "bắt đầu gửi lúc 07:00" in (await coordinator.next_message()).text
    await coordinator.press("⏹ Dừng gửi")
    stopped = await coordinator.wait_for(lambda m: "Đã dừng" in m.text)
    count = int(re.findall(r"\d+", stopped.text)[0])
    assert count >= 1
    report = (await coordinator.wait_for(lambda m: "Gửi thông báo xong" in m.text,
                                         timeout=30)).text
    assert _figure(report, "Đã gửi") == 0
    assert _figure(report, "Đã dừng, không gửi") == count
    assert _received(world, world.person("member_1").user_id, "Nhắc lịch trực") == 0


async def test_each_step_checks_the_permission_again(world: World) -> None:
    province = world.person("province_coordinator")
    await province.command("broadcast")
    await province.next_message()
    member = await world.services.read.members.by_identity("telegram", str(province.user_id))
    assert member is not None
    async with world.services.db.write() as conn:  # demoted while choosing
        await conn.execute("DELETE FROM role_grants WHERE member_id = ?", (member.id,))
    await province.press("🌏 Tất cả mọi người")
    # The central check of presses refuses it (one answer for every press beyond one's rights).
    assert (await province.next_message()).text == world.services.t("vi", "errors.stale_button")
    assert (await world.services.read.audit.latest(1, action="denied"))[0].target == "button bc"
    assert await world.services.read.chats.flow("telegram", str(province.user_id)) is None


@pytest.mark.settings(SEND_RATE_PER_SECOND="1000", TELEGRAM_SENDS_PER_SECOND="1000")
async def test_a_broadcast_to_all_3740_members_ends_with_a_correct_report(world: World) -> None:
    linked = await _link_everyone(world, leave_out=25)  # 25 people never joined on a chat
    blocked = list(linked.values())[:12]
    for chat in blocked:
        world.sandbox.set_blocked(chat)
    report = await _broadcast(world, "admin", "🌏 Tất cả mọi người", text="Chúc mừng năm mới!")
    everyone = await world.services.read.access.recipients(Scope("92"))
    assert len(everyone) == 3740
    assert _figure(report, "Đã gửi") == 3740 - 25 - 12
    assert _figure(report, "Đã chặn bot") == 12
    assert _figure(report, "Lỗi khác") == 0
    assert _figure(report, "Chưa có tài khoản chat") == 25
    delivered = [c for c in linked.values() if c not in blocked]
    assert all(_received(world, c, "Chúc mừng năm mới!") == 1 for c in delivered)
