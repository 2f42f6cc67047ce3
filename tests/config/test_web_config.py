"""The web server's settings: a public https address, and a secret per channel that receives
by webhook — each problem one line naming the setting."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bot.config import ConfigError, load_settings

TG = "123456:ABCdefGHIjklMNOpqrSTUvwxYZ012345"
SECRET = "s3cr3t-webhook_token-0123456789"


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in list(os.environ):
        if name.startswith(("TELEGRAM_", "ZALO_", "WEB_", "FILE_LINK_", "BACKUP_", "DATABASE_")):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)  # no stray .env


def _error(**settings: str) -> str:
    with pytest.raises(ConfigError) as info:
        load_settings(**settings)
    message = str(info.value)
    assert "\n" not in message
    return message


def test_defaults_need_no_web_server() -> None:
    settings = load_settings()
    assert settings.web_base_url is None
    assert (settings.web_host, settings.web_port) == ("127.0.0.1", 8443)
    assert settings.file_link_ttl_hours == 24
    assert settings.backups_folder == Path("data/backups")
    assert settings.files_dir == Path("data/files")


def test_a_public_address_with_its_secrets() -> None:
    settings = load_settings(WEB_BASE_URL="https://tocns.example.gov.vn/bot/",
                             TELEGRAM_BOT_TOKEN=TG, TELEGRAM_WEBHOOK_SECRET=SECRET)
    assert settings.web_base_url == "https://tocns.example.gov.vn/bot"
    # A Zalo-only deployment needs only Zalo's secret.
    zalo_only = load_settings(WEB_BASE_URL="https://tocns.example.gov.vn",
                              ZALO_BOT_TOKEN="42:zalo", ZALO_WEBHOOK_SECRET=SECRET)
    assert zalo_only.telegram_webhook_secret is None


def test_plain_http_only_on_this_machine() -> None:
    message = _error(WEB_BASE_URL="http://tocns.example.gov.vn", TELEGRAM_BOT_TOKEN=TG,
                     TELEGRAM_WEBHOOK_SECRET=SECRET)
    assert message.startswith("Configuration error: WEB_BASE_URL: must start with https://")
    for local in ("http://127.0.0.1:8443", "http://localhost:9000", "http://[::1]:8443"):
        assert load_settings(WEB_BASE_URL=local, TELEGRAM_BOT_TOKEN=TG,
                             TELEGRAM_WEBHOOK_SECRET=SECRET).web_base_url == local


@pytest.mark.parametrize("url", ["tocns.example.gov.vn", "ftp://x.vn", "https://x.vn/?a=1",
                                 "https://"])
def test_a_malformed_address_is_named(url: str) -> None:
    assert _error(WEB_BASE_URL=url).startswith("Configuration error: WEB_BASE_URL: expected")


def test_each_receiving_channel_needs_its_secret() -> None:
    message = _error(WEB_BASE_URL="https://x.vn", TELEGRAM_BOT_TOKEN=TG)
    assert message.startswith("Configuration error: TELEGRAM_WEBHOOK_SECRET: required when "
                              "WEB_BASE_URL is set")
    message = _error(WEB_BASE_URL="https://x.vn", TELEGRAM_BOT_TOKEN=TG,
                     TELEGRAM_WEBHOOK_SECRET=SECRET, ZALO_BOT_TOKEN="42:zalo")
    assert message.startswith("Configuration error: ZALO_WEBHOOK_SECRET: required")
    # The sandbox with a webhook address plays both platforms: both secrets.
    assert "TELEGRAM_WEBHOOK_SECRET" in _error(WEB_BASE_URL="http://127.0.0.1:8443")


@pytest.mark.parametrize("secret", ["short", "has space in it 0123456", "ünïcödé-0123456789ab",
                                    "x" * 257])
def test_a_secret_follows_telegrams_rules(secret: str) -> None:
    message = _error(TELEGRAM_WEBHOOK_SECRET=secret)
    assert message.startswith("Configuration error: TELEGRAM_WEBHOOK_SECRET: expected 16-256 "
                              "letters, digits, _ or -")
    assert _error(ZALO_WEBHOOK_SECRET=secret).startswith(
        "Configuration error: ZALO_WEBHOOK_SECRET:")


@pytest.mark.parametrize(("name", "value"), [("WEB_PORT", "70000"),
                                             ("FILE_LINK_TTL_HOURS", "0"),
                                             ("FILE_LINK_TTL_HOURS", "many")])
def test_numbers_out_of_range_are_named(name: str, value: str) -> None:
    assert _error(**{name: value}).startswith(f"Configuration error: {name}:")
