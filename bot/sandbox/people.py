"""The simulated people a demo visitor (or a test) can act as."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class Persona:
    user_id: int
    first_name: str
    last_name: str | None = None
    language_code: str = "vi"
    role_label: str = ""
    description: str = ""

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


PeopleProvider = Callable[[], Awaitable[list[Persona]]]

# Someone the bot has never seen: always offered, so the registration flow can be tried.
NEW_VISITOR = Persona(
    user_id=700001,
    first_name="Khách",
    last_name="Mới",
    language_code="vi",
    role_label="Người mới / New visitor",
    description="Chưa đăng ký với bot / Not registered yet",
)
