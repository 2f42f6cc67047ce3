"""/import through the real bot and the sandbox: a dry run, then Confirm applies it once."""

from __future__ import annotations

from storage.repos import Repos
from tests.harness.registry_files import csv_text, xlsx
from tests.harness.world import World

HEADER = ["Mã xã", "Xã/Phường", "Tổ", "Họ và tên", "SĐT", "Vai trò", "Ngôn ngữ"]
GOOD = [
    HEADER,
    ["31441", "Xã Vị Thủy", "Ấp Mới Lập", "Trần Thị Hoa", "0912 000 111", "tổ trưởng", ""],
    ["31441", "Xã Vị Thủy", "Ấp Mới Lập", "Lê Văn Bình", "", "", ""],
]
BROKEN = [
    HEADER,
    ["31441", "Xã Vị Thủy", "Ấp Mới Lập", "Trần Thị Hoa", "0912 000 111", "", ""],
    ["99999", "Xã Không Có", "Ấp 1", "Lê Văn Bình", "", "", ""],
    ["31441", "Xã Vị Thủy", "Ấp 2", "Phạm Văn C", "12345", "", ""],
]


async def test_a_good_file_is_checked_then_applied_on_confirm(world: World) -> None:
    admin = world.person("admin")
    read = world.services.read
    before = await read.members.count()
    await admin.upload("danh-sach.xlsx", xlsx({"Thành viên": GOOD}), caption="/import",
                       as_document=True)
    checked = await admin.wait_for(lambda m: "Kiểm tra xong" in m.text, timeout=10)
    assert "Tổ mới: 1" in checked.text
    assert "Thành viên mới: 2" in checked.text
    assert "Vai trò mới: 1" in checked.text
    assert await read.members.count() == before  # a dry run saves nothing
    assert await read.teams.find("31441", "Ấp Mới Lập") is None

    await admin.press("✅ Xác nhận nhập")
    done = await admin.wait_for(lambda m: "Đã nhập danh sách" in m.text, timeout=10)
    assert done.message_id == checked.message_id  # the same message, edited in place
    assert await read.members.count() == before + 2
    team = await read.teams.find("31441", "ap moi lap")
    assert team is not None
    names = {m.full_name for m in await read.members.in_team(team.id)}
    assert names == {"Trần Thị Hoa", "Lê Văn Bình"}
    entry = (await read.audit.latest(1, action="registry.import"))[0]
    assert entry.target == "danh-sach.xlsx"
    assert entry.actor_name == "Cao Đức Thắng"

    assert not done.buttons  # spent: it cannot be applied twice


async def test_a_broken_file_lists_its_errors_by_row_and_changes_nothing(world: World) -> None:
    admin = world.person("admin")
    read = world.services.read
    before = await read.members.count()
    await admin.command("import")
    assert "gửi tệp" in (await admin.next_message()).text.lower()
    data = csv_text(BROKEN).encode("utf-8")
    await admin.upload("loi.csv", data, as_document=True, mime_type="text/csv")
    answer = await admin.wait_for(lambda m: "không được nhập" in m.text, timeout=10)
    assert "2 lỗi" in answer.text
    assert "dòng 3" in answer.text.lower()
    assert "dòng 4" in answer.text.lower()
    assert not answer.buttons  # nothing to confirm
    assert await read.members.count() == before
    assert await read.teams.find("31441", "Ấp Mới Lập") is None


async def test_a_document_sent_without_the_command_is_taken_as_an_import(world: World) -> None:
    admin = world.person("admin")
    await admin.upload("ds.xlsx", xlsx({"Thành viên": GOOD}), as_document=True)
    said = await admin.next_message()
    assert "coi tệp này là danh sách" in said.text
    checked = await admin.wait_for(lambda m: "Kiểm tra xong" in m.text, timeout=10)
    await admin.press("✖️ Hủy", message=checked)
    cancelled = await admin.wait_for(lambda m: "Đã hủy" in m.text)
    assert "không thay đổi" in cancelled.text
    assert await world.services.read.teams.find("31441", "Ấp Mới Lập") is None


async def test_a_file_that_changes_nothing_says_so(world: World) -> None:
    from bot.core.registry.demo import demo_xlsx_bytes

    admin = world.person("admin")
    await admin.upload("demo.xlsx", demo_xlsx_bytes(), caption="/import", as_document=True)
    answer = await admin.wait_for(lambda m: "không có gì thay đổi" in m.text, timeout=20)
    assert not answer.buttons


async def test_a_member_sending_a_file_imports_nothing(world: World) -> None:
    member = world.person("member_1")
    await member.upload("ds.xlsx", xlsx({"Thành viên": GOOD}), caption="/import",
                        as_document=True)
    refusal = await member.next_message()
    assert "Quản trị viên" in refusal.text
    async with world.services.db.write() as conn:
        assert await Repos(conn).teams.find("31441", "Ấp Mới Lập") is None


async def test_someone_promoted_by_an_import_sees_their_new_commands(world: World) -> None:
    admin, member = world.person("admin"), world.person("member_1")
    mai = world.demo.registry.personas["member_1"]
    await member.command("start")
    await member.next_message()
    assert "invite" not in {c["command"] for c in member.commands}
    promoted = [HEADER, [mai.commune_code, mai.commune_name, mai.team_name, mai.full_name,
                         mai.phone, "tổ trưởng", ""]]
    await admin.upload("to-truong.csv", csv_text(promoted).encode(), caption="/import",
                       as_document=True)
    await admin.wait_for(lambda m: "Kiểm tra xong" in m.text, timeout=10)
    await admin.press("✅ Xác nhận nhập")
    await admin.wait_for(lambda m: "Đã nhập danh sách" in m.text, timeout=10)
    await member.refresh()
    assert "invite" in {c["command"] for c in member.commands}
