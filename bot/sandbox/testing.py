"""A scripted person for end-to-end tests and benchmarks, talking to the sandbox over HTTP.

    alice = SandboxUser(sandbox, 1001, "Alice", "vi")
    await alice.send("/start")
    reply = await alice.next_message()
    assert "Chào" in reply.text
    await alice.press("Tiếng Việt")

It uses the same ``/sandbox/api`` endpoints as the chat page, and waits with long polls — never
with sleeps — so tests are fast and not flaky.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import aiohttp

from bot.sandbox.inbox import PollingInbox, SandboxUserError, call_sandbox
from bot.sandbox.server import SandboxServer

JSON = dict[str, Any]
DEFAULT_TOKEN = "123456:SANDBOX-TEST-TOKEN"


@dataclass(frozen=True)
class SandboxMessage:
    """A message as the user sees it (Telegram's Message JSON in ``raw``)."""

    raw: JSON
    edited: bool = False  # True when this is the new state of a message the bot edited

    @property
    def message_id(self) -> int:
        return int(self.raw["message_id"])

    @property
    def chat_id(self) -> int:
        return int(self.raw["chat"]["id"])

    @property
    def from_bot(self) -> bool:
        return bool(self.raw.get("from", {}).get("is_bot"))

    @property
    def text(self) -> str:
        """The text, or the caption of a photo/document ('' if neither)."""
        return str(self.raw.get("text") or self.raw.get("caption") or "")

    @property
    def entities(self) -> list[JSON]:
        return list(self.raw.get("entities") or self.raw.get("caption_entities") or [])

    @property
    def inline_keyboard(self) -> list[list[JSON]]:
        return list(self.raw.get("reply_markup", {}).get("inline_keyboard", []))

    @property
    def buttons(self) -> list[str]:
        """The inline buttons' labels, row by row."""
        return [button["text"] for row in self.inline_keyboard for button in row]

    def button(self, text: str | None = None, *, callback_data: str | None = None
               ) -> JSON | None:
        """The inline button with that exact label (or data); failing that, one containing it."""
        buttons = [b for row in self.inline_keyboard for b in row]
        if callback_data is not None:
            return next((b for b in buttons if b.get("callback_data") == callback_data), None)
        exact = next((b for b in buttons if b["text"] == text), None)
        return exact or next((b for b in buttons if text and text in b["text"]), None)

    @property
    def document(self) -> JSON | None:
        document = self.raw.get("document")
        return dict(document) if document else None

    @property
    def photo(self) -> list[JSON] | None:
        photo = self.raw.get("photo")
        return list(photo) if photo else None

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class CallbackAnswer:
    """What the bot answered (answerCallbackQuery) to a button press."""

    callback_query_id: str
    data: str
    text: str | None
    show_alert: bool
    url: str | None


class SandboxUser(PollingInbox[SandboxMessage]):
    """One person in one chat (their private chat with the bot unless ``chat_id`` is given)."""

    def __init__(
        self,
        server: SandboxServer | str,
        user_id: int,
        first_name: str,
        language_code: str = "vi",
        *,
        last_name: str | None = None,
        chat_id: int | None = None,
        chat_type: str = "private",
        chat_title: str | None = None,
        session: aiohttp.ClientSession | None = None,
    ) -> None:
        super().__init__()
        if isinstance(server, str):
            self.base_url = server.rstrip("/")
            self._session = session
            self._owns_session = session is None
        else:
            self.base_url = server.url
            self._session = session or server.client_session
            self._owns_session = False
        self.user_id = user_id
        self.first_name = first_name
        self.last_name = last_name
        self.language_code = language_code
        self.chat_id = chat_id if chat_id is not None else user_id
        self.chat_type = chat_type
        self.chat_title = chat_title
        self._cursor: int | None = None  # last event seq seen; None before the first action
        self._messages: dict[int, SandboxMessage] = {}
        self._answers: dict[str, CallbackAnswer] = {}
        self._last_press: str | None = None
        self.last_callback_answer: CallbackAnswer | None = None
        self.reply_keyboard_markup: JSON | None = None
        self.commands: list[JSON] = []

    # --- plumbing -----------------------------------------------------------------------------

    @property
    def session(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession()
            self._owns_session = True
        return self._session

    async def close(self) -> None:
        if self._owns_session and self._session is not None:
            await self._session.close()

    async def __aenter__(self) -> SandboxUser:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    def _identity(self) -> JSON:
        identity: JSON = {"user_id": self.user_id, "first_name": self.first_name,
                          "language_code": self.language_code, "chat_id": self.chat_id,
                          "chat_type": self.chat_type}
        if self.last_name:
            identity["last_name"] = self.last_name
        if self.chat_title:
            identity["chat_title"] = self.chat_title
        return identity

    async def _call(self, method: str, path: str, **kwargs: Any) -> JSON:
        return await call_sandbox(self.session, self.base_url + path, method, **kwargs)

    async def _fetch(self, wait: float) -> None:
        """Take in the chat's new events, waiting up to ``wait`` s for at least one."""
        body = await self._call(
            "GET", f"/sandbox/api/chats/{self.chat_id}/messages",
            params={"after": str(self._cursor or 0), "wait": f"{max(0.0, wait):.3f}",
                    "user_id": str(self.user_id), "language_code": self.language_code},
        )
        starting = self._cursor is None
        for event in body["events"]:
            self._apply(event, queue=not starting)
        self._cursor = int(body["last_seq"])
        self.reply_keyboard_markup = body.get("reply_keyboard")
        self.commands = list(body.get("commands") or [])

    def _apply(self, event: JSON, queue: bool) -> None:
        kind = event["kind"]
        if kind == "callback_answer":
            answer = event["answer"]
            record = CallbackAnswer(answer["callback_query_id"], answer["data"], answer["text"],
                                    bool(answer["show_alert"]), answer["url"])
            self._answers[record.callback_query_id] = record
            self.last_callback_answer = record
            return
        message = SandboxMessage(event["message"], edited=kind == "edit")
        if kind == "delete":
            self._messages.pop(message.message_id, None)
            return
        self._messages[message.message_id] = message
        if queue and message.from_bot:
            self._inbox.append(message)

    async def _started(self) -> None:
        # The first action marks "now": bot messages from before it are history, not news.
        if self._cursor is None:
            await self._fetch(0)

    # --- what a person does -------------------------------------------------------------------

    async def send(self, text: str, *, reply_to_message_id: int | None = None
                   ) -> SandboxMessage:
        await self._started()
        payload = {**self._identity(), "text": text}
        if reply_to_message_id:
            payload["reply_to_message_id"] = reply_to_message_id
        body = await self._call("POST", "/sandbox/api/send", json=payload)
        return SandboxMessage(body["message"])

    async def command(self, name: str, *args: str) -> SandboxMessage:
        """``command("me")`` sends ``/me``; extra words become the command's arguments."""
        return await self.send(" ".join([f"/{name.removeprefix('/')}", *args]))

    async def tap(self, label: str) -> SandboxMessage:
        """Tap a reply-keyboard button: Telegram sends its label as a text message."""
        labels = self.reply_keyboard
        if labels is not None and not any(label in row for row in labels):
            raise SandboxUserError(f"no reply-keyboard button {label!r}; buttons: {labels}")
        return await self.send(label)

    async def press(self, text: str | None = None, *, callback_data: str | None = None,
                    message: SandboxMessage | None = None) -> str:
        """Press an inline button (by label or data) on the newest bot message that has it.

        Returns the callback query id; the bot's answer shows up in ``last_callback_answer``
        (see :meth:`callback_answer` to wait for it).
        """
        if text is None and callback_data is None:
            raise ValueError("say which button: its text or callback_data")
        await self._started()
        await self._fetch(0)
        candidates = [message] if message else [m for m in reversed(self._messages.values())
                                                if m.from_bot]
        for candidate in candidates:
            button = candidate.button(text, callback_data=callback_data)
            if button is not None and "callback_data" in button:
                body = await self._call("POST", "/sandbox/api/press", json={
                    **self._identity(), "message_id": candidate.message_id,
                    "data": button["callback_data"]})
                self._last_press = str(body["callback_query_id"])
                return self._last_press
        shown = [m.buttons for m in candidates if m.buttons]
        raise SandboxUserError(f"no button {text or callback_data!r}; buttons shown: {shown}")

    async def upload(self, filename: str, data: bytes, *, caption: str | None = None,
                     mime_type: str | None = None, as_document: bool = False
                     ) -> SandboxMessage:
        """Send a file (a photo if it is an image, unless ``as_document``)."""
        await self._started()
        form = aiohttp.FormData(quote_fields=False)
        for key, value in self._identity().items():
            form.add_field(key, str(value))
        if caption:
            form.add_field("caption", caption)
        if as_document:
            form.add_field("as_document", "true")
        form.add_field("file", data, filename=filename,
                       content_type=mime_type or _guess_type(filename))
        body = await self._call("POST", "/sandbox/api/upload", data=form)
        return SandboxMessage(body["message"])

    async def download(self, file: SandboxMessage | str) -> bytes:
        """The bytes of a document/photo the bot sent (as the page's download link gives)."""
        if isinstance(file, SandboxMessage):
            if file.document:
                file_id = str(file.document["file_id"])
            elif file.photo:
                file_id = str(file.photo[-1]["file_id"])
            else:
                raise SandboxUserError("that message has no file")
        else:
            file_id = file
        async with self.session.get(f"{self.base_url}/sandbox/files/{file_id}") as response:
            if response.status != 200:
                raise SandboxUserError(f"download failed: HTTP {response.status}")
            return await response.read()

    # --- what a person sees -------------------------------------------------------------------

    async def callback_answer(self, timeout: float = 5.0) -> CallbackAnswer:
        """Wait for the bot's answerCallbackQuery to the last :meth:`press`."""
        if self._last_press is None:
            raise SandboxUserError("nothing was pressed yet")
        deadline = time.monotonic() + timeout
        while self._last_press not in self._answers:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError("the bot did not answer the button press")
            await self._fetch(remaining)
        return self._answers[self._last_press]

    @property
    def messages(self) -> list[SandboxMessage]:
        """The chat as currently shown (both sides, edits applied, deletions removed)."""
        return list(self._messages.values())

    @property
    def reply_keyboard(self) -> list[list[str]] | None:
        """The labels of the reply keyboard the bot has set in this chat, if any."""
        if not self.reply_keyboard_markup:
            return None
        return [[b if isinstance(b, str) else b["text"] for b in row]
                for row in self.reply_keyboard_markup["keyboard"]]


def _guess_type(filename: str) -> str:
    import mimetypes

    return mimetypes.guess_type(filename)[0] or "application/octet-stream"
