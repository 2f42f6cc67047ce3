"""The real dispatcher in-process, on a copy of the demo province, with recording channels.

For fast tests of the flows (thousands of updates a minute): no HTTP, no sandbox. A raw Telegram
update goes through python-telegram-bot's own parsing and the Telegram adapter, a raw Zalo update
through the Zalo adapter and the real Zalo port (numbered choices stored and read back), exactly
as the running bot does; what the bot sends is recorded.

    async def test_something(inprocess: InProcessBot) -> None:
        await inprocess.telegram_text(9005, "/me")
        assert "Họ tên" in inprocess.telegram.texts_to("9005")[-1]

A pytest plugin (registered in tests/conftest.py): ask for the ``inprocess`` fixture.
"""

from __future__ import annotations

import itertools
import shutil
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from bot.app.demo import prepare_demo
from bot.app.intake import Intake
from bot.app.services import Services, make_services
from bot.app.zalo_choices import StoredChoices
from bot.channels import zalo as zalo_channel
from bot.channels.telegram import to_incoming as telegram_incoming
from bot.config import load_settings
from bot.core.chat import ChannelName, Incoming, IncomingFile, MenuCommand, OutMessage
from bot.sandbox.zalo_state import zalo_user_id
from locales import translator
from storage.db import Database
from tests.harness.clock import FakeClock


@dataclass(frozen=True)
class Sent:
    chat_id: str
    message: OutMessage
    ref: str
    edit: bool = False


@dataclass
class RecordingPort:
    """A ChannelPort that records everything the flows send (Telegram-like: buttons, edits)."""

    name: ChannelName = "telegram"
    supports_buttons: bool = True
    #: Make ``answer_button`` raise, as a network fault on answerCallbackQuery would.
    fail_acknowledge: bool = False
    sent: list[Sent] = field(default_factory=list)
    acknowledged: list[str] = field(default_factory=list)
    menus: dict[str, list[MenuCommand]] = field(default_factory=dict)
    files: dict[str, bytes] = field(default_factory=dict)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _intakes: dict[str, Intake] = field(default_factory=dict)

    async def send(self, chat_id: str, message: OutMessage) -> str | None:
        ref = str(next(self._ids))
        self.sent.append(Sent(chat_id, message, ref))
        return ref

    async def edit(self, chat_id: str, message_ref: str, message: OutMessage) -> None:
        self.sent.append(Sent(chat_id, message, message_ref, edit=True))

    async def interpret(self, inc: Incoming) -> Incoming:
        return inc

    async def answer_button(self, callback_id: str, text: str | None = None) -> None:
        if self.fail_acknowledge:
            raise ConnectionError("answerCallbackQuery: connection reset")
        self.acknowledged.append(callback_id)

    async def set_menu(self, chat_id: str, commands: list[MenuCommand]) -> None:
        self.menus[chat_id] = commands

    async def download(self, file: IncomingFile) -> bytes:
        return self.files.get(file.file_ref, b"this is not a spreadsheet")

    def to(self, chat_id: str | int) -> list[Sent]:
        return [s for s in self.sent if s.chat_id == str(chat_id)]

    def texts_to(self, chat_id: str | int) -> list[str]:
        return [s.message.text for s in self.to(chat_id)]

    def buttons_to(self, chat_id: str | int) -> list[str]:
        """Every button data shown in this chat, oldest first."""
        return [b.data for s in self.to(chat_id) for row in s.message.buttons for b in row]


