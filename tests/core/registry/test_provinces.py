"""Any province: its own communes, its own registry, and another province's rows refused clearly.

Three provinces of different sizes: Cần Thơ (92, 103 communes/wards, the demo's), Hồ Chí Minh
City (79, 168, the largest) and Lai Châu (12, 38, the smallest).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from bot.__main__ import main
from bot.config import ConfigError, load_settings
from bot.core.registry.demo import DemoSizeError, demo_xlsx_bytes, generate_demo_registry
from bot.core.registry.error_text import render_error
from bot.core.registry.geo import CommuneIndex, official_communes
from bot.core.registry.plan import RegistryPlan
from bot.core.registry.provinces import UnknownProvince, all_provinces, province_info
from bot.core.registry.reader import read_registry
from bot.core.registry.validate import plan_from_file, validate
from locales import translator
from tests.harness.registry_files import xlsx

HEADER = ["Mã xã", "Xã/Phường", "Tổ", "Họ và tên", "SĐT", "Vai trò", "Ngôn ngữ"]

#: province → (communes, one of its communes: code and name)
PROVINCES = {
    "92": (103, "31441", "Xã Vị Thủy"),
    "79": (168, "26740", "Phường Sài Gòn"),
    "12": (38, "03388", "Phường Đoàn Kết"),
}
NAMES = {"92": "Thành phố Cần Thơ", "79": "Thành phố Hồ Chí Minh", "12": "Lai Châu"}


def _plan(province: str, rows: list[list[object]]) -> RegistryPlan:
    raw = read_registry(xlsx({"Thành viên": [HEADER, *rows]}), "r.xlsx")
    return validate(raw, CommuneIndex.official(province))


def _messages(plan: RegistryPlan) -> list[str]:
    t = translator("vi")
    return [render_error(t, "vi", e) for e in plan.errors]


def test_the_34_provinces_after_the_merger() -> None:
    provinces = all_provinces()
    assert len(provinces) == 34
    assert {p.code: p.name for p in provinces if p.code in NAMES} == NAMES
    assert province_info("1").code == province_info("01").code == "01"
    for wrong in ("93", "0", "abc", "", "7900"):  # 93 was Hậu Giang before 2025
        with pytest.raises(UnknownProvince):
            province_info(wrong)


@pytest.mark.parametrize("province", PROVINCES)
def test_each_province_has_its_own_communes(province: str) -> None:
    size, code, name = PROVINCES[province]
    communes = official_communes(province)
    assert len(communes) == size
    assert {c.province_code for c in communes} == {province}
    assert CommuneIndex.official(province).by_code(code).name == name  # type: ignore[union-attr]


@pytest.mark.parametrize("province", PROVINCES)
def test_a_registry_validates_against_its_own_province(province: str) -> None:
    _, code, name = PROVINCES[province]
    plan = _plan(province, [
        [code, name, "Tổ 1", "Trần Thị Hoa", "0912000111", "tổ trưởng", ""],
        ["", name, "Tổ 1", "Lê Văn Bình", "", "", ""],  # by name alone, too
    ])
    assert plan.ok, _messages(plan)
    assert {m.commune_code for m in plan.members} == {code}


@pytest.mark.parametrize(("ours", "theirs"), [("92", "79"), ("79", "12"), ("12", "92")])
def test_another_provinces_commune_code_is_refused_by_name(ours: str, theirs: str) -> None:
    _, own_code, own_name = PROVINCES[ours]
    _, code, name = PROVINCES[theirs]
    plan = _plan(ours, [
        [own_code, own_name, "Tổ 1", "Trần Thị Hoa", "", "", ""],
        [code, "", "Tổ 1", "Lê Văn Bình", "", "", ""],
        [code, "", "Tổ 2", "Phạm Văn Cường", "", "", ""],
    ])
    assert not plan.ok
    first, *rows = _messages(plan)
    # Said once for the file, then on each row: whose commune it is, and whose bot this is.
    assert first.startswith(f"Bot này phục vụ {NAMES[ours]}, nhưng 2 dòng")
    assert NAMES[theirs] in first
    assert [e.row for e in plan.errors] == [0, 3, 4]
    assert rows[0] == (f"Thành viên, dòng 3: mã xã «{code}» là {name} thuộc {NAMES[theirs]}, "
                       f"không thuộc {NAMES[ours]} mà bot này phục vụ. Vui lòng chỉ ghi "
                       f"xã/phường của {NAMES[ours]}.")


def test_one_stray_row_among_many_is_not_called_the_wrong_file() -> None:
    own = [["31441", "", f"Ấp {n}", f"Trần Văn {n}", "", "", ""] for n in "ABC"]
    plan = _plan("92", [*own, ["26740", "", "Khu phố 1", "Lê Văn Bình", "", "", ""]])
    assert [e.code for e in plan.errors] == ["registry.error.other_province"]


def test_a_commune_name_found_only_elsewhere_says_where() -> None:
    plan = _plan("79", [["", "Xã Vị Thủy", "Ấp 1", "Lê Văn Bình", "", "", ""]])
    [file_level, row] = _messages(plan)
    assert "Thành phố Cần Thơ" in file_level
    assert "«Xã Vị Thủy» không phải xã/phường của Thành phố Hồ Chí Minh" in row
    assert "(tên này có ở Thành phố Cần Thơ)" in row


def test_a_code_no_province_has_is_still_unknown() -> None:
    plan = _plan("79", [["99999", "", "Tổ 1", "Lê Văn Bình", "", "", ""]])
    assert [e.code for e in plan.errors] == ["registry.error.unknown_commune"]


@pytest.mark.parametrize("province", PROVINCES)
def test_the_demo_of_each_province_imports_there_and_nowhere_else(province: str) -> None:
    demo = generate_demo_registry(province_code=province)
    assert (len(demo.teams), len(demo.members)) == (525, 3740)
    data = demo_xlsx_bytes(registry=demo)
    assert plan_from_file(data, "demo.xlsx", province).ok
    elsewhere = plan_from_file(data, "demo.xlsx", "79" if province != "79" else "92")
    assert elsewhere.errors[0].code == "registry.error.wrong_province"
    assert elsewhere.errors[0].params["count"] == str(3740 + 525)  # every row of both sheets


def test_another_provinces_demo_covers_every_commune_named_as_there() -> None:
    demo = generate_demo_registry(province_code="79")
    per_commune = Counter(t.commune_code for t in demo.teams)
    assert set(per_commune) == {c.code for c in official_communes("79")}
    assert min(per_commune.values()) >= 2
    for team in demo.teams:  # the South: khu phố in wards, ấp in communes
        assert team.name.startswith("Khu phố " if team.kind == "area" else "Ấp ")
    mountains = generate_demo_registry(province_code="12")
    assert {t.name.rsplit(" ", 1)[0] for t in mountains.teams} == {"Tổ dân phố", "Bản"}
    assert all(p.commune_code in per_commune for p in demo.personas.values())
    bigger = generate_demo_registry(province_code="79", team_total=1000)
    assert len(bigger.teams) == 1000
    assert len(bigger.members) == round(1000 * 3740 / 525)
    with pytest.raises(DemoSizeError):
        generate_demo_registry(province_code="79", team_total=100)  # under 2 a ward
    with pytest.raises(DemoSizeError):
        generate_demo_registry(province_code="92", team_total=1000)  # the Hậu Giang demo


def test_the_cli_writes_another_provinces_demo(tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "hcm.xlsx"
    assert main(["demo-registry", str(out), "--province", "79"]) == 0
    plan = plan_from_file(out.read_bytes(), out.name, "79")
    assert plan.ok
    assert {m.commune_code for m in plan.members} <= {c.code for c in official_communes("79")}
    assert main(["demo-registry", str(tmp_path / "x.xlsx"), "--province", "93"]) == 2
    error = capsys.readouterr().err.strip()
    assert error.count("\n") == 0
    assert "--province 93" in error
    assert not (tmp_path / "x.xlsx").exists()


def test_an_unknown_province_code_is_one_configuration_line(tmp_path: Path) -> None:
    assert load_settings(PROVINCE_CODE="79").province_code == "79"
    assert load_settings(PROVINCE_CODE=" 1 ").province_code == "01"
    with pytest.raises(ConfigError) as caught:
        load_settings(PROVINCE_CODE="93")
    assert str(caught.value).startswith("Configuration error: PROVINCE_CODE: «93» is not")
    assert "\n" not in str(caught.value)
