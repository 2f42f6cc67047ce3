"""Logging an assistance session from a phone, end to end through the sandbox."""

from __future__ import annotations

from datetime import date

import pytest

from bot.core.models import Session
from bot.sandbox import SandboxUser
from tests.harness.world import World

TODAY = date(2026, 11, 23)  # the FakeClock's Monday, in Vietnam


async def _sessions(world: World, key: str = "member_1") -> list[Session]:
    persona = world.person(key)
    member = await world.services.read.members.by_identity("telegram", str(persona.user_id))
    assert member is not None
    return await world.services.read.sessions.latest_of(member.id, limit=100)


async def _through_summary(member: SandboxUser, category: str, count: str, day: str) -> str:
    await member.next_message()
    await member.press(category)
    await member.next_message()
    await member.press(count)
    await member.next_message()
    await member.press(day)
    return (await member.next_message()).text


async def test_the_guided_flow_takes_four_taps(world: World) -> None:
    member = world.person("member_1")
    await member.command("start")
    await member.next_message()
    assert member.reply_keyboard is not None
    assert ["📝 Ghi nhận hỗ trợ"] in member.reply_keyboard

    await member.tap("📝 Ghi nhận hỗ trợ")
    question = await member.next_message()
    assert "việc gì" in question.text
    assert "✍️ Chữ ký số công cộng" in question.buttons
    await member.press("✍️ Chữ ký số công cộng")                      # tap 1
    assert "Bao nhiêu người dân" in (await member.next_message()).text
    await member.press("3")                                          # tap 2
    assert "ngày nào" in (await member.next_message()).text
    await member.press("Hôm nay (23/11)")                            # tap 3
    summary = await member.next_message()
    assert "Chữ ký số công cộng" in summary.text
    assert "Số người dân: 3" in summary.text
    assert "23/11/2026" in summary.text
    await member.press("✅ Lưu")                                      # tap 4
    saved = await member.next_message()
    assert "Đã lưu" in saved.text
    assert "3 người dân" in saved.text

    [session] = await _sessions(world)
    assert (session.citizens, session.session_date, session.note) == (3, TODAY, None)


async def test_another_day_and_a_typed_number(world: World) -> None:
    member = world.person("member_1")
    await member.command("log")
    await member.next_message()
    await member.press("🪪 Định danh điện tử VNeID mức 2")
    await member.next_message()
    await member.send("12")
    await member.next_message()
    await member.press("📅 Ngày khác")
    assert "ngày/tháng" in (await member.next_message()).text
    await member.send("20/11")
    summary = await member.next_message()
    assert "Số người dân: 12" in summary.text
    assert "20/11/2026" in summary.text
    await member.press("✅ Lưu")
    await member.next_message()
    [session] = await _sessions(world)
    assert (session.citizens, session.session_date) == (12, date(2026, 11, 20))


@pytest.mark.parametrize(("typed", "category", "count", "note", "day"), [
    ("/log cks 3 họp chợ sáng", "Chữ ký số công cộng", 3, "họp chợ sáng", TODAY),
    ("3 chu ky so", "Chữ ký số công cộng", 3, None, TODAY),
    ("5 CHU KI SO", "Chữ ký số công cộng", 5, None, TODAY),                 # typo, capitals
    ("2 dinh danh hom qua", "Định danh điện tử VNeID mức 2", 2, None, date(2026, 11, 22)),
    ("dịch vụ công 4 nộp hồ sơ khai sinh", "Dịch vụ công trực tuyến", 4, "nộp hồ sơ khai sinh",
     TODAY),
])
async def test_the_quick_form_is_confirmed_before_saving(
    world: World, typed: str, category: str, count: int, note: str | None, day: date
) -> None:
    member = world.person("member_1")
    await member.send(typed)
    summary = await member.next_message()
    assert category in summary.text
    assert f"Số người dân: {count}" in summary.text
    assert await _sessions(world) == []  # nothing saved before Save
    await member.press("✅ Lưu")
    assert "Đã lưu" in (await member.next_message()).text
    [session] = await _sessions(world)
    assert (session.citizens, session.note, session.session_date) == (count, note, day)


