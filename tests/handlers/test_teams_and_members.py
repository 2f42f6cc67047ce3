"""/team and /member through the real bot: activity views, and fixing the registry."""

from __future__ import annotations

from datetime import date

from bot.app.demo import PERSONA_IDS
from bot.core.roles import Role
from storage.repos import Repos
from tests.harness.factories import log_session
from tests.harness.world import World


async def _member_id(world: World, persona: str) -> int:
    member = await world.services.read.members.by_identity("telegram",
                                                           str(PERSONA_IDS[persona]))
    assert member is not None
    return member.id


async def test_a_team_leader_sees_each_members_week(quiet_world: World) -> None:
    world = quiet_world
    mai = await _member_id(world, "member_1")
    await log_session(world.services.db, world.clock, mai, "cks", 4, date(2026, 11, 23), "p1")
    await log_session(world.services.db, world.clock, mai, "cks", 9, date(2026, 11, 16), "p2")
    leader = world.person("team_leader")
    await leader.command("team")
    view = await leader.next_message()
    assert "Tổ Ấp 1 — Xã Vị Thủy" in view.text
    assert "Nguyễn Thị Mai: 1 buổi, 4 người dân" in view.text  # last week's does not count
    assert "Nguyễn Thanh Sang: 💤 chưa ghi" in view.text
    assert "Lê Hữu Toàn ⭐" in view.text  # the leader
    assert not view.buttons  # a leader does not manage the registry


async def test_a_commune_coordinator_sees_the_teams_then_one_team(quiet_world: World) -> None:
    world = quiet_world
    mai = await _member_id(world, "member_1")
    await log_session(world.services.db, world.clock, mai, "vneid", 2, date(2026, 11, 23), "p3")
    coordinator = world.person("commune_coordinator")
    await coordinator.command("team")
    listing = await coordinator.next_message()
    assert "Xã Vị Thủy" in listing.text
    assert "• Ấp 1: 1 buổi · 2 người dân" in listing.text
    assert "💤" in listing.text
    await coordinator.press("Ấp 1")
    team = await coordinator.next_message()
    assert "Tổ Ấp 1 — Xã Vị Thủy" in team.text
    assert "✏️ Đổi tên tổ" in team.buttons
    # Found by name without diacritics, too.
    await coordinator.command("team", "ap 1")
    assert "Tổ Ấp 1 — Xã Vị Thủy" in (await coordinator.next_message()).text


async def test_find_rename_and_phone_masking(quiet_world: World) -> None:
    world = quiet_world
    coordinator = world.person("commune_coordinator")
    await coordinator.command("member", "nguyen thi mai")
    card = await coordinator.next_message()
    assert "Nguyễn Thị Mai" in card.text
    assert "Tổ: Ấp 1 — Xã Vị Thủy" in card.text
    assert "0893261662" not in card.text
    assert "662" in card.text
    await coordinator.press("✏️ Đổi tên")
    assert "tên đúng" in (await coordinator.next_message()).text
    await coordinator.send("Nguyễn  Thị Mai Anh")
    confirm = await coordinator.next_message()
    assert "Nguyễn Thị Mai Anh" in confirm.text
    await coordinator.press("✅ Xác nhận")
    assert "Đã đổi tên" in (await coordinator.next_message()).text
    mai = await world.services.read.members.get(await _member_id(world, "member_1"))
    assert mai is not None
    assert mai.full_name == "Nguyễn Thị Mai Anh"
    entry = (await world.services.read.audit.latest(1))[0]
    assert (entry.action, entry.actor_name) == ("member.rename", "Đỗ Tấn Phong")

    admin = world.person("admin")
    await admin.command("member", "Mai Anh")
    assert "0893261662" in (await admin.next_message()).text  # admins see the number


async def test_a_role_change_updates_the_members_menu(quiet_world: World) -> None:
    world = quiet_world
    member = world.person("member_1")
    await member.command("start")
    await member.next_message()
    await member.refresh()
    assert "team" not in {c["command"] for c in member.commands}

    coordinator = world.person("commune_coordinator")
    await coordinator.command("member", "Nguyễn Thị Mai")
    await coordinator.next_message()
    await coordinator.press("🎖 Đổi vai trò")
    roles = await coordinator.next_message()
    assert "Tổ trưởng" in roles.buttons
    assert "Quản trị viên" not in roles.buttons  # beyond a commune coordinator's reach
    await coordinator.press("Tổ trưởng")
    await coordinator.next_message()
    await coordinator.press("✅ Xác nhận")
    assert "giờ là Tổ trưởng" in (await coordinator.next_message()).text

    mai = await _member_id(world, "member_1")
    grants = await world.services.read.access.grants_of(mai)
    assert [g.role for g in grants] == [Role.TEAM_LEADER]
    await member.refresh()
    assert "team" in {c["command"] for c in member.commands}


async def test_move_and_deactivate(quiet_world: World) -> None:
    world = quiet_world
    coordinator = world.person("commune_coordinator")
    read = world.services.read
    sang = await _member_id(world, "member_2")
    await coordinator.command("member", "thanh sang")
    await coordinator.next_message()
    await coordinator.press("🔀 Chuyển tổ")
    await coordinator.next_message()
    await coordinator.press("Ấp 2")
    assert "Ấp 2" in (await coordinator.next_message()).text
    await coordinator.press("✅ Xác nhận")
    assert "Đã chuyển" in (await coordinator.next_message()).text
    moved = await read.members.get(sang)
    ap2 = await read.teams.find("31441", "Ấp 2")
    assert moved is not None
    assert ap2 is not None
    assert moved.team_id == ap2.id

    await coordinator.command("member", "thanh sang")
    await coordinator.next_message()
    await coordinator.press("⛔ Ngừng hoạt động")
    await coordinator.next_message()
    await coordinator.press("✅ Xác nhận")
    assert "đã ngừng hoạt động" in (await coordinator.next_message()).text
    gone = await read.members.get(sang)
    assert gone is not None
    assert not gone.active
    sang_chat = world.person("member_2")
    await sang_chat.command("me")
    assert "tham gia tổ trước" in (await sang_chat.next_message()).text


async def test_add_a_member_and_a_team(quiet_world: World) -> None:
    world = quiet_world
    coordinator = world.person("commune_coordinator")
    read = world.services.read
    await coordinator.command("team", "add", "Ấp Tân Lập")
    assert "Đã thêm tổ Ấp Tân Lập vào Xã Vị Thủy" in (await coordinator.next_message()).text
    team = await read.teams.find("31441", "ap tan lap")
    assert team is not None

    await coordinator.command("member", "add")
    assert "họ tên" in (await coordinator.next_message()).text
    await coordinator.send("Võ Văn Tư 0912.888.777")
    await coordinator.next_message()
    await coordinator.press("Ấp Tân Lập")
    confirm = await coordinator.next_message()
    assert "Võ Văn Tư" in confirm.text
    assert "Ấp Tân Lập" in confirm.text
    await coordinator.press("✅ Xác nhận")
    assert "Đã thêm Võ Văn Tư" in (await coordinator.next_message()).text
    added = await read.members.by_phone("0912888777")
    assert added is not None
    assert added.team_id == team.id

    # A team with members cannot be deactivated; the reply says what to do first.
    await coordinator.command("team", "tan lap")
    await coordinator.next_message()
    await coordinator.press("⛔ Ngừng hoạt động")
    assert "chuyển họ sang tổ khác" in (await coordinator.next_message()).text

    async with world.services.db.write() as conn:
        actions = [e.action for e in await Repos(conn).audit.latest(5)]
    assert "team.add" in actions
    assert "member.add" in actions
