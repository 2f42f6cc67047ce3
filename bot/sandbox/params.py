"""Typed access to a Bot API call's parameters, whatever encoding the client used.

Telegram accepts query strings, urlencoded forms, JSON bodies and multipart forms. Form-encoded
clients (python-telegram-bot among them) send strings as-is and everything else (numbers,
booleans, objects) JSON-encoded, so every getter accepts both a native value and its text form.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from bot.sandbox.errors import bad_request


@dataclass(frozen=True)
class UploadedPart:
    """A file sent in a multipart request."""

    filename: str
    content_type: str
    data: bytes


@dataclass
class ApiParams:
    values: dict[str, Any] = field(default_factory=dict)
    files: dict[str, UploadedPart] = field(default_factory=dict)

    def has(self, name: str) -> bool:
        return name in self.values or name in self.files

    def text(self, name: str, default: str | None = None) -> str | None:
        value = self.values.get(name)
        if value is None:
            return default
        if isinstance(value, str):
            return value
        return json.dumps(value, ensure_ascii=False)

    def required_str(self, name: str) -> str:
        value = self.text(name)
        if value is None:
            raise bad_request(f"parameter \"{name}\" is required")
        return value

    def integer(self, name: str, default: int | None = None) -> int | None:
        value = self.values.get(name)
        if value is None or value == "":
            return default
        if isinstance(value, bool):
            return int(value)
        if isinstance(value, int):
            return value
        try:
            return int(str(value).strip())
        except ValueError:
            raise bad_request(f"invalid {name} specified") from None

    def required_int(self, name: str) -> int:
        value = self.integer(name)
        if value is None:
            raise bad_request(f"parameter \"{name}\" is required")
        return value

    def number(self, name: str, default: float) -> float:
        value = self.values.get(name)
        if value is None or value == "":
            return default
        try:
            return float(value)
        except (TypeError, ValueError):
            raise bad_request(f"invalid {name} specified") from None

    def flag(self, name: str, default: bool = False) -> bool:
        value = self.values.get(name)
        if value is None:
            return default
        if isinstance(value, bool):
            return value
        return str(value).strip().lower() in {"true", "1", "yes"}

    def obj(self, name: str) -> Any:
        """An object parameter (reply_markup, scope, ...), decoded if it came as a string."""
        value = self.values.get(name)
        if value is None or value == "":
            return None
        if isinstance(value, str):
            try:
                return json.loads(value)
            except ValueError:
                raise bad_request(f"can't parse {name} JSON object") from None
        return value

    def chat_id(self) -> int:
        """``chat_id`` is an integer or ``@username`` in Telegram; the sandbox only has ids."""
        raw = self.values.get("chat_id")
        if raw is None or raw == "":
            raise bad_request("chat_id is empty")
        try:
            return int(raw)
        except (TypeError, ValueError):
            raise bad_request("chat not found") from None

    def file(self, name: str) -> UploadedPart | str | None:
        """A file parameter: an uploaded part (directly or via ``attach://``) or a file_id/URL."""
        if name in self.files:
            return self.files[name]
        value = self.text(name)
        if value is None:
            return None
        if value.startswith("attach://"):
            part = self.files.get(value.removeprefix("attach://"))
            if part is None:
                raise bad_request(f"wrong file identifier/HTTP URL specified for {name}")
            return part
        return value
