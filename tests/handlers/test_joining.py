"""Invite → join → /me, through python-telegram-bot and the sandbox over HTTP."""

from __future__ import annotations

import re

from bot.sandbox import SandboxUser
from storage.repos import Repos
from tests.harness.world import ADMIN_FROM_SETTINGS, World

LINK = re.compile(r"https://t\.me/(\w+)\?start=([A-Z0-9]{8})")


async def _invite_code(inviter: SandboxUser, *presses: str) -> str:
    await inviter.command("invite")
    for label in presses:
        await inviter.next_message()
        await inviter.press(label)
    reply = await inviter.wait_for(lambda m: "t.me/" in m.text)
    match = LINK.search(reply.text)
    assert match, reply.text
    assert match[1] == "tocns_demo_bot"  # the deep link names the bot from getMe
    assert match[2] in reply.text.split(match[0], 1)[1]  # the code is also given to type
    return match[2]


async def test_start_without_a_code_explains_how_to_join(world: World) -> None:
    visitor = world.stranger(5001)
    await visitor.command("start")
    reply = await visitor.next_message()
    assert "mã mời" in reply.text
    assert "tổ trưởng" in reply.text


async def test_a_leader_invites_and_a_newcomer_joins_then_sees_their_profile(
    world: World,
) -> None:
    leader = world.person("team_leader")
    code = await _invite_code(leader)

    newcomer = world.stranger(5002)
    await newcomer.command("start", code)  # what opening the deep link sends
    question = await newcomer.next_message()
    assert "Ấp 1, Xã Vị Thủy" in question.text
    names = question.buttons
    assert "Tên tôi không có ở đây" in names
    # The leader and the members already on Telegram are not offered.
    assert "Lê Hữu Toàn" not in names
    assert "Nguyễn Thị Mai" not in names
    chosen = names[0]
    await newcomer.press(chosen)
    welcome = await newcomer.next_message()
    assert f"Chào mừng {chosen}" in welcome.text
    assert "Ấp 1, Xã Vị Thủy" in welcome.text

    await newcomer.command("me")
    profile = await newcomer.next_message()
    assert chosen in profile.text
    assert "Tổ: Ấp 1 — Xã Vị Thủy" in profile.text
    assert "Telegram" in profile.text
    menu = {c["command"] for c in newcomer.commands}
    assert {"me", "help", "lang", "cancel"} <= menu
    assert "invite" not in menu


async def test_someone_not_in_the_registry_gives_their_name(world: World) -> None:
    code = await _invite_code(world.person("team_leader"))
    newcomer = world.stranger(5003)
    await newcomer.send(f" {code.lower()[:4]} {code.lower()[4:]} ")  # typed by hand, forgiven
    await newcomer.next_message()
    await newcomer.press("Tên tôi không có ở đây")
    assert "họ và tên" in (await newcomer.next_message()).text
    await newcomer.send("123 !!")
    assert "chưa hợp lệ" in (await newcomer.next_message()).text
    await newcomer.send("Phan  Thị   Bé Ba")
    welcome = await newcomer.next_message()
    assert "Chào mừng Phan Thị Bé Ba" in welcome.text
    member = await world.services.read.members.by_identity("telegram", "5003")
    assert member is not None
    assert member.full_name == "Phan Thị Bé Ba"


async def test_a_double_tap_on_my_name_links_once(world: World) -> None:
    code = await _invite_code(world.person("team_leader"))
    newcomer = world.stranger(5004)
    await newcomer.command("join", code)
    question = await newcomer.next_message()
    name = question.buttons[0]
    await newcomer.press(name, message=question)
    await newcomer.press(name, message=question)
    texts = [(await newcomer.next_message()).text for _ in range(2)]
    assert sum("Chào mừng" in t for t in texts) == 1
    assert any("đã là thành viên" in t for t in texts)
    rows = await world.services.db.reader.execute_fetchall(
        "SELECT COUNT(*) FROM identities WHERE external_id = '5004'")
    assert next(iter(rows))[0] == 1


async def test_an_expired_invitation_is_refused_and_changes_nothing(world: World) -> None:
    code = await _invite_code(world.person("team_leader"))
    world.clock.advance(days=15)
    newcomer = world.stranger(5005)
    await newcomer.command("start", code)
    assert "hết hạn" in (await newcomer.next_message()).text
    await newcomer.command("me")
    assert "tham gia tổ trước" in (await newcomer.next_message()).text


async def test_an_unknown_code_is_explained(world: World) -> None:
    newcomer = world.stranger(5006)
    await newcomer.command("start", "ZZZZZZZZ")
    assert "Không tìm thấy mã mời" in (await newcomer.next_message()).text


