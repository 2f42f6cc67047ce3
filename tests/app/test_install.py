"""Installing and upgrading as the README says: ``tocns-bot upgrade`` builds a wheel from a clean
copy of the release and installs it, with the locked dependencies, into a fresh virtual
environment beside the old one, then switches; ``tocns-bot rollback`` switches back. The
wrapper reads its env file as systemd does."""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
import sys
import sysconfig
import tomllib
from pathlib import Path

import pytest

from storage.backup import latest_version
from tests.harness.installation import ROOT

WRAPPER = ROOT / "deploy" / "tocns-bot"
FIXTURE = ROOT / "tests" / "fixtures" / "release-0.1.sqlite3"
STALE_MIGRATION = "storage/migrations/0007_stale.sql"


def _wrapper(tmp_path: Path, **values: str) -> Path:
    script = WRAPPER.read_text(encoding="utf-8")
    for name, value in values.items():
        line = re.search(rf"^{name}=.*$", script, re.MULTILINE)
        assert line, name
        script = script.replace(line[0], f"{name}={value}", 1)
    wrapper = tmp_path / "tocns-bot"
    wrapper.write_text(script, encoding="utf-8")
    wrapper.chmod(0o755)
    return wrapper


def _release(tmp_path: Path, name: str) -> Path:
    """A release as checked out: the tracked files (and whatever the test adds)."""
    source = tmp_path / name
    tracked = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, check=True,
                             capture_output=True).stdout.decode().split("\0")
    for file in filter(None, tracked):
        if (ROOT / file).is_file():
            (source / file).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / file, source / file)
    # Offline, the dependencies come from this test run's environment (PYTHONPATH below); the
    # lock's own install is the same pip command with nothing to fetch.
    (source / "requirements.lock").write_text("# the dependencies: see PYTHONPATH\n")
    return source


def _run(command: list[str], **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, capture_output=True, text=True, timeout=600, check=False,
                          env={**os.environ, **env})


def _site_packages(venv: Path) -> Path:
    [found] = venv.glob("lib/python3*/site-packages")
    return found


@pytest.mark.long  # two virtual environments and two wheel builds: about 40 s
@pytest.mark.skipif(not shutil.which("tar"), reason="tar is needed")
def test_an_upgrade_installs_fresh_keeps_no_stale_file_and_can_be_rolled_back(
        tmp_path: Path) -> None:
    app = tmp_path / "app"
    app.mkdir()
    wrapper = _wrapper(tmp_path, APP=str(app), PYTHON=sys.executable)
    old = _release(tmp_path, "old")
    result = _run([str(wrapper), "upgrade", str(old)])
    assert result.returncode == 0, result.stderr
    first = (app / ".venv").resolve()
    assert first.parent == app / "releases"

    new = _release(tmp_path, "new")
    # What an in-place build of an earlier release left behind, and setuptools would package
    # again: a migration and a module removed upstream.
    for stale in (STALE_MIGRATION, "handlers/removed_upstream.py"):
        (new / "build" / "lib" / stale).parent.mkdir(parents=True, exist_ok=True)
        (new / "build" / "lib" / stale).write_text("CREATE TABLE stale_leftover (x INTEGER);\n")
    result = _run([str(wrapper), "upgrade", str(new)])
    assert result.returncode == 0, result.stderr
    second = (app / ".venv").resolve()
    assert second != first
    assert second.parent == app / "releases"
    installed = _site_packages(second)
    assert (installed / "storage" / "migrations" / "0001_registry.sql").is_file()
    assert not (installed / STALE_MIGRATION).exists()
    assert not (installed / "handlers" / "removed_upstream.py").exists()

    # The previous release's database, upgraded by the new code, data intact.
    database = tmp_path / "data" / "tocns.sqlite3"
    database.parent.mkdir()
    shutil.copy(FIXTURE, database)
    deps = sysconfig.get_paths()["purelib"]
    result = _run([str(app / ".venv" / "bin" / "python"), "-m", "bot", "migrate"],
                  PYTHONPATH=deps, DATABASE_PATH=str(database), TELEGRAM_BOT_TOKEN="")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith(f"schema version {latest_version()}")
    conn = sqlite3.connect(database)
    try:
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
        assert "stale_leftover" not in tables
        assert conn.execute("SELECT COUNT(*) FROM members").fetchone()[0] == 5
    finally:
        conn.close()

    result = _run([str(wrapper), "rollback"])
    assert result.returncode == 0, result.stderr
    assert (app / ".venv").resolve() == first
    result = _run([str(wrapper), "rollback"])  # and forward again
    assert (app / ".venv").resolve() == second


def test_the_lock_pins_every_runtime_dependency_with_hashes() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    for name in ("requirements.lock", "requirements-dev.lock"):
        text = (ROOT / name).read_text(encoding="utf-8")
        entries = re.findall(r"^([A-Za-z0-9._-]+)==\S+(?: ;[^\\\n]*)? \\\n((?:    --hash=.*\n)+)",
                             text, re.MULTILINE)
        pinned = {re.sub(r"[-_.]+", "-", entry[0]).lower() for entry in entries}
        assert len(entries) == len(re.findall(r"^[A-Za-z0-9]", text, re.MULTILINE))
        wanted = list(project["dependencies"])
        if name == "requirements-dev.lock":
            wanted += project["optional-dependencies"]["dev"]
        for requirement in wanted:
            bare = re.split(r"[\[<>=!~; ]", requirement, maxsplit=1)[0]
            assert re.sub(r"[-_.]+", "-", bare).lower() in pinned, (name, bare)
    for requirement in project["dependencies"]:
        assert "<" in requirement, f"no upper bound: {requirement}"


def test_the_wrapper_reads_its_env_file_as_systemd_does(tmp_path: Path) -> None:
    if os.geteuid() != 0:
        pytest.skip("the wrapper switches user with runuser: root only")
    app = tmp_path / "app"
    (app / ".venv" / "bin").mkdir(parents=True)
    seen = tmp_path / "seen"
    fake = app / ".venv" / "bin" / "python"  # prints what the bot would be given
    fake.write_text(f'#!/bin/sh\nfor k in ADMIN_TELEGRAM_IDS BACKUP_DIR QUOTED SPACED TOCNS_CLI; '
                    f'do eval "printf \'%s=[%s]\\n\' $k \\"\\$$k\\""; done > {seen}\n')
    fake.chmod(0o755)
    env_file = tmp_path / "env"
    env_file.write_text("# as in /etc/tocns-bot/env\n"
                        "ADMIN_TELEGRAM_IDS=1, 2\n"
                        "BACKUP_DIR=$HOME/backups\n"
                        'QUOTED="a b; c"\n'
                        "  SPACED = x y  \n"
                        "; another comment\n"
                        "NOT A SETTING\n", encoding="utf-8")
    data = tmp_path / "data"
    data.mkdir()
    wrapper = _wrapper(tmp_path, APP=str(app), DATA=str(data), ENV_FILE=str(env_file),
                       RUN_AS="root")
    result = subprocess.run([str(wrapper), "doctor"], capture_output=True, text=True,
                            timeout=60, check=False,
                            env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"),
                                 "HOME": "/root"})
    assert result.returncode == 0, result.stderr
    assert seen.read_text().splitlines() == [
        "ADMIN_TELEGRAM_IDS=[1, 2]",       # sh would have run "2" as a command and stopped
        "BACKUP_DIR=[$HOME/backups]",      # systemd does not expand it: neither do we
        "QUOTED=[a b; c]",
        "SPACED=[x y]",
        "TOCNS_CLI=[sudo tocns-bot]",
    ]
