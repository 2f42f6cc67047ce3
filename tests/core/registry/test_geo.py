from __future__ import annotations

import pytest

from bot.core.registry.geo import (
    AmbiguousCommune,
    Commune,
    CommuneIndex,
    UnknownCommune,
    hau_giang_communes,
    official_communes,
    split_prefix,
)


@pytest.fixture(scope="module")
def index() -> CommuneIndex:
    return CommuneIndex.official("92")


def test_official_list_of_can_tho() -> None:
    communes = official_communes("92")
    assert len(communes) == 103
    assert all(c.province_code == "92" and len(c.code) == 5 for c in communes)
    assert all("  " not in c.name for c in communes)
    assert {c.division_type for c in communes} <= {"xã", "phường", "đặc khu"}


def test_former_hau_giang_subset() -> None:
    communes = {c.code: c for c in hau_giang_communes()}
    assert len(communes) == 28
    assert communes["31321"].name == "Phường Vị Thanh"
    assert communes["31441"].name == "Xã Vị Thủy"
    assert communes["31340"].name == "Phường Ngã Bảy"
    assert communes["31471"].name == "Phường Long Mỹ"
    assert communes["31366"].name == "Xã Châu Thành"
    assert communes["31420"].name == "Xã Phụng Hiệp"
    assert communes["31378"].name == "Xã Phú Hữu"  # "Xã  Phú Hữu" in the package
    assert all(c.former_district for c in communes.values())
    assert communes["31441"].former_district == "Huyện Vị Thủy"
    assert communes["31321"].former_district == "Thành phố Vị Thanh"


@pytest.mark.parametrize("text", [
    "Xã Vị Thủy", "xa vi thuy", "VI THUY", "Vị  Thủy", "  x. vi thuy ", "X.Vị Thủy", "31441",
    " 31441 ", "31441.0", "vithuy",
])
def test_resolve_forgiving(index: CommuneIndex, text: str) -> None:
    assert index.resolve(text).code == "31441"


@pytest.mark.parametrize(("text", "code"), [
    ("Phường Ngã Bảy", "31340"), ("p.nga bay", "31340"), ("P. Ngã Bảy", "31340"),
    ("phuong vi thanh", "31321"), ("Vị Thanh 1", "31465"), ("xa  phu huu", "31378"),
    ("Phú Hữu", "31378"),
])
def test_resolve_examples(index: CommuneIndex, text: str, code: str) -> None:
    assert index.resolve(text).code == code


def test_wrong_prefix_is_unknown(index: CommuneIndex) -> None:
    # There is a Phường Vị Thanh, but no Xã Vị Thanh any more.
    with pytest.raises(UnknownCommune):
        index.resolve("Xã Vị Thanh")


@pytest.mark.parametrize("text", ["Hà Nội", "", "99999", "xa"])
def test_unknown(index: CommuneIndex, text: str) -> None:
    with pytest.raises(UnknownCommune) as caught:
        index.resolve(text)
    assert caught.value.code == "registry.error.unknown_commune"


def test_ambiguous_lists_candidates() -> None:
    index = CommuneIndex([
        Commune(code="00001", name="Xã Long Phú", division_type="xã", province_code="99"),
        Commune(code="00002", name="Phường Long Phú", division_type="phường", province_code="99"),
    ])
    with pytest.raises(AmbiguousCommune) as caught:
        index.resolve("long phu")
    assert caught.value.code == "registry.error.ambiguous_commune"
    assert caught.value.params["candidates"] == "Xã Long Phú (00001), Phường Long Phú (00002)"
    assert index.resolve("xa long phu").code == "00001"
    assert index.resolve("P. Long Phú").code == "00002"


def test_split_prefix() -> None:
    assert split_prefix("Xã  Vị Thủy") == ("xã", "Vị Thủy")
    assert split_prefix("P.Ngã Bảy") == ("phường", "Ngã Bảy")
    assert split_prefix("Vị Thủy") == (None, "Vị Thủy")
    assert split_prefix("Xã") == (None, "Xã")