class RecordingZaloApi:
    """The Zalo Bot API as the real ZaloPort uses it, recording what is sent."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []
        self._ids = itertools.count(1)

    async def send_message(self, chat_id: str, text: str) -> dict[str, Any]:
        self.sent.append((chat_id, text))
        return {"message_id": f"z{next(self._ids)}"}

    async def send_photo(self, chat_id: str, photo_url: str, caption: str) -> dict[str, Any]:
        self.sent.append((chat_id, caption))
        return {"message_id": f"z{next(self._ids)}"}

    async def download(self, url: str) -> bytes:
        return b"\x89PNG not really"

    def texts_to(self, chat_id: str) -> list[str]:
        return [text for chat, text in self.sent if chat == chat_id]


@dataclass
class InProcessBot:
    services: Services
    clock: FakeClock
    telegram: RecordingPort
    zalo_api: RecordingZaloApi
    zalo: zalo_channel.ZaloPort
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _intakes: dict[str, Intake] = field(default_factory=dict)

    def next_id(self) -> int:
        return next(self._ids)

    async def dispatch(self, inc: Incoming) -> None:
        """Through the real intake (the inbox: re-deliveries skipped), until handled."""
        port = self.telegram if inc.channel == "telegram" else self.zalo
        intake = self._intakes.setdefault(inc.channel, Intake(self.services, port))
        await intake.accept([inc])
        await intake.idle()

    async def telegram_update(self, raw: dict[str, Any]) -> Incoming | None:
        """A raw Bot API update, read by the adapter, then handled."""
        inc = telegram_incoming(raw)
        if inc is not None:
            await self.dispatch(inc)
        return inc

    async def zalo_update(self, raw: dict[str, Any]) -> Incoming | None:
        inc = zalo_channel.to_incoming(raw)
        if inc is not None:
            await self.dispatch(inc)
        return inc

    async def telegram_text(self, user_id: int, text: str, *, name: str = "Người dùng",
                            chat_id: int | None = None, chat_type: str = "private"
                            ) -> Incoming | None:
        return await self.telegram_update({"update_id": self.next_id(), "message": {
            "message_id": self.next_id(), "date": int(self.clock().timestamp()),
            "chat": {"id": chat_id if chat_id is not None else user_id, "type": chat_type},
            "from": {"id": user_id, "is_bot": False, "first_name": name},
            "text": text}})

    async def telegram_press(self, user_id: int, data: str, *, message_id: int = 1
                             ) -> Incoming | None:
        return await self.telegram_update({"update_id": self.next_id(), "callback_query": {
            "id": f"cq{self.next_id()}", "chat_instance": "ci", "data": data,
            "from": {"id": user_id, "is_bot": False, "first_name": "Người dùng"},
            "message": {"message_id": message_id, "date": int(self.clock().timestamp()),
                        "chat": {"id": user_id, "type": "private"}, "text": "…"}}})

    async def zalo_text(self, telegram_persona_id: int, text: str) -> Incoming | None:
        user = zalo_user_id(telegram_persona_id)
        return await self.zalo_update({"event_name": zalo_channel.TEXT_EVENT, "message": {
            "message_id": f"m{self.next_id()}", "text": text, "date": 0,
            "chat": {"id": user, "chat_type": "PRIVATE"},
            "from": {"id": user, "display_name": "Người dùng", "is_bot": False}}})


@pytest.fixture
async def inprocess(demo_database: Path, tmp_path: Path, clock: FakeClock,
                    request: pytest.FixtureRequest) -> AsyncIterator[InProcessBot]:
    """The demo province, the real dispatcher, recording channels. Settings may be adjusted per
    test: ``@pytest.mark.settings(FLOOD_BURST="5")``."""
    db_path = tmp_path / "bot.sqlite3"
    shutil.copy(demo_database, db_path)
    marker = request.node.get_closest_marker("settings")
    settings = load_settings(DATABASE_PATH=str(db_path), **(marker.kwargs if marker else {}))
    async with Database(db_path) as db:
        await prepare_demo(make_services(settings, db, clock))
        telegram = RecordingPort()
        api = RecordingZaloApi()
        choices = StoredChoices(db, clock)
        zalo = zalo_channel.ZaloPort(api, choices=choices,  # type: ignore[arg-type]
                                     t=translator(settings.default_language),
                                     default_language=settings.default_language)
        services = make_services(settings, db, clock,
                                 channels={"telegram": telegram, "zalo": zalo})
        yield InProcessBot(services, clock, telegram, api, zalo)
