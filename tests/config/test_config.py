"""Configuration: every setting read from the environment; a bad one stops start-up in one line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import ConfigError, load_settings

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in list(os.environ):
        if name.startswith(("TELEGRAM_", "ZALO_", "ADMIN_", "DATABASE_", "TIMEZONE",
                            "DEFAULT_LANGUAGE", "QUIET_HOURS", "SANDBOX_", "LOG_LEVEL")):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)  # no stray .env


def test_defaults_run_the_sandbox_in_vietnamese() -> None:
    settings = load_settings()
    assert settings.sandbox_mode
    assert settings.timezone == "Asia/Ho_Chi_Minh"
    assert settings.default_language == "vi"
    assert settings.quiet_window[0].hour == 21


def test_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123456:ABCdefGHIjklMNOpqrSTUvwxYZ012345")
    monkeypatch.setenv("ADMIN_TELEGRAM_IDS", "111, 222")
    monkeypatch.setenv("DATABASE_PATH", "/tmp/x.sqlite3")
    monkeypatch.setenv("TELEGRAM_API_BASE_URL", "http://127.0.0.1:8081/bot")
    settings = load_settings()
    assert not settings.sandbox_mode
    assert settings.admin_telegram_ids == [111, 222]
    assert str(settings.database_path) == "/tmp/x.sqlite3"


def test_settings_come_from_a_dotenv_file(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("DEFAULT_LANGUAGE=en\nQUIET_HOURS=22:00-06:30\n")
    settings = load_settings()
    assert settings.default_language == "en"
    assert settings.quiet_window[1].minute == 30


@pytest.mark.parametrize(("name", "value"), [
    ("TIMEZONE", "Mars/Olympus"),
    ("DEFAULT_LANGUAGE", "fr"),
    ("ADMIN_TELEGRAM_IDS", "12,abc"),
    ("TELEGRAM_BOT_TOKEN", "not-a-token"),
    ("QUIET_HOURS", "9pm to 7am"),
    ("SANDBOX_PORT", "99999"),
])
def test_a_bad_setting_is_named(monkeypatch: pytest.MonkeyPatch, name: str, value: str) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError) as info:
        load_settings()
    message = str(info.value)
    assert name in message
    assert "\n" not in message


def _run_cli(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bot", *args], capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT), **env}, cwd=cwd,
                          timeout=60, check=False)


def test_start_up_with_a_bad_setting_prints_one_line_and_fails(tmp_path: Path) -> None:
    result = _run_cli("run", env={"TIMEZONE": "Nowhere/Land"}, cwd=tmp_path)
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert lines == ["Configuration error: TIMEZONE: expected an IANA time zone such as "
                     "Asia/Ho_Chi_Minh"]
    assert "Traceback" not in result.stdout + result.stderr


def test_help_lists_the_subcommands(tmp_path: Path) -> None:
    result = _run_cli("--help", env={}, cwd=tmp_path)
    assert result.returncode == 0
    for sub in ("run", "import", "demo-registry", "migrate"):
        assert sub in result.stdout


def test_a_taken_sandbox_port_is_one_clear_line(tmp_path: Path) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = _run_cli("run", env={"SANDBOX_PORT": str(port),
                                      "DATABASE_PATH": str(tmp_path / "d.sqlite3")},
                          cwd=tmp_path)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert f"127.0.0.1:{port}" in result.stderr.strip().splitlines()[-1]
    assert "SANDBOX_PORT" in result.stderr
