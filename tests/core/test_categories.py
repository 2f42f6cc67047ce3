"""/category's rules: reading an admin's change, and what it may not do to the categories."""

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
from locales import load_catalogue

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
