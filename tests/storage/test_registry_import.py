"""Importing the registry into real SQLite: exact counts, idempotent, all-or-nothing."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.core.registry.demo import demo_xlsx_bytes, write_demo_xlsx
from bot.core.registry.validate import plan_from_file
from storage.db import Database
from storage.registry_import import import_plan
from storage.repos import Repos
from tests.harness.clock import FakeClock
from tests.harness.registry_files import csv_text

ROOT = Path(__file__).resolve().parents[2]
HEADER = ["Mã xã", "Xã/Phường", "Tổ", "Họ và tên", "Số điện thoại", "Vai trò"]


@pytest.fixture(scope="module")
def demo_bytes() -> bytes:
    return demo_xlsx_bytes()


async def _counts(db: Database) -> tuple[int, int]:
    repos = Repos(db.reader)
    return await repos.teams.count(), await repos.members.count()


async def test_the_demo_registry_gives_525_teams_and_3740_members_and_again_nothing(
    db: Database, clock: FakeClock, demo_bytes: bytes
) -> None:
    plan = plan_from_file(demo_bytes, "demo.xlsx", "92")
    first = await import_plan(db, plan, province_code="92", now=clock())
    assert first.applied
    assert first.errors == []
    assert (first.teams_new, first.members_new) == (525, 3740)
    assert await _counts(db) == (525, 3740)

    clock.advance(days=1)
    again = await import_plan(db, plan_from_file(demo_bytes, "demo.xlsx", "92"), province_code="92",
                              now=clock())
    assert again.changes == 0
    assert again.unchanged == 525 + 3740
    assert await _counts(db) == (525, 3740)
    leaders = await db.reader.execute_fetchall(
        "SELECT COUNT(*) FROM role_grants WHERE role = 'team_leader'")
    assert next(iter(leaders))[0] == 525


async def test_a_dry_run_counts_but_saves_nothing(db: Database, clock: FakeClock,
                                                  demo_bytes: bytes) -> None:
    summary = await import_plan(db, plan_from_file(demo_bytes, "demo.xlsx", "92"),
                                province_code="92", now=clock(), dry_run=True)
    assert not summary.applied
    assert (summary.teams_new, summary.members_new) == (525, 3740)
    assert await _counts(db) == (0, 0)


async def test_a_file_with_bad_rows_is_rejected_whole_naming_each_row(
    db: Database, clock: FakeClock
) -> None:
    rows = [
        HEADER,
        ["31441", "Xã Vị Thủy", "Ấp 1", "Nguyễn Văn Tốt", "0912345678", "Tổ trưởng"],
        ["99999", "", "Ấp 1", "Trần Văn Sai Xã", "", ""],            # row 3: unknown commune
        ["31441", "", "Ấp 1", "Lê Thị Sai Số", "0123", ""],           # row 4: bad phone
        ["31441", "", "Ấp 2", "", "0987654321", ""],                  # row 5: no name
        ["31441", "", "Ấp 2", "Phạm Văn Vai", "", "trưởng thôn"],     # row 6: unknown role
    ]
    plan = plan_from_file(csv_text(rows).encode(), "bad.csv", "92")
    summary = await import_plan(db, plan, province_code="92", now=clock())
    assert not summary.applied
    assert sorted(e.row for e in summary.errors) == [3, 4, 5, 6]
    assert await _counts(db) == (0, 0)  # the good row was not imported either


async def test_changes_are_upserts_on_natural_keys(db: Database, clock: FakeClock) -> None:
    before = [HEADER, ["31441", "", "Ấp 1", "Nguyễn Văn An", "0912345678", ""],
              ["31441", "", "Ấp 1", "Trần Thị Bình", "", ""]]
    await import_plan(db, plan_from_file(csv_text(before).encode(), "a.csv", "92"),
                      province_code="92", now=clock())
    # Same phone, name fixed; same team and name without a phone, typed without diacritics.
    after = [HEADER, ["31441", "", "ap 1", "Nguyễn Văn Ân", "0912 345 678", ""],
             ["31441", "", "Ấp 1", "Tran Thi Binh", "", ""]]
    summary = await import_plan(db, plan_from_file(csv_text(after).encode(), "b.csv", "92"),
                                province_code="92", now=clock())
    assert (summary.members_new, summary.members_changed, summary.teams_new) == (0, 2, 0)
    assert await _counts(db) == (1, 2)
    member = await Repos(db.reader).members.by_phone("0912345678")
    assert member is not None
    assert member.full_name == "Nguyễn Văn Ân"


def _cli(args: list[str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "DATABASE_PATH": str(tmp_path / "cli.sqlite3")}
    return subprocess.run([sys.executable, "-m", "bot", *args], capture_output=True, text=True,
                          env=env, cwd=tmp_path, timeout=120, check=False)


def test_the_command_line_import_with_dry_run(tmp_path: Path) -> None:
    registry = write_demo_xlsx(tmp_path / "demo.xlsx")
    dry = _cli(["import", str(registry), "--dry-run"], tmp_path)
    assert dry.returncode == 0, dry.stderr
    assert "Kiểm tra xong (chưa lưu)" in dry.stdout
    assert "Thành viên mới: 3.740" in dry.stdout
    real = _cli(["import", str(registry), "--lang", "en"], tmp_path)
    assert "New teams: 525" in real.stdout
    assert "New members: 3,740" in real.stdout
    again = _cli(["import", str(registry)], tmp_path)
    assert "không có gì thay đổi" in again.stdout

    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"this is not a spreadsheet")
    result = _cli(["import", str(broken)], tmp_path)
    assert result.returncode == 1
    assert "không được nhập" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr
