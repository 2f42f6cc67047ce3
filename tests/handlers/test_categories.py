"""/category: admins change the activity categories from a phone; members see it at once."""

from __future__ import annotations

import pytest

from bot.sandbox import SandboxUser
from tests.harness.world import World


async def _answer(person: SandboxUser, args: str = "") -> str:
    await person.send(f"/category {args}".strip())
    return (await person.next_message()).text


async def _log_buttons(member: SandboxUser) -> list[str]:
    await member.command("log")
    buttons = list((await member.next_message()).buttons)
    await member.command("cancel")
    await member.next_message()
    return buttons


async def test_an_added_category_is_offered_and_understood_at_once(world: World) -> None:
    admin, member = world.person("admin"), world.person("member_1")
    listing = await _answer(admin)
    assert "• #1 ✍️ cks — Chữ ký số công cộng / Public digital signature" in listing
    assert "/category add" in listing
    assert "Hỗ trợ hợp tác xã" not in " ".join(await _log_buttons(member))

    done = await _answer(admin, "add htx | 🤝 Hỗ trợ hợp tác xã | Cooperative support"
                                " | hop tac xa, htx")
    assert "Đã thêm nhóm việc htx" in done
    assert "• #8 🤝 htx — Hỗ trợ hợp tác xã / Cooperative support" in done
    assert "hop tac xa, htx" in done
    entry = (await world.services.read.audit.latest(1))[0]
    assert (entry.action, entry.target) == ("category.add", "htx")
    assert entry.actor_member_id is not None
    assert entry.details["aliases"] == "hop tac xa, htx"

    assert "🤝 Hỗ trợ hợp tác xã" in await _log_buttons(member)
    await member.send("3 hop tac xa")
    summary = await member.next_message()
    assert "Hỗ trợ hợp tác xã" in summary.text
    assert "Số người dân: 3" in summary.text
    await member.press("✅ Lưu")
    assert "Đã lưu" in (await member.next_message()).text

    # Renamed: members see the new label, in the buttons and in their history.
    done = await _answer(admin, "rename htx vi Hỗ trợ HTX")
    assert "htx — Hỗ trợ HTX / Cooperative support" in done
    assert "🤝 Hỗ trợ HTX" in await _log_buttons(member)

    # Off: no longer offered nor understood, but the session logged with it keeps it.
    done = await _answer(admin, "off htx")
    assert "Đã tắt nhóm việc htx" in done
    assert "Hỗ trợ HTX" not in " ".join(await _log_buttons(member))
    await member.command("my")
    history = (await member.next_message()).text
    assert "🤝 Hỗ trợ HTX: 3" in history      # this week, by category
    assert "🤝 Hỗ trợ HTX — 3 người" in history  # the last entries
    listing = await _answer(admin)
    assert "htx — Hỗ trợ HTX / Cooperative support (đã tắt" in listing


async def test_aliases_are_replaced_and_the_order_changed(world: World) -> None:
    admin, member = world.person("admin"), world.person("member_1")
    done = await _answer(admin, "aliases khac viec khac, other, linh tinh")
    assert "khác" not in done.split("gõ nhanh:")[1]
    assert "viec khac, other, linh tinh" in done
    await member.send("2 linh tinh")
    assert "Khác" in (await member.next_message()).text
    await member.command("cancel")
    await member.next_message()

    done = await _answer(admin, "move khac 1")
    assert "Thứ tự mới" in done
    assert "• #1 📌 khac" in done
    assert "• #2 ✍️ cks" in done
    assert (await _log_buttons(member))[0] == "📌 Khác"
    actions = [e.action for e in await world.services.read.audit.latest(2)]
    assert actions == ["category.move", "category.aliases"]


@pytest.mark.parametrize(("args", "says"), [
    ("add cks2 | Ký số | Signing | chu ky so",
     "“chu ky so” đã là mã, tên hoặc từ gõ nhanh của nhóm việc cks"),
    ("add ks | Ký số | Signing | CKS", "nhóm việc cks"),
    ("add h | Hỗ trợ | Support", "từ 2 đến 16 ký tự"),
    ("add htx | " + "x" * 61 + " | Support", "từ 1 đến 60 ký tự"),
    ("rename khac en " + "y" * 61, "rút gọn"),
    ("rename nope vi Tên", "Các mã đang có: cks, tmdt, vneid, dvc, ttkdtm, kns, khac"),
    ("off nope", "Các mã đang có: cks"),
    ("aliases dvc ky so", "nhóm việc cks"),
    ("launch", "/category add"),
])
async def test_bad_input_is_answered_politely_and_changes_nothing(
    world: World, args: str, says: str
) -> None:
    read = world.services.read
    before = await read.categories.all()
    answer = await _answer(world.person("admin"), args)
    assert says in answer, answer
    assert "anh/chị" in answer.lower() or "Các mã đang có" in answer
    assert await read.categories.all() == before
    assert not [e for e in await read.audit.latest(5) if e.action.startswith("category.")]


async def test_the_last_active_category_cannot_be_turned_off(world: World) -> None:
    admin = world.person("admin")
    codes = [c.code for c in await world.services.read.categories.active()]
    for code in codes[:-1]:
        assert "Đã tắt" in await _answer(admin, f"off {code}")
    assert "ít nhất một nhóm việc" in await _answer(admin, f"off {codes[-1]}")
    assert [c.code for c in await world.services.read.categories.active()] == codes[-1:]


async def test_a_commune_coordinator_is_refused(world: World) -> None:
    answer = await _answer(world.person("commune_coordinator"), "off cks")
    assert "/category chỉ dành cho" in answer
    assert len(await world.services.read.categories.active()) == 7
    entry = (await world.services.read.audit.latest(1, action="denied"))[0]
    assert entry.target == "/category"
