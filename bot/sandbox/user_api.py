"""The people's side of the sandbox: what the chat page and the test client call.

These endpoints play the part of Telegram's apps: they turn "Alice typed /start" into the
update the bot receives, and let the page follow a chat live (long poll, no sleeping loops).
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import quote

from aiohttp import web
from aiohttp.web_request import FileField
from babel.messages.pofile import read_po

from bot.sandbox.bot_api import document_json, photo_json
from bot.sandbox.entities import detect_user_entities
from bot.sandbox.faults import FaultConfig
from bot.sandbox.flood import FloodControl
from bot.sandbox.host import PageHost
from bot.sandbox.people import NEW_VISITOR, Persona
from bot.sandbox.state import JSON, now
from bot.sandbox.validation import MAX_TEXT
from locales import LOCALES_DIR, load_catalogue

log = logging.getLogger(__name__)

MAX_WAIT_SECONDS = 30.0
_IMAGE_TYPES = {"image/png", "image/jpeg", "image/gif", "image/webp"}


class UserApiError(Exception):
    """A mistake in a page/test-client request; answered as 400 with a readable message."""


def _int(value: Any, name: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise UserApiError(f"{name} must be an integer") from None


def _ok(**payload: Any) -> web.Response:
    return web.json_response({"ok": True, **payload})


class UserApi:
    def __init__(self, server: PageHost) -> None:
        self.server = server
        self.state = server.state

    def routes(self) -> list[web.RouteDef]:
        return [
            web.get("/sandbox/api/people", self.people),
            web.post("/sandbox/api/send", self.send),
            web.post("/sandbox/api/press", self.press),
            web.post("/sandbox/api/upload", self.upload),
            web.get("/sandbox/api/chats/{chat_id}/messages", self.chat_messages),
            web.get("/sandbox/api/commands", self.commands),
            web.get("/sandbox/api/callbacks/{callback_id}", self.callback),
            web.get("/sandbox/api/strings", self.strings),
            web.get("/sandbox/api/config", self.get_config),
            web.post("/sandbox/api/config", self.set_config),
            web.get("/sandbox/api/stats", self.stats),
            web.post("/sandbox/api/block", self.block),
            web.get("/sandbox/files/{file_id}", self.download),
        ]

    # --- people -------------------------------------------------------------------------------

    async def people(self, request: web.Request) -> web.Response:
        personas: list[Persona] = []
        if self.server.people is not None:
            try:
                personas = list(await self.server.people())
            except Exception:  # a broken provider must not break the demo page
                log.exception("people provider failed")
        if not any(p.user_id == NEW_VISITOR.user_id for p in personas):
            personas.append(NEW_VISITOR)
        return _ok(people=[p.to_json() for p in personas])

    def _sender(self, body: dict[str, Any]) -> tuple[JSON, JSON]:
        """The user (remembered) and the chat (opened) a request speaks for."""
        user_id = _int(body.get("user_id"), "user_id")
        if user_id <= 0:
            raise UserApiError("user_id must be positive")
        known = self.state.users.get(user_id, {})
        user = self.state.remember_user(
            user_id,
            str(body.get("first_name") or known.get("first_name") or f"User {user_id}"),
            body.get("last_name") or known.get("last_name"),
            body.get("language_code") or known.get("language_code"),
        )
        chat_type = str(body.get("chat_type") or "private")
        if chat_type not in {"private", "group", "supergroup"}:
            raise UserApiError("chat_type must be private, group or supergroup")
        chat_id = _int(body.get("chat_id") or user_id, "chat_id")
        if chat_type == "private" and chat_id != user_id:
            raise UserApiError("a private chat's id is the user's id")
        if chat_type != "private" and chat_id >= 0:
            raise UserApiError("group chat ids are negative")
        chat = self.state.open_chat(chat_id, user, chat_type, body.get("chat_title"))
        return user, chat

    def _user_message(self, user: JSON, chat: JSON, **content: Any) -> JSON:
        message = {"message_id": self.state.next_message_id(chat["id"]), "from": user,
                   "chat": chat, "date": now(), **content}
        self.state.store_message(message)
        self.state.add_update(message=message)
        return message

    async def send(self, request: web.Request) -> web.Response:
        body = await _json_body(request)
        text = str(body.get("text") or "")
        if not text.strip():
            raise UserApiError("text is empty")
        if len(text) > MAX_TEXT:
            raise UserApiError("text is too long")
        user, chat = self._sender(body)
        content: JSON = {"text": text}
        entities = detect_user_entities(text)
        if entities:
            content["entities"] = entities
        reply_to = body.get("reply_to_message_id")
        if reply_to:
            target = self.state.message(chat["id"], _int(reply_to, "reply_to_message_id"))
            if target is not None:
                content["reply_to_message"] = target
        self.state.user_used_keyboard(chat["id"], text)
        return _ok(message=self._user_message(user, chat, **content))

    async def press(self, request: web.Request) -> web.Response:
        body = await _json_body(request)
        user, chat = self._sender(body)
        message_id = _int(body.get("message_id"), "message_id")
        data = str(body.get("data") or "")
        message = self.state.message(chat["id"], message_id)
        if message is None or not message.get("from", {}).get("is_bot"):
            raise UserApiError("no such bot message")
        buttons = [b for row in message.get("reply_markup", {}).get("inline_keyboard", [])
                   for b in row]
        if not any(b.get("callback_data") == data for b in buttons):
            raise UserApiError("that message has no button with this callback_data")
        record = self.state.new_callback(user["id"], chat["id"], message_id, data)
        self.state.add_update(callback_query={
            "id": record.id, "from": user, "message": message,
            "chat_instance": str(9_000_000_000 + abs(chat["id"])), "data": data,
        })
        return _ok(callback_query_id=record.id)

    async def upload(self, request: web.Request) -> web.Response:
        form = await request.post()
        upload = form.get("file")
        if not isinstance(upload, FileField):
            raise UserApiError("file is missing")
        fields = {k: v for k, v in form.items() if isinstance(v, str)}
        user, chat = self._sender(fields)
        data = upload.file.read()
        if not data:
            raise UserApiError("the file is empty")
        mime = (upload.content_type or "").lower()
        is_photo = mime in _IMAGE_TYPES and fields.get("as_document") != "true"
        stored = self.state.store_file(data, upload.filename or "file", mime or None,
                                       "photo" if is_photo else "document")
        content: JSON = {"photo": photo_json(stored)} if is_photo else {
            "document": document_json(stored)}
        if fields.get("caption"):
            content["caption"] = fields["caption"]
        return _ok(message=self._user_message(user, chat, **content))

    # --- following a chat ---------------------------------------------------------------------

    async def chat_messages(self, request: web.Request) -> web.Response:
        chat_id = _int(request.match_info["chat_id"], "chat_id")
        after = _int(request.query.get("after", "0"), "after")
        try:
            wait = min(MAX_WAIT_SECONDS, max(0.0, float(request.query.get("wait", "0"))))
        except ValueError:
            raise UserApiError("wait must be a number of seconds") from None
        await self.state.events_changed.wait_until(
            lambda: bool(self.state.events_after(chat_id, after)), wait
        )
        user_id = request.query.get("user_id")
        events = self.state.events_after(chat_id, after)
        return _ok(
            events=events,
            last_seq=events[-1]["seq"] if events else max(after, 0),
            reply_keyboard=self.state.reply_keyboards.get(chat_id),
            commands=self.state.resolve_commands(
                chat_id, _int(user_id, "user_id") if user_id else None,
                request.query.get("language_code") or self.state.chat_language.get(chat_id)),
        )

    async def commands(self, request: web.Request) -> web.Response:
        chat_id = _int(request.query.get("chat_id"), "chat_id")
        user_id = request.query.get("user_id")
        return _ok(commands=self.state.resolve_commands(
            chat_id, _int(user_id, "user_id") if user_id else None,
            request.query.get("language_code") or None))

    async def callback(self, request: web.Request) -> web.Response:
        record = self.state.callbacks.get(request.match_info["callback_id"])
        if record is None:
            raise UserApiError("no such callback query")
        return _ok(callback=record.to_json())

    async def download(self, request: web.Request) -> web.Response:
        stored = self.state.files.get(request.match_info["file_id"])
        if stored is None:
            raise web.HTTPNotFound(text="file not found")
        disposition = "inline" if stored.mime_type.startswith("image/") else "attachment"
        ascii_name = stored.file_name.encode("ascii", "replace").decode().replace('"', "")
        return web.Response(body=stored.data, content_type=stored.mime_type, headers={
            "Content-Disposition": f"{disposition}; filename=\"{ascii_name}\"; "
                                   f"filename*=UTF-8''{quote(stored.file_name)}",
        })

    # --- page strings, switches, statistics ---------------------------------------------------

    async def strings(self, request: web.Request) -> web.Response:
        lang = request.query.get("lang", "vi")
        if lang not in {"vi", "en"}:
            lang = "vi"
        return _ok(lang=lang, strings=page_strings(lang))

    async def get_config(self, request: web.Request) -> web.Response:
        return _ok(**self.server.config_json())

    async def set_config(self, request: web.Request) -> web.Response:
        body = await _json_body(request)
        try:
            if "flood" in body:
                flood = body["flood"]
                self.server.flood = FloodControl(**flood) if flood else None
            if "faults" in body:
                faults = body["faults"]
                self.server.faults = FaultConfig.from_json(faults) if faults else None
        except TypeError as exc:
            raise UserApiError(f"bad config: {exc}") from None
        return _ok(**self.server.config_json())

    async def stats(self, request: web.Request) -> web.Response:
        return _ok(stats=self.state.stats.to_json())

    async def block(self, request: web.Request) -> web.Response:
        body = await _json_body(request)
        user_id = _int(body.get("user_id"), "user_id")
        self.server.set_blocked(user_id, bool(body.get("blocked", True)))
        return _ok(blocked=sorted(self.state.blocked_users))


async def _json_body(request: web.Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except ValueError:
        raise UserApiError("the body must be a JSON object") from None
    if not isinstance(body, dict):
        raise UserApiError("the body must be a JSON object")
    return body


def page_strings(lang: str) -> dict[str, str]:
    """The page's labels from the locale catalogues (``sandbox.*`` keys)."""
    try:
        catalogue = load_catalogue(lang)
    except Exception:
        # Another feature's broken .po file must not blank the demo page: read ours alone.
        log.exception("catalogue %s failed to load; using sandbox.po only", lang)
        with (LOCALES_DIR / lang / "LC_MESSAGES" / "sandbox.po").open("rb") as fh:
            catalogue = {m.id: m.string for m in read_po(fh, locale=lang)
                         if isinstance(m.id, str) and m.id and isinstance(m.string, str)}
    return {k: v for k, v in catalogue.items() if k.startswith("sandbox.")}
