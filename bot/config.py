"""Settings from the environment and ``.env`` (pydantic-settings).

A missing or invalid setting must stop start-up with one clear line naming it, never a traceback:
``load_settings`` turns pydantic's error into :class:`ConfigError` with that line.
"""

from __future__ import annotations

import re
from datetime import time
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.registry.provinces import DEFAULT_PROVINCE_CODE, UnknownProvince, province_info

_TOKEN = re.compile(r"^\d+:[A-Za-z0-9_-]{20,}$")
_QUIET = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]):([0-5]\d)$")


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
    undo_window_hours: int = Field(default=24, ge=0, le=24 * 31, alias="UNDO_WINDOW_HOURS")
    flow_timeout_minutes: int = Field(default=30, ge=1, le=24 * 60, alias="FLOW_TIMEOUT_MINUTES")
    send_rate_per_second: float = Field(default=25, gt=0, le=1000, alias="SEND_RATE_PER_SECOND")
    sandbox_host: str = Field(default="127.0.0.1", alias="SANDBOX_HOST")
    sandbox_port: int = Field(default=8080, ge=0, le=65535, alias="SANDBOX_PORT")
    log_level: str = Field(default="INFO", alias="LOG_LEVEL")

    @field_validator("admin_telegram_ids", "admin_zalo_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: Any) -> Any:
        return _id_list(value)

    @field_validator("telegram_bot_token", "zalo_bot_token", mode="before")
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


def load_settings(**overrides: Any) -> Settings:
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = first["loc"][0] if first["loc"] else "?"
        field = Settings.model_fields.get(str(loc))
        name = field.alias if field and field.alias else str(loc).upper()
        message = first["msg"].removeprefix("Value error, ")
        raise ConfigError(f"Configuration error: {name}: {message}") from None