async def test_a_partial_quick_form_asks_for_the_rest(world: World) -> None:
    member = world.person("member_1")
    await member.command("log", "thanh toan")
    assert "Bao nhiêu người dân" in (await member.next_message()).text


@pytest.mark.parametrize(("step", "typed", "answer"), [
    ("count", "0", "từ 1 đến 500"),
    ("count", "501", "từ 1 đến 500"),
    ("count", "ba người", "phải là một số"),
    ("date", "30/11", "chưa tới"),
    ("date", "01/09/2026", "31 ngày gần đây"),
    ("date", "32/13", "chưa đọc được ngày"),
    ("note", "x" * 501, "tối đa 500 ký tự"),
])
async def test_every_validation_error_says_what_to_do_and_saves_nothing(
    world: World, step: str, typed: str, answer: str
) -> None:
    member = world.person("member_1")
    await member.command("log")
    await member.next_message()
    await member.press("🛒 Đưa hộ sản xuất lên sàn TMĐT")
    await member.next_message()
    if step != "count":
        await member.press("2")
        await member.next_message()
        await member.press("📅 Ngày khác" if step == "date" else "Hôm nay (23/11)")
        await member.next_message()
    await member.send(typed)
    error = await member.next_message()
    assert answer in error.text
    assert "nhắn" in error.text or "chọn" in error.text or "báo" in error.text
    assert await _sessions(world) == []


async def test_ids_and_phone_numbers_in_a_note_are_masked_and_the_member_told(
    world: World,
) -> None:
    member = world.person("member_1")
    summary = await _through_summary_after_log(member)
    assert "Kiểm tra lại" in summary
    await member.send("Bà Tư CCCD 079 123 456 789, sđt 0912.345.678, đã cài VNeID")
    told = await member.next_message()
    assert "che các số đó" in told.text
    summary_after = await member.next_message()
    assert "079" not in summary_after.text
    assert "0912" not in summary_after.text
    await member.press("✅ Lưu")
    await member.next_message()
    [session] = await _sessions(world)
    assert session.note == "Bà Tư CCCD ***, sđt ***, đã cài VNeID"


async def _through_summary_after_log(member: SandboxUser) -> str:
    await member.command("log")
    return await _through_summary(member, "🪪 Định danh điện tử VNeID mức 2", "1",
                                  "Hôm nay (23/11)")


async def test_a_photo_is_kept_as_a_file_reference(world: World) -> None:
    member = world.person("member_1")
    await _through_summary_after_log(member)
    png = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                        "1f15c4890000000d49444154789c63000100000500010d0a2db40000000049454e44ae426082")
    await member.upload("buoi-ho-tro.png", png, caption="họp tổ dân phố")
    summary = await member.next_message()
    assert "Ảnh: đã đính kèm" in summary.text
    assert "họp tổ dân phố" in summary.text
    await member.press("✅ Lưu")
    await member.next_message()
    [session] = await _sessions(world)
    assert session.photo_ref
    assert not session.photo_ref.startswith("\x89PNG")


async def test_a_double_tap_on_save_creates_one_record(world: World) -> None:
    member = world.person("member_1")
    await _through_summary_after_log(member)
    summary = member.messages[-1]
    await member.press("✅ Lưu", message=summary)
    await member.press("✅ Lưu", message=summary)
    answers = [(await member.next_message()).text for _ in range(2)]
    assert sum("Đã lưu" in a for a in answers) == 1
    assert any("không ghi trùng" in a for a in answers)
    assert len(await _sessions(world)) == 1


async def test_a_re_delivered_update_is_handled_once(world: World) -> None:
    member = world.person("member_1")
    await member.send("4 thanh toan qr")
    typed_update = world.sandbox.last_update_id
    await member.next_message()
    await member.press("✅ Lưu")
    await member.next_message()
    save_update = world.sandbox.last_update_id
    # Telegram hands both out again (the bot crashed before confirming them).
    world.sandbox.redeliver(typed_update)
    world.sandbox.redeliver(save_update)
    await member.send("/my")
    # Had the repeated text been handled again, a second summary would come first.
    report = await member.next_message()
    assert report.text.startswith("📊")
    assert "4 người dân, 1 lần" in report.text
    assert len(await _sessions(world)) == 1


