"""Settings from the environment and ``.env`` (pydantic-settings).

A missing or invalid setting must stop start-up with one clear line naming it, never a traceback:
``load_settings`` turns pydantic's error into :class:`ConfigError` with that line.
"""

from __future__ import annotations

import ipaddress
import re
from datetime import time
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.core.registry.provinces import DEFAULT_PROVINCE_CODE, UnknownProvince, province_info

_TOKEN = re.compile(r"^\d+:[A-Za-z0-9_-]{20,}$")
_HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
_QUIET = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]):([0-5]\d)$")
#: Telegram's rule for a webhook secret (letters, digits, _ and -), with a floor of 16
#: characters so that it cannot be guessed; Zalo's secrets (8-256) are held to the same rule.
_WEBHOOK_SECRET = re.compile(r"^[A-Za-z0-9_-]{16,256}$")
_SECRET_HINT = ("expected 16-256 letters, digits, _ or -; make one with: "
                "python -c 'import secrets; print(secrets.token_urlsafe(32))'")


class ConfigError(Exception):
    """One line for the operator: which setting is wrong and what is expected."""


def _id_list(value: Any) -> Any:
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    telegram_bot_token: str | None = Field(default=None, alias="TELEGRAM_BOT_TOKEN")
    telegram_api_base_url: str = Field(
        default="https://api.telegram.org/bot", alias="TELEGRAM_API_BASE_URL"
    )
    zalo_bot_token: str | None = Field(default=None, alias="ZALO_BOT_TOKEN")
    zalo_api_base_url: str = Field(
        default="https://bot-api.zaloplatforms.com/bot", alias="ZALO_API_BASE_URL"
    )
    database_path: Path = Field(default=Path("data/tocns.sqlite3"), alias="DATABASE_PATH")
    timezone: str = Field(default="Asia/Ho_Chi_Minh", alias="TIMEZONE")
    default_language: str = Field(default="vi", alias="DEFAULT_LANGUAGE")
    admin_telegram_ids: Annotated[list[int], NoDecode] = Field(
        default_factory=list, alias="ADMIN_TELEGRAM_IDS"
    )
    admin_zalo_ids: Annotated[list[str], NoDecode] = Field(
        default_factory=list, alias="ADMIN_ZALO_IDS"
    )
    quiet_hours: str = Field(default="21:00-07:00", alias="QUIET_HOURS")
    province_code: str = Field(default=DEFAULT_PROVINCE_CODE, alias="PROVINCE_CODE")
    invite_ttl_days: int = Field(default=14, ge=1, le=365, alias="INVITE_TTL_DAYS")
    log_max_citizens: int = Field(default=500, ge=1, le=100_000, alias="LOG_MAX_CITIZENS")
    log_max_age_days: int = Field(default=31, ge=0, le=366, alias="LOG_MAX_AGE_DAYS")
    #: A session logged within this many days of its date counts as on time (completeness).
    on_time_days: int = Field(default=3, ge=0, le=366, alias="ON_TIME_DAYS")
    undo_window_hours: int = Field(default=24, ge=0, le=24 * 31, alias="UNDO_WINDOW_HOURS")
    flow_timeout_minutes: int = Field(default=30, ge=1, le=24 * 60, alias="FLOW_TIMEOUT_MINUTES")
    send_rate_per_second: float = Field(default=25, gt=0, le=1000, alias="SEND_RATE_PER_SECOND")
    # Each platform's whole allowance, answers and the outbox together (answers go first).
    # Telegram allows about 30 messages a second (bot.channels.send_budget keeps any second's
    # within it, however the sends bunch up on the way).
    telegram_sends_per_second: float = Field(default=30, ge=1, le=1000,
                                             alias="TELEGRAM_SENDS_PER_SECOND")
    zalo_sends_per_second: float = Field(default=20, ge=1, le=1000,
                                         alias="ZALO_SENDS_PER_SECOND")
    sandbox_host: str = Field(default="127.0.0.1", alias="SANDBOX_HOST")
    sandbox_port: int = Field(default=8080, ge=0, le=65535, alias="SANDBOX_PORT")
    log_level: str = Field(default="INFO", alias="LOG_LEVEL")
    # Abuse limits (flooding, guessing invitation codes) and how long personal data is kept.
    flood_per_minute: float = Field(default=40, gt=0, le=10_000, alias="FLOOD_PER_MINUTE")
    flood_burst: int = Field(default=30, ge=1, le=10_000, alias="FLOOD_BURST")
    join_attempts_per_hour: int = Field(default=10, ge=1, le=1000,
                                        alias="JOIN_ATTEMPTS_PER_HOUR")
    retention_processed_days: int = Field(default=30, ge=1, le=3650,
                                          alias="RETENTION_PROCESSED_DAYS")
    retention_flows_days: int = Field(default=30, ge=1, le=3650, alias="RETENTION_FLOWS_DAYS")
    retention_outbox_days: int = Field(default=90, ge=1, le=3650, alias="RETENTION_OUTBOX_DAYS")
    retention_audit_days: int = Field(default=730, ge=30, le=36500,
                                      alias="RETENTION_AUDIT_DAYS")
    # --- the web server (webhooks, file links, health, metrics) ---
    web_base_url: str | None = Field(default=None, alias="WEB_BASE_URL")
    web_host: str = Field(default="127.0.0.1", alias="WEB_HOST")
    web_port: int = Field(default=8443, ge=0, le=65535, alias="WEB_PORT")
    telegram_webhook_secret: str | None = Field(default=None, alias="TELEGRAM_WEBHOOK_SECRET")
    zalo_webhook_secret: str | None = Field(default=None, alias="ZALO_WEBHOOK_SECRET")
    file_link_ttl_hours: int = Field(default=24, ge=1, le=24 * 31, alias="FILE_LINK_TTL_HOURS")
    #: Evidence photos are kept ~13 months: a budget year is paid, then settled (quyết toán)
    #: and audited in the first months of the next one, so a photo must outlive that cycle.
    evidence_retention_days: int = Field(default=400, ge=1, le=3650,
                                         alias="EVIDENCE_RETENTION_DAYS")
    #: Keep a photo's location and device metadata (EXIF); off: stripped when re-encoded.
    evidence_keep_metadata: bool = Field(default=False, alias="EVIDENCE_KEEP_METADATA")

    @field_validator("admin_telegram_ids", "admin_zalo_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: Any) -> Any:
        return _id_list(value)

    @field_validator("telegram_bot_token", "zalo_bot_token", "web_base_url",
                     "telegram_webhook_secret", "zalo_webhook_secret", mode="before")
    @classmethod
    def _blank_is_none(cls, value: Any) -> Any:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("telegram_bot_token")
    @classmethod
    def _token_shape(cls, value: str | None) -> str | None:
        if value is not None and not _TOKEN.match(value):
            raise ValueError("expected the token BotFather gave, like 123456:ABC-def...")
        return value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError("expected an IANA time zone such as Asia/Ho_Chi_Minh") from None
        return value

    @field_validator("default_language")
    @classmethod
    def _known_language(cls, value: str) -> str:
        if value not in ("vi", "en"):
            raise ValueError("expected vi or en")
        return value

    @field_validator("quiet_hours")
    @classmethod
    def _quiet_shape(cls, value: str) -> str:
        if not _QUIET.match(value.replace(" ", "")):
            raise ValueError("expected HH:MM-HH:MM, e.g. 21:00-07:00")
        return value.replace(" ", "")

    @field_validator("province_code")
    @classmethod
    def _known_province(cls, value: str) -> str:
        try:
            return province_info(value).code
        except UnknownProvince:
            raise ValueError(
                f"«{value.strip()}» is not the code of a province or city since the 2025 merger; "
                "expected one of the 34 official codes, e.g. 92 (Cần Thơ), "
                "79 (Hồ Chí Minh City), 01 (Hà Nội)") from None

    @field_validator("log_level")
    @classmethod
    def _level(cls, value: str) -> str:
        if value.upper() not in ("DEBUG", "INFO", "WARNING", "ERROR"):
            raise ValueError("expected DEBUG, INFO, WARNING or ERROR")
        return value.upper()

    @field_validator("web_base_url")
    @classmethod
    def _public_address(cls, value: str | None) -> str | None:
        if value is None:
            return None
        parts = urlsplit(value.strip())
        if parts.scheme not in ("https", "http") or not parts.hostname \
                or parts.query or parts.fragment:
            raise ValueError("expected the public https address of the bot, "
                             "e.g. https://tocns.example.gov.vn")
        if parts.scheme == "http" and not _loopback(parts.hostname):
            raise ValueError("must start with https:// (Telegram and Zalo call only https "
                             "addresses; http only on this machine, e.g. http://127.0.0.1:8443)")
        return value.strip().rstrip("/")

    @field_validator("telegram_webhook_secret", "zalo_webhook_secret")
    @classmethod
    def _secret_shape(cls, value: str | None) -> str | None:
        if value is not None and not _WEBHOOK_SECRET.match(value):
            raise ValueError(_SECRET_HINT)
        return value

    @model_validator(mode="after")
    def _secrets_for_webhooks(self) -> Settings:
        """With a public address, each channel that will receive webhooks needs its secret."""
        if self.web_base_url is None:
            return self
        if self.telegram_webhook_secret is None \
                and (self.telegram_bot_token is not None or self.sandbox_mode):
            raise ValueError("TELEGRAM_WEBHOOK_SECRET: required when WEB_BASE_URL is set; "
                             + _SECRET_HINT)
        if self.zalo_webhook_secret is None \
                and (self.zalo_bot_token is not None or self.sandbox_mode):
            raise ValueError("ZALO_WEBHOOK_SECRET: required when WEB_BASE_URL is set; "
                             + _SECRET_HINT)
        return self

    @property
    def files_dir(self) -> Path:
        """Where the files behind file links live: next to the database."""
        return self.database_path.parent / "files"

    @property
    def evidence_dir(self) -> Path:
        """Evidence photos (re-encoded copies), next to the database; not in the SQLite backup."""
        return self.database_path.parent / "evidence"

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def quiet_window(self) -> tuple[time, time]:
        start, end = self.quiet_hours.split("-")
        return time.fromisoformat(start), time.fromisoformat(end)

    @property
    def sandbox_mode(self) -> bool:
        """No token at all: run against the local sandbox with the demo province."""
        return self.telegram_bot_token is None and self.zalo_bot_token is None

    # --- operations: backups and logs ----------------------------------------------------------
    backup_dir: Path | None = Field(default=None, alias="BACKUP_DIR")
    backup_keep: int = Field(default=14, ge=1, le=3650, alias="BACKUP_KEEP")
    backup_time: str = Field(default="02:30", alias="BACKUP_TIME")
    log_format: str = Field(default="text", alias="LOG_FORMAT")

    @field_validator("backup_dir", mode="before")
    @classmethod
    def _blank_dir_is_default(cls, value: Any) -> Any:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("backup_time")
    @classmethod
    def _backup_time_shape(cls, value: str) -> str:
        if not _HHMM.match(value.strip()):
            raise ValueError("expected a local time HH:MM, e.g. 02:30")
        return value.strip()

    @field_validator("log_format")
    @classmethod
    def _log_format(cls, value: str) -> str:
        if value.strip().lower() not in ("text", "json"):
            raise ValueError("expected text or json")
        return value.strip().lower()

    @property
    def backups_folder(self) -> Path:
        """BACKUP_DIR, or ``backups`` next to the database (``data/backups`` by default)."""
        return self.backup_dir or self.database_path.parent / "backups"

    @property
    def backup_at(self) -> time:
        return time.fromisoformat(self.backup_time)


def load_settings(**overrides: Any) -> Settings:
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        first = exc.errors()[0]
        message = first["msg"].removeprefix("Value error, ")
        if not first["loc"]:  # a rule across settings names them in its message
            raise ConfigError(f"Configuration error: {message}") from None
        loc = first["loc"][0]
        field = Settings.model_fields.get(str(loc))
        name = field.alias if field and field.alias else str(loc).upper()
        raise ConfigError(f"Configuration error: {name}: {message}") from None


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class _LanguageOnly(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    default_language: str = Field(default="vi", alias="DEFAULT_LANGUAGE")


def configured_language() -> str:
    """DEFAULT_LANGUAGE even when another setting is wrong: the operator who chose English
    reads the configuration error in English."""
    try:
        lang = _LanguageOnly().default_language.strip().lower()
    except ValidationError:
        return "vi"
    return lang if lang in ("vi", "en") else "vi"
