"""/mydata and /forget end to end, on Telegram and on Zalo, in Vietnamese and in English."""

from __future__ import annotations

import logging

import pytest

from bot.app.demo import PERSONA_IDS
from storage.repos import Repos
from tests.harness.world import World
from tests.harness.zalo_world import ZaloWorld

NOTE = "hướng dẫn bà Tư cài ví điện tử lúc chợ phiên"


async def _log(world: World, key: str, text: str) -> None:
    member = world.person(key)
    await member.send(text)
    await member.wait_for(lambda m: bool(m.buttons))  # the summary (after any warning)
    await member.press("✅ Lưu" if member.language_code == "vi" else "✅ Save")
    await member.next_message()


async def _member(world: World, key: str) -> int:
    found = await world.services.read.members.by_identity("telegram", str(PERSONA_IDS[key]))
    assert found is not None
    return found.id


async def test_a_member_sees_everything_held_about_them_on_telegram(world: World) -> None:
    mai = world.person("member_1")
    await _log(world, "member_1", f"cks 3 {NOTE}")
    await mai.command("mydata")
    shown = (await mai.next_message()).text
    assert "Nguyễn Thị Mai" in shown
    assert "Ấp 1, Xã Vị Thủy" in shown
    assert "Telegram: mã 9005" in shown
    assert "Zalo: mã" in shown
    assert "Thành viên — Ấp 1" in shown
    assert NOTE in shown
    assert "Chữ ký số công cộng — 3 người" in shown
    assert shown.rstrip().endswith("/forget.")


async def test_a_long_history_comes_page_by_page(world: World) -> None:
    member_id = await _member(world, "member_1")
    from datetime import date, timedelta

    from tests.harness.factories import log_session
    for i in range(60):
        await log_session(world.services.db, world.clock, member_id, "dvc", 1,
                          date(2026, 11, 20) - timedelta(days=i % 20), f"k{i}",
                          note=f"ghi chú số {i} " + "x" * 80)
    mai = world.person("member_1")
    await mai.command("mydata")
    first = await mai.next_message()
    assert len(first.text) <= 4096
    assert "Xem tiếp ▶" in first.buttons
    seen = first.text.count("ghi chú số")
    while "Xem tiếp ▶" in (page := mai.messages[-1]).buttons:
        await mai.press("Xem tiếp ▶", message=page)
        page = await mai.next_message()
        assert len(page.text) <= 4096
        seen += page.text.count("ghi chú số")
    assert seen == 60


async def test_forget_erases_the_person_and_keeps_the_teams_counts(world: World) -> None:
    sang = world.person("member_2")
    member_id = await _member(world, "member_2")
    await _log(world, "member_2", f"kns 4 {NOTE}")
    await sang.command("forget")
    question = await sang.next_message()  # Sang reads English (the demo's choice)
    assert "cannot be undone" in question.text
    await sang.press("🗑 Erase the data")
    done = await sang.next_message()
    assert "Your personal data is erased" in done.text

    read = Repos(world.services.db.reader)
    person = await read.members.get(member_id)
    assert person is not None
    assert (person.full_name, person.phone, person.active) == ("—", None, False)
    assert await read.access.identities_of(member_id) == []
    assert await read.access.grants_of(member_id) == []
    [session] = await read.sessions.page_of(member_id, offset=0, limit=5)
    assert (session.citizens, session.note, session.photo_ref, session.team_id) == (
        4, None, None, 349)  # still counted for Ấp 1, naming nobody
    [entry] = await read.audit.latest(1, action="member.erase")
    assert entry.details == {"by": "self", "sessions_kept": 1, "identities": 2}
    assert "Sang" not in str(entry)

    # A stranger now, even their language choice gone: the default language speaks.
    await sang.command("mydata")
    assert "không lưu hồ sơ" in (await sang.next_message()).text
    await sang.command("log")
    assert "tham gia" in (await sang.next_message()).text


