"""One database, one province: claimed at the first start or import, another province refused."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from bot.__main__ import main
from bot.core.registry.demo import demo_xlsx_bytes, generate_demo_registry, write_demo_xlsx
from bot.core.registry.validate import plan_from_file
from storage.db import Database
from storage.geography import ProvinceMismatch, settle_province
from storage.registry_import import import_plan
from storage.repos import Repos
from tests.harness.clock import FakeClock
from tests.harness.registry_files import csv_text


async def _communes_of(db: Database, province: str) -> int:
    cursor = await db.reader.execute(
        "SELECT COUNT(*) FROM communes WHERE province_code = ?", (province,))
    row = await cursor.fetchone()
    return int(row[0]) if row else 0


async def test_a_province_registry_is_imported_under_its_own_province(
        db: Database, clock: FakeClock) -> None:
    data = demo_xlsx_bytes(registry=generate_demo_registry(province_code="79"))
    summary = await import_plan(db, plan_from_file(data, "hcm.xlsx", "79"), province_code="79",
                                now=clock())
    assert summary.applied
    assert (summary.teams_new, summary.members_new) == (525, 3740)
    repos = Repos(db.reader)
    assert [(p.code, p.name) for p in await repos.geo.provinces()] == [
        ("79", "Thành phố Hồ Chí Minh")]
    assert await _communes_of(db, "79") == 168
    with_teams = await repos.geo.communes_with_teams("79")
    assert len(with_teams) == 168
    assert await repos.geo.communes_with_teams("92") == []


async def test_the_first_start_claims_an_empty_database(db: Database) -> None:
    await settle_province(db, "12")
    await settle_province(db, "12")  # again: nothing changes
    repos = Repos(db.reader)
    assert [(p.code, p.name) for p in await repos.geo.provinces()] == [("12", "Lai Châu")]
    assert await _communes_of(db, "12") == 38


async def test_a_database_of_another_province_is_refused_in_one_line(
        db: Database, clock: FakeClock) -> None:
    await settle_province(db, "92")
    with pytest.raises(ProvinceMismatch) as caught:
        await settle_province(db, "79")
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith("this database belongs to Thành phố Cần Thơ (PROVINCE_CODE=92), "
                              "but PROVINCE_CODE is 79 (Thành phố Hồ Chí Minh)")
    # An import for another province is refused the same way, before anything is written.
    rows = [["Mã xã", "Tổ", "Họ và tên"], ["03388", "Tổ dân phố 1", "Lò Văn Páo"]]
    plan = plan_from_file(csv_text(rows).encode(), "lc.csv", "12")
    assert plan.ok
    with pytest.raises(ProvinceMismatch):
        await import_plan(db, plan, province_code="12", now=clock())
    assert await Repos(db.reader).teams.count() == 0
    assert await _communes_of(db, "12") == 0


async def test_the_database_itself_keeps_to_one_province(db: Database) -> None:
    await settle_province(db, "92")
    with pytest.raises(sqlite3.IntegrityError, match="already belongs to another province"):
        async with db.write() as conn:
            await conn.execute("INSERT INTO provinces (code, name) VALUES ('79', 'x')")


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """A Cần Thơ database, and the environment of an operator who then set PROVINCE_CODE=79."""
    path = tmp_path / "cantho.sqlite3"
    monkeypatch.chdir(tmp_path)  # no stray .env
    monkeypatch.setenv("DATABASE_PATH", str(path))
    monkeypatch.setenv("SANDBOX_PORT", "0")
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    monkeypatch.delenv("ZALO_BOT_TOKEN", raising=False)
    monkeypatch.setenv("PROVINCE_CODE", "92")
    assert main(["migrate"]) == 0
    write_demo_xlsx(tmp_path / "cantho.xlsx")
    assert main(["import", str(tmp_path / "cantho.xlsx")]) == 0
    monkeypatch.setenv("PROVINCE_CODE", "79")
    return tmp_path


def test_starting_or_importing_with_another_province_stops_with_one_line(
        env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    write_demo_xlsx(env / "hcm.xlsx", province_code="79")
    assert main(["import", str(env / "hcm.xlsx"), "--dry-run"]) == 1
    assert main(["run"]) == 3  # a start-up error: the unit does not restart on it
    out = capsys.readouterr()
    assert out.out == ""
    import_error, start_error = out.err.strip().split("\n")
    assert import_error.startswith("Import error: this database belongs to Thành phố Cần Thơ "
                                   "(PROVINCE_CODE=92), but PROVINCE_CODE is 79")
    assert start_error.startswith("Start-up error: this database belongs to Thành phố Cần Thơ")
    assert "set PROVINCE_CODE=92" in start_error
