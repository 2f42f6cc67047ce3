"""Everything the sandbox remembers: chats, messages, pending updates, files, commands.

All mutations are synchronous (no ``await`` inside), so on one event loop they are atomic;
long polls wait on :class:`Notifier` wake-ups.
"""

from __future__ import annotations

import copy
import hashlib
import itertools
import mimetypes
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from bot.sandbox.errors import bad_request, forbidden
from bot.sandbox.notifier import Notifier

JSON = dict[str, Any]


@dataclass
class StoredFile:
    file_id: str
    file_unique_id: str
    file_name: str
    mime_type: str
    data: bytes
    file_path: str

    @property
    def size(self) -> int:
        return len(self.data)


@dataclass
class CallbackRecord:
    """A button press and what the bot answered to it (None until answered)."""

    id: str
    user_id: int
    chat_id: int
    message_id: int
    data: str
    answered: bool = False
    text: str | None = None
    show_alert: bool = False
    url: str | None = None

    def to_json(self) -> JSON:
        return {"callback_query_id": self.id, "user_id": self.user_id, "chat_id": self.chat_id,
                "message_id": self.message_id, "data": self.data, "answered": self.answered,
                "text": self.text, "show_alert": self.show_alert, "url": self.url}


@dataclass
class Webhook:
    url: str
    secret_token: str | None = None
    max_connections: int = 40
    allowed_updates: list[str] | None = None
    last_error_date: int | None = None
    last_error_message: str | None = None


@dataclass
class SandboxStats:
    """Counters for tests and benchmarks."""

    requests: Counter[str] = field(default_factory=Counter)  # by lower-case method name
    too_many_requests: int = 0
    faults: Counter[str] = field(default_factory=Counter)  # error_500, error_502, drop, slow
    messages_delivered: int = 0  # bot messages actually stored

    def to_json(self) -> JSON:
        return {"requests": dict(self.requests), "too_many_requests": self.too_many_requests,
                "faults": dict(self.faults), "messages_delivered": self.messages_delivered}


def now() -> int:
    return int(time.time())


CommandKey = tuple[tuple[Any, ...], str]  # (scope key, language_code)


def scope_key(scope: JSON | None) -> tuple[Any, ...]:
    """A hashable key of a BotCommandScope object."""
    if not scope:
        return ("default",)
    kind = scope.get("type", "default")
    if kind in {"default", "all_private_chats", "all_group_chats", "all_chat_administrators"}:
        return (kind,)
    if kind in {"chat", "chat_administrators"}:
        return (kind, int(scope.get("chat_id", 0)))
    if kind == "chat_member":
        return (kind, int(scope.get("chat_id", 0)), int(scope.get("user_id", 0)))
    raise bad_request("wrong scope type specified")


