"""A scripted person on Zalo, for end-to-end tests: plain text in, plain text out.

    lan = SandboxZaloUser(sandbox, zalo_user_id(9005), "Lan")
    await lan.send("/lang")
    reply = await lan.next_message()
    assert reply.choices == ["Tiếng Việt", "English"]
    await lan.choose("English")          # types the number shown next to it

Waits with long polls on the sandbox's Zalo chat, never with sleeps (like ``SandboxUser``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import aiohttp

from bot.sandbox.inbox import PollingInbox, SandboxUserError, call_sandbox
from bot.sandbox.server import SandboxServer

JSON = dict[str, Any]
_CHOICE_LINE = re.compile(r"^(\d{1,3})\. (.+)$")


@dataclass(frozen=True)
class ZaloMessage:
    raw: JSON

    @property
    def message_id(self) -> str:
        return str(self.raw["message_id"])

    @property
    def from_bot(self) -> bool:
        return bool(self.raw.get("from", {}).get("is_bot"))

    @property
    def text(self) -> str:
        return str(self.raw.get("text") or self.raw.get("caption") or "")

    @property
    def photo_url(self) -> str | None:
        url = self.raw.get("photo_url")
        return str(url) if url else None

    @property
    def choices(self) -> list[str]:
        """The numbered options listed in the text, in order ("1. Tiếng Việt" → "Tiếng Việt")."""
        found: list[str] = []
        for line in self.text.splitlines():
            match = _CHOICE_LINE.match(line.strip())
            if match and int(match[1]) == len(found) + 1:
                found.append(match[2])
        return found

    def number_of(self, label: str) -> int:
        choices = self.choices
        if label in choices:
            return choices.index(label) + 1
        partial = [i for i, c in enumerate(choices) if label in c]
        if len(partial) == 1:
            return partial[0] + 1
        raise SandboxUserError(f"no choice {label!r}; choices: {choices}")


class SandboxZaloUser(PollingInbox[ZaloMessage]):
    def __init__(self, server: SandboxServer | str, user_id: str, display_name: str, *,
                 session: aiohttp.ClientSession | None = None) -> None:
        """``server``: the sandbox, or its address (then pass an open ``session``)."""
        super().__init__()
        if isinstance(server, str):
            if session is None:
                raise ValueError("give the session to use with a sandbox address")
            self.base_url = server.rstrip("/")
            self._session = session
        else:
            self.base_url = server.url
            self._session = session or server.client_session
        self.user_id = user_id
        self.chat_id = user_id  # a private chat's id is the user's id on Zalo
        self.display_name = display_name
        self._cursor: int | None = None
        self._messages: list[ZaloMessage] = []

    async def _call(self, method: str, path: str, **kwargs: Any) -> JSON:
        return await call_sandbox(self._session, self.base_url + path, method, **kwargs)

    async def _fetch(self, wait: float) -> None:
        body = await self._call("GET", f"/sandbox/api/zalo/chats/{self.chat_id}/messages",
                                params={"after": str(self._cursor or 0),
                                        "wait": f"{max(0.0, wait):.3f}"})
        starting = self._cursor is None
        for event in body["events"]:
            message = ZaloMessage(event["message"])
            self._messages.append(message)
            if message.from_bot and not starting:
                self._inbox.append(message)
        self._cursor = int(body["last_seq"])

    async def _started(self) -> None:
        # The first action marks "now": bot messages from before it are history, not news.
        if self._cursor is None:
            await self._fetch(0)

    # --- what a person does -------------------------------------------------------------------

    async def send(self, text: str) -> ZaloMessage:
        await self._started()
        body = await self._call("POST", "/sandbox/api/zalo/send", json={
            "user_id": self.user_id, "display_name": self.display_name, "text": text})
        return ZaloMessage(body["message"])

    async def send_sticker(self, sticker: str = "sticker-1") -> ZaloMessage:
        await self._started()
        body = await self._call("POST", "/sandbox/api/zalo/send", json={
            "user_id": self.user_id, "display_name": self.display_name, "sticker": sticker})
        return ZaloMessage(body["message"])

    async def send_image(self, data: bytes, *, caption: str | None = None,
                         mime_type: str = "image/png") -> ZaloMessage:
        await self._started()
        form = aiohttp.FormData()
        form.add_field("user_id", self.user_id)
        form.add_field("display_name", self.display_name)
        if caption:
            form.add_field("caption", caption)
        form.add_field("file", data, filename="image", content_type=mime_type)
        body = await self._call("POST", "/sandbox/api/zalo/image", data=form)
        return ZaloMessage(body["message"])

    async def choose(self, label: str, message: ZaloMessage | None = None) -> ZaloMessage:
        """Type the number of a listed choice (of ``message``, else the newest bot message)."""
        if message is None:
            await self._started()
            await self._fetch(0)
            listed = [m for m in self._messages if m.from_bot and m.choices]
            if not listed:
                raise SandboxUserError("no bot message lists choices")
            message = listed[-1]
        return await self.send(str(message.number_of(label)))

    async def redeliver(self, message: ZaloMessage) -> None:
        """Have the sandbox hand the bot this message's update once more."""
        await self._call("POST", "/sandbox/api/zalo/redeliver",
                         json={"message_id": message.message_id})

    # --- what a person sees -------------------------------------------------------------------

    @property
    def messages(self) -> list[ZaloMessage]:
        """The chat as shown, both sides, oldest first."""
        return list(self._messages)
