"""The operations settings: defaults an operator can live with, bad values named in one line."""

from __future__ import annotations

from datetime import time
from pathlib import Path

import pytest

from bot.config import ConfigError, load_settings


def test_backups_sit_next_to_the_database_unless_told_otherwise(tmp_path: Path) -> None:
    settings = load_settings(DATABASE_PATH=str(tmp_path / "data" / "tocns.sqlite3"),
                             BACKUP_DIR="")
    assert settings.backups_folder == tmp_path / "data" / "backups"
    assert (settings.backup_keep, settings.backup_at, settings.log_format) == (14, time(2, 30),
                                                                              "text")
    elsewhere = load_settings(BACKUP_DIR="/srv/backups/tocns", BACKUP_TIME="23:05",
                              LOG_FORMAT="JSON")
    assert elsewhere.backups_folder == Path("/srv/backups/tocns")
    assert (elsewhere.backup_at, elsewhere.log_format) == (time(23, 5), "json")


@pytest.mark.parametrize(("name", "value", "message"), [
    ("BACKUP_KEEP", "0", "BACKUP_KEEP: Input should be greater than or equal to 1"),
    ("BACKUP_KEEP", "two weeks", "BACKUP_KEEP: Input should be a valid integer"),
    ("BACKUP_TIME", "2:30am", "BACKUP_TIME: expected a local time HH:MM, e.g. 02:30"),
    ("BACKUP_TIME", "24:00", "BACKUP_TIME: expected a local time HH:MM, e.g. 02:30"),
    ("LOG_FORMAT", "xml", "LOG_FORMAT: expected text or json"),
])
def test_a_bad_operations_setting_is_named_in_one_line(name: str, value: str,
                                                       message: str) -> None:
    with pytest.raises(ConfigError) as info:
        load_settings(**{name: value})
    assert str(info.value).startswith(f"Configuration error: {message}")
    assert "\n" not in str(info.value)