class SandboxState:
    def __init__(self, bot_user: JSON) -> None:
        self.bot_user = bot_user
        self.tokens: set[str] = set()
        self.users: dict[int, JSON] = {}
        self.chats: dict[int, JSON] = {}
        self.chat_language: dict[int, str] = {}
        self.messages: dict[int, dict[int, JSON]] = {}
        self._message_ids: dict[int, itertools.count[int]] = {}
        self.updates: list[JSON] = []
        self._update_ids = itertools.count(1)
        self.handed_out: dict[int, JSON] = {}
        self.updates_changed = Notifier()
        self.events: dict[int, list[JSON]] = {}
        self._seq = itertools.count(1)
        self.last_seq = 0
        self.events_changed = Notifier()
        self.reply_keyboards: dict[int, JSON | None] = {}
        self.files: dict[str, StoredFile] = {}
        self.files_by_path: dict[str, StoredFile] = {}
        self._file_numbers = itertools.count(1)
        self.commands: dict[CommandKey, list[JSON]] = {}
        self.callbacks: dict[str, CallbackRecord] = {}
        self._callback_ids = itertools.count(1)
        self.blocked_users: set[int] = set()
        self.webhook: Webhook | None = None
        self.stats = SandboxStats()

    # --- people and chats ---------------------------------------------------------------------

    def remember_user(self, user_id: int, first_name: str, last_name: str | None = None,
                      language_code: str | None = None) -> JSON:
        user: JSON = {"id": user_id, "is_bot": False, "first_name": first_name or str(user_id)}
        if last_name:
            user["last_name"] = last_name
        if language_code:
            user["language_code"] = language_code
        self.users[user_id] = user
        return user

    def open_chat(self, chat_id: int, user: JSON, chat_type: str = "private",
                  title: str | None = None) -> JSON:
        if chat_type == "private":
            chat = {"id": chat_id, "type": "private", "first_name": user["first_name"]}
            if "last_name" in user:
                chat["last_name"] = user["last_name"]
        else:
            existing = self.chats.get(chat_id)
            chat = existing or {"id": chat_id, "type": chat_type,
                                "title": title or f"Nhóm {abs(chat_id)}"}
        self.chats[chat_id] = chat
        if user.get("language_code"):
            self.chat_language[chat_id] = user["language_code"]
        return chat

    def chat(self, chat_id: int) -> JSON:
        chat = self.chats.get(chat_id)
        if chat is None:
            raise bad_request("chat not found")
        return chat

    def writable_chat(self, chat_id: int) -> JSON:
        chat = self.chat(chat_id)
        if chat["type"] == "private" and chat_id in self.blocked_users:
            raise forbidden("bot was blocked by the user")
        return chat

    def is_group(self, chat_id: int) -> bool:
        return self.chats.get(chat_id, {}).get("type") in {"group", "supergroup"}

    # --- messages -----------------------------------------------------------------------------

    def next_message_id(self, chat_id: int) -> int:
        counter = self._message_ids.setdefault(chat_id, itertools.count(1))
        return next(counter)

    def message(self, chat_id: int, message_id: int) -> JSON | None:
        return self.messages.get(chat_id, {}).get(message_id)

    def store_message(self, message: JSON, markup: JSON | None = None) -> JSON:
        """Keeps a new message; ``markup`` is the bot's reply_markup, reply keyboards included."""
        chat_id = message["chat"]["id"]
        self.messages.setdefault(chat_id, {})[message["message_id"]] = message
        if message.get("from", {}).get("is_bot"):
            self.stats.messages_delivered += 1
            self._track_reply_keyboard(chat_id, markup)
        self.add_event(chat_id, "new", message=message)
        return message

    def _track_reply_keyboard(self, chat_id: int, markup: JSON | None) -> None:
        if not markup:
            return
        if "keyboard" in markup:
            self.reply_keyboards[chat_id] = markup
        elif markup.get("remove_keyboard"):
            self.reply_keyboards[chat_id] = None

    def user_used_keyboard(self, chat_id: int, text: str) -> None:
        """A one-time keyboard hides once the user taps one of its buttons."""
        markup = self.reply_keyboards.get(chat_id)
        if not markup or not markup.get("one_time_keyboard"):
            return
        labels = {b if isinstance(b, str) else b.get("text")
                  for row in markup["keyboard"] for b in row}
        if text in labels:
            self.reply_keyboards[chat_id] = None

    def replace_message(self, message: JSON) -> None:
        self.messages[message["chat"]["id"]][message["message_id"]] = message
        self.add_event(message["chat"]["id"], "edit", message=message)

    def delete_message(self, chat_id: int, message_id: int) -> bool:
        message = self.messages.get(chat_id, {}).pop(message_id, None)
        if message is None:
            return False
        self.add_event(chat_id, "delete", message={"message_id": message_id,
                                                   "chat": message["chat"]})
        return True

    # --- chat event stream (what the page and the test client follow) -------------------------

    def add_event(self, chat_id: int, kind: str, **payload: Any) -> JSON:
        seq = next(self._seq)
        self.last_seq = seq
        event = {"seq": seq, "kind": kind, "chat_id": chat_id, **copy.deepcopy(payload)}
        self.events.setdefault(chat_id, []).append(event)
        self.events_changed.notify()
        return event

    def events_after(self, chat_id: int, seq: int) -> list[JSON]:
        events = self.events.get(chat_id, [])
        # Sequence numbers grow, so scan from the end.
        index = len(events)
        while index > 0 and events[index - 1]["seq"] > seq:
            index -= 1
        return events[index:]

    # --- updates ------------------------------------------------------------------------------

    def add_update(self, **content: Any) -> JSON:
        update = {"update_id": next(self._update_ids), **copy.deepcopy(content)}
        self.updates.append(update)
        self.handed_out[update["update_id"]] = update
        self.updates_changed.notify()
        return update

    def redeliver(self, update_id: int) -> None:
        """Hand an update out again, as Telegram does when a bot crashed before confirming it."""
        self.updates.append(copy.deepcopy(self.handed_out[update_id]))
        self.updates_changed.notify()

    def confirm_updates(self, offset: int | None) -> None:
        """Telegram forgets updates with an id below the offset once getUpdates names it."""
        if offset is None:
            return
        if offset < 0:
            keep = -offset
            self.updates = self.updates[-keep:] if keep else []
        else:
            self.updates = [u for u in self.updates if u["update_id"] >= offset]

    # --- files --------------------------------------------------------------------------------

    def store_file(self, data: bytes, file_name: str, mime_type: str | None, kind: str
                   ) -> StoredFile:
        number = next(self._file_numbers)
        digest = hashlib.sha1(data).hexdigest()[:16]
        mime = mime_type or mimetypes.guess_type(file_name)[0] or "application/octet-stream"
        extension = (file_name.rsplit(".", 1)[-1] if "." in file_name else "bin").lower()
        folder = "photos" if kind == "photo" else "documents"
        stored = StoredFile(
            file_id=f"SBX{kind[:3].upper()}{number:06d}{digest}",
            file_unique_id=f"U{digest}",
            file_name=file_name,
            mime_type=mime,
            data=data,
            file_path=f"{folder}/file_{number}.{extension}",
        )
        self.files[stored.file_id] = stored
        self.files_by_path[stored.file_path] = stored
        return stored

    # --- commands -----------------------------------------------------------------------------

    def resolve_commands(self, chat_id: int, user_id: int | None, language_code: str | None
                         ) -> list[JSON]:
        """The menu Telegram would show: narrowest scope first, each with language then without."""
        if self.is_group(chat_id):
            scopes: list[tuple[Any, ...]] = []
            if user_id is not None:
                scopes.append(("chat_member", chat_id, user_id))
            scopes += [("chat", chat_id), ("all_group_chats",), ("default",)]
        else:
            scopes = [("chat", chat_id), ("all_private_chats",), ("default",)]
        languages = [language_code, ""] if language_code else [""]
        for scope in scopes:
            for lang in languages:
                commands = self.commands.get((scope, lang))
                if commands:
                    return commands
        return []

    # --- button presses -----------------------------------------------------------------------

    def new_callback(self, user_id: int, chat_id: int, message_id: int, data: str
                     ) -> CallbackRecord:
        # Unique across sandbox restarts (the bot's database outlives the sandbox in the demo,
        # and it remembers handled callback ids), like Telegram's 64-bit ids.
        unique = time.time_ns() // 1_000 * 1_000 + next(self._callback_ids) % 1_000
        record = CallbackRecord(id=str(unique), user_id=user_id,
                                chat_id=chat_id, message_id=message_id, data=data)
        self.callbacks[record.id] = record
        return record
