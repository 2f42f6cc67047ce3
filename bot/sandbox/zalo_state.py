"""What the sandbox's Zalo Bot API remembers: chats, messages, queued updates, hosted photos.

Like the Telegram side, every mutation is synchronous (atomic on one event loop) and long polls
wait on :class:`Notifier` wake-ups. One simplification, on purpose: a message a person sends
while the bot is not polling waits in the queue here, whereas real Zalo may drop it (delivery
there is at most once). Tests that want a lost or repeated delivery say so explicitly.
"""

from __future__ import annotations

import copy
import secrets
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from bot.sandbox.notifier import Notifier

JSON = dict[str, Any]
ZALO_TEXT_LIMIT = 2000
#: How long a sandbox user's id is: Zalo's ids are 20 hex digits, e.g. "6ede9afa66b88fe6d6a9".
ID_DIGITS = 20


def zalo_user_id(telegram_user_id: int) -> str:
    """The Zalo id a sandbox persona uses: stable, derived from their Telegram id (hex)."""
    return f"{telegram_user_id:0{ID_DIGITS}x}"


def now_ms() -> int:
    return int(time.time() * 1000)


def new_message_id() -> str:
    # Random like Zalo's: unique even across sandbox restarts (the bot's database remembers ids).
    return secrets.token_hex(ID_DIGITS // 2)


@dataclass
class ZaloFault:
    """The next ``times`` calls of ``method`` fail with this error (for retry tests)."""

    method: str
    error_code: int
    description: str
    times: int = 1


@dataclass
class ZaloStats:
    requests: Counter[str] = field(default_factory=Counter)  # by lower-case method name
    empty_polls: int = 0  # getUpdates answered 408
    errors: Counter[int] = field(default_factory=Counter)  # error answers by code
    webhook_deliveries: int = 0  # updates the webhook accepted (2xx)
    webhook_failures: int = 0  # deliveries refused or failed (retried)

    def to_json(self) -> JSON:
        return {"requests": dict(self.requests), "empty_polls": self.empty_polls,
                "errors": {str(k): v for k, v in self.errors.items()},
                "webhook_deliveries": self.webhook_deliveries,
                "webhook_failures": self.webhook_failures}


@dataclass
class HostedPhoto:
    data: bytes
    mime_type: str


class ZaloState:
    def __init__(self, bot_id: str = "7000000002", account_name: str = "Tổ CNS Demo") -> None:
        self.bot = {"id": bot_id, "account_name": account_name, "account_type": "BASIC",
                    "can_join_groups": False}
        self.users: dict[str, JSON] = {}
        self.updates: list[JSON] = []
        self.updates_changed = Notifier()
        #: Woken whenever a getUpdates call ends (with an update or a 408), for tests.
        self.polled = Notifier()
        self.events: dict[str, list[JSON]] = {}  # chat id -> [{"seq", "message"}]
        self.events_changed = Notifier()
        self._seq = 0
        self.handed_out: dict[str, JSON] = {}  # message id -> the update given to the bot
        self.webhook: JSON | None = None
        self.faults: list[ZaloFault] = []
        self.photos: dict[str, HostedPhoto] = {}
        self.stats = ZaloStats()

    def close(self) -> None:
        self.updates_changed.close()
        self.polled.close()
        self.events_changed.close()

    # --- the people's side --------------------------------------------------------------------

    def remember_user(self, user_id: str, display_name: str) -> JSON:
        user = {"id": user_id, "display_name": display_name or user_id, "is_bot": False}
        self.users[user_id] = user
        return user

    def user_message(self, user: JSON, event_name: str, **content: Any) -> JSON:
        """A person's message: shown in their chat and queued for the bot as an update."""
        message: JSON = {"message_id": new_message_id(), "date": now_ms(),
                         "chat": {"id": user["id"], "chat_type": "PRIVATE"},
                         "from": dict(user), **content}
        self._record(str(user["id"]), message)
        update = {"event_name": event_name, "message": copy.deepcopy(message)}
        self.handed_out[message["message_id"]] = update
        self.updates.append(update)
        self.updates_changed.notify()
        return message

    def redeliver(self, message_id: str) -> None:
        """Give the bot the same update again (a webhook retry, a flaky network)."""
        self.updates.append(copy.deepcopy(self.handed_out[message_id]))
        self.updates_changed.notify()

    def bot_message(self, chat_id: str, **content: Any) -> JSON:
        message: JSON = {"message_id": new_message_id(), "date": now_ms(),
                         "chat": {"id": chat_id, "chat_type": "PRIVATE"},
                         "from": {"id": self.bot["id"], "display_name": self.bot["account_name"],
                                  "is_bot": True}, **content}
        self._record(chat_id, message)
        return message

    def _record(self, chat_id: str, message: JSON) -> None:
        self._seq += 1
        self.events.setdefault(chat_id, []).append({"seq": self._seq, "message": message})
        self.events_changed.notify()

    def events_after(self, chat_id: str, seq: int) -> list[JSON]:
        return [e for e in self.events.get(chat_id, []) if e["seq"] > seq]

    # --- the bot's side -----------------------------------------------------------------------

    def take_update(self) -> JSON | None:
        return self.updates.pop(0) if self.updates else None

    def fault_for(self, method: str) -> ZaloFault | None:
        for fault in self.faults:
            if fault.method == method and fault.times > 0:
                fault.times -= 1
                return fault
        return None

    def host_photo(self, data: bytes, mime_type: str) -> str:
        photo_id = secrets.token_hex(8)
        self.photos[photo_id] = HostedPhoto(data, mime_type)
        return photo_id
