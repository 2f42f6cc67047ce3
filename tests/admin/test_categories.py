"""/category: admins change the activity categories from a phone; members see it at once."""

from __future__ import annotations

import pytest

from bot.core.categories import (
    ERRORS,
    MAX_ALIASES,
    VERBS,
    CategoryInputError,
    Draft,
    parse_edit,
    plan,
    reorder,
    split_emoji,
)
from bot.core.i18n import LANGUAGES
from bot.core.models import Category
from bot.sandbox import SandboxUser
from locales import load_catalogue
from tests.harness.world import World

HTX = "htx | Hỗ trợ hợp tác xã | Cooperative support | hop tac xa, htx"


def _category(id_: int, code: str, *aliases: str, active: bool = True,
              label_vi: str = "", label_en: str = "") -> Category:
    return Category(id=id_, code=code, label_vi=label_vi or f"Việc {code}",
                    label_en=label_en or f"Work {code}", emoji="", aliases=aliases,
                    position=id_, active=active)


SEED = [
    _category(1, "cks", "chữ ký số", "chu ky so", label_vi="Chữ ký số công cộng"),
    _category(2, "dvc", "dịch vụ công", label_vi="Dịch vụ công trực tuyến"),
    _category(3, "cu", "việc cũ", active=False),
]


def _refused(args: str, categories: list[Category] = SEED) -> CategoryInputError:
    with pytest.raises(CategoryInputError) as caught:
        plan(parse_edit(args), categories)
    return caught.value


# --- the pure rules ----------------------------------------------------------------------------

def test_add_reads_the_fields_the_emoji_and_the_aliases() -> None:
    edit = parse_edit("add HTX | 🤝  Hỗ trợ hợp tác xã | Cooperative support | hop tac xa, HTX,"
                      " Hợp tác xã, , hop tac xa")
    after = plan(edit, SEED)
    assert after == Draft("htx", "Hỗ trợ hợp tác xã", "Cooperative support", "🤝",
                          ("hop tac xa", "HTX"))  # repeats without diacritics kept once
    assert plan(parse_edit("add htx | Hỗ trợ | Support"), SEED).aliases == ()


def test_emoji_with_a_variation_selector_or_none_at_all() -> None:
    assert split_emoji("✍️ Chữ ký") == ("✍️", "Chữ ký")
    assert split_emoji("Chữ ký ✍️") == ("", "Chữ ký ✍️")
    assert split_emoji("3 việc") == ("", "3 việc")


@pytest.mark.parametrize(("args", "code"), [
    ("add h | Hỗ trợ | Support", "bad_code"),
    ("add hỗ-trợ | Hỗ trợ | Support", "bad_code"),
    ("add " + "x" * 17 + " | Hỗ trợ | Support", "bad_code"),
    ("add cks | Hỗ trợ | Support", "code_taken"),
    ("add cu | Hỗ trợ | Support", "code_taken"),            # an inactive one keeps its code
    ("add htx | Hỗ trợ", "usage_add"),
    ("add htx | Hỗ trợ | Support | a | b", "usage_add"),
    ("add htx | 🤝 | Support", "label_length"),
    ("add htx | Hỗ trợ | " + "x" * 61, "label_length"),
    ("add htx | Hỗ trợ | Support | " + "x" * 41, "alias_too_long"),
    ("add htx | Hỗ trợ | Support | " + ", ".join(f"a{i}" for i in range(MAX_ALIASES + 1)),
     "too_many_aliases"),
    ("add htx | Hỗ trợ | Support | hop tac xa, CHU KY SO", "ambiguous"),
    ("add htx | Hỗ trợ | Support | dich vu cong truc tuyen", "ambiguous"),  # another's label
    ("add dich_vu | Dịch vụ công | Support", "ambiguous"),    # its label is another's alias
    ("rename nope vi Tên mới", "unknown"),
    ("rename cks fr Nom", "bad_lang"),
    ("rename cks vi " + "x" * 61, "label_length"),
    ("rename dvc vi Chữ ký số", "ambiguous"),
    ("aliases dvc cks", "ambiguous"),
    ("aliases dvc", "no_aliases"),
    ("aliases dvc " + "y" * 41, "alias_too_long"),
    ("move cks zero", "bad_position"),
    ("move cks 0", "bad_position"),
    ("move", "usage_move"),
    ("delete cks", "usage"),
    ("off nope", "unknown"),
])
def test_bad_changes_are_refused_with_the_reason(args: str, code: str) -> None:
    assert _refused(args).code == code


def test_an_unknown_code_lists_the_codes() -> None:
    assert _refused("off xyz").params["codes"] == "cks, dvc, cu"


def test_inactive_categories_do_not_make_anything_ambiguous_until_turned_on() -> None:
    assert plan(parse_edit("add moi | Mới | New | viec cu"), SEED).aliases == ("viec cu",)
    assert plan(parse_edit("aliases cu chu ky so"), SEED).aliases == ("chu ky so",)
    clash = [*SEED[:2], _category(3, "cu", "chu ky so", active=False)]
    problem = _refused("on cu", clash)
    assert (problem.code, problem.params["code"]) == ("ambiguous", "cks")


def test_a_category_keeps_its_own_words_when_changed() -> None:
    assert plan(parse_edit("aliases cks cks, chu ky so, ky so"), SEED).aliases == (
        "cks", "chu ky so", "ky so")
    assert plan(parse_edit("rename cks vi ✍️ Chữ ký số"), SEED).emoji == "✍️"
    assert plan(parse_edit("rename cks en Signing"), SEED).label_en == "Signing"


def test_at_least_one_category_stays_active() -> None:
    assert plan(parse_edit("off dvc"), SEED).active is False
    assert _refused("off dvc", SEED[1:]).code == "last_active"


def test_move_renumbers_everything_in_order() -> None:
    assert reorder(SEED, "cu", 1) == [(3, 1), (1, 2), (2, 3)]
    assert reorder(SEED, "cks", 99) == [(2, 1), (3, 2), (1, 3)]


def test_every_error_and_confirmation_has_a_message() -> None:
    for lang in LANGUAGES:
        catalogue = load_catalogue(lang)
        keys = {f"category.error_{code}" for code in ERRORS}
        keys |= {f"category.done_{verb}" for verb in VERBS}
        keys |= {f"audit.action.category.{verb}" for verb in VERBS}
        assert keys - set(catalogue) == set(), lang


# --- end to end through the sandbox ------------------------------------------------------------

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
    assert "1. ✍️ cks — Chữ ký số công cộng / Public digital signature" in listing
    assert "/category add" in listing
    assert "Hỗ trợ hợp tác xã" not in " ".join(await _log_buttons(member))

    done = await _answer(admin, "add htx | 🤝 Hỗ trợ hợp tác xã | Cooperative support"
                                " | hop tac xa, htx")
    assert "Đã thêm nhóm việc htx" in done
    assert "8. 🤝 htx — Hỗ trợ hợp tác xã / Cooperative support" in done
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
    assert "1. 📌 khac" in done
    assert "2. ✍️ cks" in done
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
