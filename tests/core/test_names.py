"""One name rule for the registry import, /member and /team."""

from __future__ import annotations

import pytest

from bot.core.names import MAX_PERSON_NAME, person_name, team_name
from bot.core.registry.geo import CommuneIndex
from bot.core.registry.reader import read_registry
from bot.core.registry.validate import validate
from tests.harness.registry_files import xlsx

HEADER = ["Mã xã", "Xã/Phường", "Tổ", "Họ và tên", "SĐT", "Vai trò", "Ngôn ngữ"]


@pytest.mark.parametrize(("raw", "person", "team"), [
    ("  Nguyễn   Thị  Mai ", "Nguyễn Thị Mai", "Nguyễn Thị Mai"),
    ("Ấp 3", "Ấp 3", "Ấp 3"),
    ("123", None, "123"),
    ("???", None, None),
    ("", None, None),
    ("A" * (MAX_PERSON_NAME + 1), None, None),
    ("Nguye\u0302\u0303n", "Nguyễn", "Nguyễn"),  # decomposed input is stored composed (NFC)
])
def test_person_and_team_names(raw: str, person: str | None, team: str | None) -> None:
    assert person_name(raw) == person
    assert team_name(raw) == team


def test_the_import_refuses_what_member_rename_refuses() -> None:
    plan = validate(read_registry(xlsx({"Thành viên": [
        HEADER, ["31441", "", "Ấp 1", "12345", "", "", ""],
        ["31441", "", "Ấp 1", "Lê   Văn Cường", "", "", ""],
    ]}), "r.xlsx"), CommuneIndex.official("92"))
    assert [(e.row, e.code) for e in plan.errors] == [(2, "registry.error.bad_name")]
    assert person_name("12345") is None
