"""Every admin command × every demo persona, as the permission table says, through the bot."""

from __future__ import annotations

import pytest

from tests.harness.world import World

COMMANDS = ("invite", "import", "export", "stats", "team", "member", "audit", "broadcast",
            "digest", "schedule", "category", "target", "allowance", "pause")
#: Who is served, straight from bot.core.permissions.PERMISSIONS.
SERVED = {
    "member_1": {"pause"},
    "team_leader": {"invite", "team", "pause"},
    "commune_coordinator": {"invite", "export", "stats", "team", "member", "broadcast",
                            "digest", "pause"},
    "province_coordinator": {"invite", "export", "stats", "team", "member", "audit",
                             "broadcast", "digest", "target", "pause"},
    "admin": set(COMMANDS),
}
#: A word of the first answer someone who is served gets.
SERVED_SAYS = {
    "invite": "mời",
    "import": "gửi tệp",
    "export": "khoảng thời gian",
    "stats": "Số liệu",
    "team": "Tổ",
    "member": "/member",
    "audit": "thao tác",
    "broadcast": "Gửi thông báo tới ai",
    "digest": "bản tổng hợp",
    "schedule": "Lịch gửi tự động",
    "category": "Nhóm việc hỗ trợ",
    "target": "chỉ tiêu",
    "allowance": "phụ cấp",
    "pause": "tạm dừng",
}


@pytest.mark.parametrize("persona", list(SERVED))
async def test_each_command_is_served_or_refused_as_the_table_says(world: World,
                                                                   persona: str) -> None:
    person = world.person(persona)
    read = world.services.read
    for command in COMMANDS:
        await person.command(command)
        answer = await person.next_message()
        if command in SERVED[persona]:
            assert SERVED_SAYS[command].lower() in answer.text.lower(), (command, answer.text)
            assert "chỉ dành cho" not in answer.text
        else:
            assert f"/{command} chỉ dành cho" in answer.text, (command, answer.text)
            assert "trở lên" in answer.text  # and it says who can
            entry = (await read.audit.latest(1, action="denied"))[0]
            assert entry.target == f"/{command}"


async def test_a_commune_coordinator_is_kept_to_their_commune(world: World) -> None:
    coordinator = world.person("commune_coordinator")
    read = world.services.read
    for args, target in ((("tháng này", "Vị Thanh"), "/export Phường Vị Thanh"),
                         (("Vị Thanh",), "/stats Phường Vị Thanh"),
                         (("Phường Vị Thanh",), "/team Phường Vị Thanh"),
                         (("Cao Đức Thắng",), "/member Phường Vị Thanh")):
        command = target.split()[0][1:]
        await coordinator.command(command, *args)
        refusal = await coordinator.next_message()
        assert "Phường Vị Thanh" in refusal.text, refusal.text
        assert "không phụ trách" in refusal.text
        assert "Điều phối viên" in refusal.text  # who can
        entry = (await read.audit.latest(1, action="denied"))[0]
        assert entry.target == target


async def test_the_command_menu_follows_the_role(world: World) -> None:
    coordinator = world.person("commune_coordinator")
    await coordinator.command("start")
    await coordinator.next_message()
    await coordinator.refresh()
    menu = {c["command"]: c["description"] for c in coordinator.commands}
    assert {"export", "stats", "team", "member"} <= set(menu)
    assert "import" not in menu
    assert "audit" not in menu
    assert menu["export"] == "Xuất báo cáo hoạt động (Excel)"
    assert menu["pause"] == "Tạm dừng lời nhắc khi nghỉ phép"
    assert "target" not in menu
    assert "allowance" not in menu


async def test_help_lists_the_steering_commands_of_each_role_in_their_language(
        world: World) -> None:
    helps = {}
    for persona in ("member_2", "province_coordinator", "admin"):   # member_2 reads English
        person = world.person(persona)
        await person.command("help")
        helps[persona] = (await person.next_message()).text
    assert "/pause — Pause reminders while on leave" in helps["member_2"]
    assert "/resume — Get reminders again" in helps["member_2"]
    assert "/target" not in helps["member_2"]
    assert "/target — Đặt chỉ tiêu và xem tiến độ" in helps["province_coordinator"]
    assert "/allowance" not in helps["province_coordinator"]
    assert "/allowance — Quy định phụ cấp cho tổ và thành viên" in helps["admin"]


async def test_audit_shows_who_did_what_when(world: World) -> None:
    coordinator = world.person("commune_coordinator")
    await coordinator.command("export", "tháng này", "Vị Thanh")
    await coordinator.next_message()
    province = world.person("province_coordinator")
    await province.command("audit", "tuchoi")
    log = await province.next_message()
    assert "Đỗ Tấn Phong: bị từ chối /export Phường Vị Thanh" in log.text
    assert "23/11/2026 09:00" in log.text  # local time