async def test_keep_changes_nothing(world: World) -> None:
    sang = world.person("member_2")
    await sang.command("forget")
    await sang.next_message()
    await sang.press("Keep it")
    assert "nothing was erased" in (await sang.next_message()).text
    assert (await world.services.read.members.get(await _member(world, "member_2"))) is not None
    assert await world.services.read.members.by_identity("telegram",
                                                          str(sang.user_id)) is not None


async def test_an_admin_erases_someone_on_request_and_others_may_not(world: World) -> None:
    member_id = await _member(world, "member_2")
    leader = world.person("team_leader")
    await leader.command("forget", str(member_id))
    assert "Chỉ quản trị viên" in (await leader.next_message()).text
    assert (await world.services.read.audit.latest(1, action="denied"))[0].target == "/forget"

    admin = world.person("admin")
    await admin.command("forget", "Nguyễn Thanh Sang")
    reply = await admin.next_message()
    if "chọn người" in reply.text:  # two people share the name in the demo province
        await admin.press("Nguyễn Thanh Sang – Ấp 1")
        reply = await admin.next_message()
    assert "Nguyễn Thanh Sang" in reply.text
    assert "theo yêu cầu" in reply.text
    await admin.press("🗑 Xoá dữ liệu")
    assert "Đã xoá dữ liệu cá nhân của người này" in (await admin.next_message()).text
    assert await Repos(world.services.db.reader).members.is_erased(member_id)
    [entry] = await world.services.read.audit.latest(1, action="member.erase")
    assert entry.details["by"] == "admin"
    assert "Sang" not in str(entry.details)


async def test_in_english_too(world: World) -> None:
    mai = world.person("member_1")
    await mai.command("lang", "en")
    await mai.next_message()
    await mai.command("mydata")
    shown = (await mai.next_message()).text
    assert shown.startswith("🔒 Everything the bot holds about you")
    assert "Team: Ấp 1, Xã Vị Thủy" in shown
    await mai.command("forget")
    assert "cannot be undone" in (await mai.next_message()).text
    await mai.press("🗑 Erase the data")
    assert "Your personal data is erased" in (await mai.next_message()).text


@pytest.mark.parametrize("lang", ["vi", "en"])
async def test_mydata_and_forget_on_zalo(zworld: ZaloWorld, lang: str) -> None:
    toan = zworld.person("team_leader")
    if lang == "en":
        await toan.send("/lang en")
        await toan.next_message()
    await toan.send("/mydata")
    shown = (await toan.next_message()).text
    title = "🔒 Everything the bot holds about you" if lang == "en" else \
        "🔒 Mọi dữ liệu bot đang lưu về anh/chị"
    assert shown.startswith(title)
    assert "Lê Hữu Toàn" in shown
    assert "Ấp 1, Xã Vị Thủy" in shown
    await toan.send("/forget")
    question = await toan.next_message()
    assert question.choices == (["🗑 Erase the data", "Keep it"] if lang == "en"
                                else ["🗑 Xoá dữ liệu", "Giữ lại"])
    await toan.choose(question.choices[0])
    done = await toan.next_message()
    assert ("Your personal data is erased" if lang == "en" else
            "Đã xoá dữ liệu cá nhân của anh/chị") in done.text
    read = zworld.world.services.read
    assert await read.members.by_identity("zalo", toan.user_id) is None
    assert await read.members.by_identity("telegram", str(PERSONA_IDS["team_leader"])) is None


async def test_the_log_of_a_run_holds_no_note_text_and_no_phone(
        world: World, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    phone = "0912 345 678"
    await _log(world, "member_1", f"cks 2 {NOTE} gọi {phone}")
    mai = world.person("member_1")
    await mai.command("mydata")
    await mai.next_message()
    await mai.command("forget")
    await mai.next_message()
    await mai.press("🗑 Xoá dữ liệu")
    await mai.next_message()
    assert NOTE not in caplog.text
    assert phone not in caplog.text
    assert phone.replace(" ", "") not in caplog.text
    assert "0893261662" not in caplog.text  # her registry phone, shown by /mydata