async def test_a_coordinator_invites_a_team_leader_with_a_single_use_code(world: World) -> None:
    coordinator = world.person("commune_coordinator")
    code = await _invite_code(coordinator, "Ấp 2", "Tổ trưởng")
    first, second = world.stranger(5007), world.stranger(5008)
    await first.command("start", code)
    await first.next_message()
    await first.press("Tên tôi không có ở đây")
    await first.next_message()
    await first.send("Võ Văn Lãnh Đạo")
    welcome = await first.next_message()
    assert "Vai trò của anh/chị: Tổ trưởng" in welcome.text
    assert "invite" in {c["command"] for c in first.commands}

    await second.command("start", code)
    assert "sử dụng hết" in (await second.next_message()).text


async def test_a_member_trying_to_invite_is_refused_politely_and_audited(world: World) -> None:
    member = world.person("member_1")
    await member.command("invite")
    refusal = await member.next_message()
    assert "/invite chỉ dành cho Tổ trưởng trở lên" in refusal.text
    denied = await Repos(world.services.db.reader).audit.latest(action="denied")
    assert denied
    assert denied[0].target == "/invite"
    assert await world.services.read.invitations.get("X") is None


async def test_help_lists_what_each_role_can_do(world: World) -> None:
    member, leader = world.person("member_1"), world.person("team_leader")
    await member.command("help")
    member_help = (await member.next_message()).text
    await leader.command("help")
    leader_help = (await leader.next_message()).text
    assert "/me" in member_help
    assert "/invite" not in member_help
    assert "/me" in leader_help
    assert "/invite" in leader_help


async def test_language_switch_changes_every_answer(world: World) -> None:
    member = world.person("member_1")
    await member.command("lang")
    await member.next_message()
    await member.press("English")
    assert "Switched to English" in (await member.next_message()).text
    await member.command("me")
    assert "Team: Ấp 1 — Xã Vị Thủy" in (await member.next_message()).text
    await member.command("lang", "vi")
    assert "Tiếng Việt" in (await member.next_message()).text


async def test_unknown_commands_and_strange_text_get_a_polite_answer(world: World) -> None:
    member = world.person("member_1")
    await member.command("xoa_het")
    assert "Không có lệnh /xoa_het" in (await member.next_message()).text
    for text in ("🙂" * 50, "\u202e\u200b" + "x" * 4000, "'; DROP TABLE members; --"):
        await member.send(text)
        assert "chưa hiểu" in (await member.next_message()).text
    assert await world.services.read.members.count() == 3740


async def test_cancel_leaves_a_flow(world: World) -> None:
    code = await _invite_code(world.person("team_leader"))
    newcomer = world.stranger(5009)
    await newcomer.command("start", code)
    await newcomer.next_message()
    await newcomer.press("Tên tôi không có ở đây")
    await newcomer.next_message()
    await newcomer.command("cancel")
    assert "Đã hủy" in (await newcomer.next_message()).text
    await newcomer.send("Tên Gì Đó")  # no longer taken as a name
    assert "chưa hiểu" in (await newcomer.next_message()).text


async def test_in_a_group_the_bot_points_to_a_private_chat(world: World) -> None:
    group = SandboxUser(world.sandbox, 5010, "Nhóm", "vi", chat_id=-100123, chat_type="group",
                               chat_title="Tổ CNS Ấp 1")
    await group.command("me")
    assert "nhắn riêng" in (await group.next_message()).text


async def test_an_admin_named_in_the_settings_needs_no_invitation(world: World) -> None:
    admin = world.stranger(ADMIN_FROM_SETTINGS, "Quản Trị Viên")
    await admin.command("me")
    assert "Vai trò: Quản trị viên" in (await admin.next_message()).text


async def test_a_language_chosen_before_joining_stays_after_joining(world: World) -> None:
    code = await _invite_code(world.person("team_leader"))
    newcomer = world.stranger(5010)
    await newcomer.command("lang", "en")
    assert "English" in (await newcomer.next_message()).text
    await newcomer.command("start", code)
    question = await newcomer.next_message()
    await newcomer.press(question.buttons[0])  # a name from the registry
    assert "Welcome" in (await newcomer.next_message()).text
    await newcomer.command("me")
    assert "Team: Ấp 1 — Xã Vị Thủy" in (await newcomer.next_message()).text

    other = world.stranger(5011)
    await other.command("lang", "en")
    await other.next_message()
    await other.command("start", code)
    await other.next_message()
    await other.press("My name is not listed")
    await other.next_message()
    await other.send("Trần Văn Mới")
    assert "Welcome, Trần Văn Mới" in (await other.next_message()).text
    member = await world.services.read.members.by_identity("telegram", "5011")
    assert member is not None
    assert member.language == "en"
