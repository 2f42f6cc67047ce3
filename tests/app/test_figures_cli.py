"""The figures from the shell: generate a province, check and rebuild roll-ups, print digests."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.__main__ import main
from bot.core.registry.large_province import generate_registry, registry_csv
from bot.core.registry.validate import plan_from_file
from storage.db import Database
from storage.registry_import import import_plan

WEEK = ("2026-11-16", "2026-11-22")   # ISO week 2026-W47


@pytest.fixture
def generated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A small generated Cần Thơ: 40 teams, 250 members, 3,000 sessions over half a year."""
    path = tmp_path / "gen.sqlite3"
    monkeypatch.setenv("DATABASE_PATH", str(path))
    monkeypatch.setenv("PROVINCE_CODE", "92")
    monkeypatch.setenv("DEFAULT_LANGUAGE", "vi")
    assert main(["generate", "--province", "92", "--teams", "40", "--members", "250",
                 "--sessions", "3000", "--years", "0.5", "--until", "2026-11-29",
                 str(path)]) == 0
    return path


def _citizens(path: Path, where: str = "1", params: tuple[str, ...] = ()) -> int:
    with sqlite3.connect(path) as conn:
        return int(conn.execute(
            "SELECT COALESCE(SUM(citizens), 0) FROM sessions WHERE deleted_at IS NULL"
            f" AND session_date BETWEEN ? AND ? AND {where}", (*WEEK, *params)).fetchone()[0])


def test_generated_province_has_what_was_asked(generated: Path) -> None:
    with sqlite3.connect(generated) as conn:
        assert conn.execute("SELECT COUNT(*) FROM sessions").fetchone()[0] == 3000
        assert conn.execute("SELECT COUNT(*) FROM members").fetchone()[0] == 250
        assert conn.execute("SELECT COUNT(*) FROM teams").fetchone()[0] == 40
        first, last = conn.execute(
            "SELECT MIN(session_date), MAX(session_date) FROM sessions").fetchone()
        assert (first, last) == ("2026-05-31", "2026-11-29")
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_check_finds_a_disagreement_and_reindex_repairs_it(
        generated: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["reindex", "--check"]) == 0
    assert "commune_day: agrees with the raw sessions" in capsys.readouterr().out
    with sqlite3.connect(generated) as conn:  # a partial restore by another tool
        conn.execute("DELETE FROM member_month WHERE month = '2026-11-01'")
        conn.execute("UPDATE commune_day SET citizens = 0 WHERE day = '2026-11-20'")
    assert main(["reindex", "--check"]) == 1
    out = capsys.readouterr().out
    assert "member_month: " in out
    assert "member_day: agrees with the raw sessions" in out
    assert "commune_day: " in out
    assert "rows differ" in out
    assert "python -m bot reindex" in out
    assert main(["reindex"]) == 0
    out = capsys.readouterr().out
    assert "roll-ups rebuilt" in out
    assert "rows differ" not in out


def test_digest_prints_what_coordinators_get(
        generated: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["digest", "--week", "2026-W47"]) == 0
    text = capsys.readouterr().out
    assert text.startswith("📊 Thành phố Cần Thơ — tuần 16/11/2026–22/11/2026")
    assert f"Người dân được hỗ trợ: {_citizens(generated):,}".replace(",", ".") in text
    with sqlite3.connect(generated) as conn:
        code, name = conn.execute("SELECT c.code, c.name FROM communes c JOIN teams t"
                                  " ON t.commune_code = c.code LIMIT 1").fetchone()
    assert main(["digest", "--week", "2026-W47", "--commune", code]) == 0
    text = capsys.readouterr().out
    assert text.startswith(f"📊 {name} — tuần 16/11/2026–22/11/2026")
    helped = _citizens(generated, "commune_code = ?", (code,))
    assert f"Người dân được hỗ trợ: {helped:,}".replace(",", ".") in text
    assert main(["digest", "--week", "2026-W47", "--all"]) == 0
    blocks = capsys.readouterr().out.split("\n────────\n")
    with sqlite3.connect(generated) as conn:
        communes = conn.execute("SELECT COUNT(DISTINCT commune_code) FROM teams").fetchone()[0]
    assert len(blocks) == communes + 1
    assert "Thành phố Cần Thơ" in blocks[-1]


def test_digest_refuses_a_bad_week_or_commune(
        generated: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["digest", "--week", "48"]) == 2
    assert "expected an ISO week such as 2026-W48" in capsys.readouterr().err
    assert main(["digest", "--commune", "99999"]) == 2
    assert "no commune with the code '99999'" in capsys.readouterr().err


def test_the_generated_registry_csv_imports_as_it_is(tmp_path: Path) -> None:
    registry = generate_registry("92", teams=60, members=400, seed=5)
    plan = plan_from_file(registry_csv(registry), "registry.csv", "92")
    assert plan.errors == []

    async def load() -> int:
        async with Database(tmp_path / "import.sqlite3") as db:
            summary = await import_plan(db, plan, province_code="92", now=datetime.now(UTC))
            return summary.members_new

    assert asyncio.run(load()) == 400
    assert len({m.full_name for m in registry.members}) > 300  # names vary