async def test_a_flow_survives_a_bot_restart(world: World) -> None:
    member = world.person("member_1")
    await member.command("log")
    await member.next_message()
    await member.press("🛡️ Kỹ năng số, an toàn trên mạng")
    await member.next_message()
    await world.restart_bot()
    await member.press("5")  # on the message sent before the restart
    assert "ngày nào" in (await member.next_message()).text
    await member.press("Hôm qua (22/11)")
    await member.next_message()
    await member.press("✅ Lưu")
    await member.next_message()
    [session] = await _sessions(world)
    assert (session.citizens, session.session_date) == (5, date(2026, 11, 22))


async def test_cancel_and_timeout_leave_cleanly(world: World) -> None:
    member = world.person("member_1")
    await _through_summary_after_log(member)
    await member.press("❌ Hủy")
    assert "chưa lưu gì" in (await member.next_message()).text

    await member.command("log")
    await member.next_message()
    await member.press("📌 Khác")
    await member.next_message()
    world.clock.advance(minutes=31)
    await member.send("3")
    assert "quá lâu" in (await member.next_message()).text
    assert await _sessions(world) == []


async def test_undo_deletes_the_last_entry_and_my_shows_the_week(world: World) -> None:
    member = world.person("member_1")
    for text in ("3 chu ky so", "2 vneid"):
        await member.send(text)
        await member.next_message()
        await member.press("✅ Lưu")
        await member.next_message()
    await member.command("my")
    report = (await member.next_message()).text
    assert "Tuần này (23/11–29/11): 5 người dân, 2 lần" in report
    assert "Chữ ký số công cộng: 3" in report

    await member.command("undo")
    card = await member.next_message()
    assert "VNeID" in card.text
    assert "2 người" in card.text
    await member.press("🗑️ Xóa")
    assert "Đã xóa" in (await member.next_message()).text
    await member.command("my")
    assert "3 người dân, 1 lần" in (await member.next_message()).text

    world.clock.advance(hours=25)
    await member.command("undo")
    assert "24 giờ" in (await member.next_message()).text


async def test_undo_can_fix_the_count(world: World) -> None:
    member = world.person("member_1")
    await member.send("3 chu ky so")
    await member.next_message()
    await member.press("✅ Lưu")
    await member.next_message()
    await member.command("undo")
    await member.next_message()
    await member.press("✏️ Sửa")
    await member.next_message()
    await member.press("✏️ Sửa")
    await member.next_message()
    await member.press("Số người")
    await member.next_message()
    await member.send("4")
    assert "Số người dân: 4" in (await member.next_message()).text
    await member.press("✅ Lưu")
    await member.next_message()
    [session] = await _sessions(world)
    assert session.citizens == 4


async def test_a_visitor_or_a_group_cannot_start_the_flow(world: World) -> None:
    visitor = world.stranger(6001)
    await visitor.command("log")
    assert "tham gia tổ trước" in (await visitor.next_message()).text
    group = SandboxUser(world.sandbox, 6002, "Ai Đó", "vi", chat_id=-100777, chat_type="group")
    await group.command("log")
    assert "nhắn riêng" in (await group.next_message()).text


async def test_english_speakers_get_the_flow_in_english(world: World) -> None:
    member = world.person("member_2")  # the demo gives this member English
    await member.send("2 digital signature")
    summary = await member.next_message()
    assert "Public digital signature" in summary.text
    assert "Citizens: 2" in summary.text
    await member.press("✅ Save")
    assert "Saved" in (await member.next_message()).text


async def test_the_menu_button_starts_again_in_the_middle_of_a_step(world: World) -> None:
    # A member who left an entry half done taps the big 📝 button again: a new entry starts,
    # the label is not taken as the number of citizens the old step was waiting for.
    member = world.person("member_1")
    await member.tap("📝 Ghi nhận hỗ trợ")
    await member.next_message()
    await member.press("✍️ Chữ ký số công cộng")
    assert "Bao nhiêu người dân" in (await member.next_message()).text
    await member.tap("📝 Ghi nhận hỗ trợ")
    question = await member.next_message()
    assert "việc gì" in question.text
    assert "✍️ Chữ ký số công cộng" in question.buttons
    assert await _sessions(world) == []
