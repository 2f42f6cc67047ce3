"""/status: the health figures as a short message — for admins; others are refused politely."""

from __future__ import annotations

from datetime import timedelta

from bot.core.chat import OutMessage
from handlers.kit.outbox import OutboxMessage, enqueue
from tests.harness.hooked import HookedWorld


async def test_an_admin_sees_the_figures(hooked: HookedWorld) -> None:
    t = hooked.services.t
    admin = hooked.person("admin")
    await admin.command("status")
    text = (await admin.next_message()).text
    assert text.startswith("🩺")
    assert t("vi", "status.ok") in text
    assert t("vi", "status.database_ok") in text
    assert t("vi", "status.scheduler_ok") in text
    assert "Hàng đợi gửi: 0 tin" in text
    assert "Telegram 23/11/2026 09:00" in text  # the /status message itself, local time
    assert "Chưa có bản sao lưu" in text


async def test_what_is_wrong_comes_first(hooked: HookedWorld) -> None:
    await enqueue(hooked.services, [OutboxMessage(
        dedup_key="test:stuck", channel="sms", chat_id="1", message=OutMessage("x"),
        kind="broadcast", not_before=hooked.clock.now - timedelta(minutes=40))])
    folder = hooked.services.settings.backups_folder
    folder.mkdir(parents=True)
    (folder / "tocns.sqlite3").write_bytes(b"backup")
    admin = hooked.person("admin")
    await admin.command("status")
    lines = (await admin.next_message()).text.splitlines()
    assert lines[1] == "⚠️ Cần xử lý: có tin nhắn đã chờ gửi hơn 15 phút."
    assert "tin đến hạn lâu nhất đã chờ 40 phút" in "\n".join(lines)
    assert "Bản sao lưu mới nhất: cách đây 0 phút" in "\n".join(lines)


async def test_a_member_is_refused_and_the_refusal_is_logged(hooked: HookedWorld) -> None:
    member = hooked.person("member_1")
    await member.command("status")
    refusal = (await member.next_message()).text
    assert "/status" in refusal
    assert hooked.services.t("vi", "role.admin") in refusal
    assert "🩺" not in refusal
    denied = await hooked.services.read.audit.latest(action="denied")
    assert denied[0].target == "/status"
