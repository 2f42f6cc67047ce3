"""The Bot API methods the sandbox implements, one handler per method.

Handlers take parsed parameters and return the ``result`` of Telegram's envelope, or raise
:class:`BotApiError`. They only touch :class:`SandboxState`, so they are easy to reason about.
"""

from __future__ import annotations

import copy
import re
import struct
from collections.abc import Awaitable, Callable
from typing import Any

from bot.sandbox import validation
from bot.sandbox.errors import bad_request, conflict
from bot.sandbox.params import ApiParams, UploadedPart
from bot.sandbox.state import JSON, SandboxState, StoredFile, Webhook, now, scope_key

Handler = Callable[[ApiParams], Awaitable[Any]]

# Methods that post a message; only these count against flood limits.
SENDING_METHODS = frozenset({"sendmessage", "sendphoto", "senddocument", "copymessage",
                             "forwardmessage"})
_SECRET_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,256}")


def image_size(data: bytes) -> tuple[int, int]:
    """Width and height of a PNG/GIF/JPEG, enough for PhotoSize; a guess otherwise."""
    if data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return int(width), int(height)
    if data[:6] in (b"GIF87a", b"GIF89a") and len(data) >= 10:
        width, height = struct.unpack("<HH", data[6:10])
        return int(width), int(height)
    if data.startswith(b"\xff\xd8"):
        i = 2
        while i + 9 < len(data):
            if data[i] != 0xFF:
                break
            marker, length = data[i + 1], struct.unpack(">H", data[i + 2:i + 4])[0]
            if marker in (0xC0, 0xC1, 0xC2):
                height, width = struct.unpack(">HH", data[i + 5:i + 9])
                return int(width), int(height)
            i += 2 + length
    return 800, 600


def _without_nested_reply(message: JSON) -> JSON:
    shallow = copy.deepcopy(message)
    shallow.pop("reply_to_message", None)
    return shallow


class BotApi:
    def __init__(self, state: SandboxState) -> None:
        self.state = state
        self.handlers: dict[str, Handler] = {
            "getme": self.get_me,
            "getupdates": self.get_updates,
            "setwebhook": self.set_webhook,
            "deletewebhook": self.delete_webhook,
            "getwebhookinfo": self.get_webhook_info,
            "sendmessage": self.send_message,
            "sendphoto": self.send_photo,
            "senddocument": self.send_document,
            "editmessagetext": self.edit_message_text,
            "editmessagecaption": self.edit_message_caption,
            "editmessagereplymarkup": self.edit_message_reply_markup,
            "deletemessage": self.delete_message,
            "deletemessages": self.delete_messages,
            "answercallbackquery": self.answer_callback_query,
            "getfile": self.get_file,
            "setmycommands": self.set_my_commands,
            "getmycommands": self.get_my_commands,
            "deletemycommands": self.delete_my_commands,
            "sendchataction": self.send_chat_action,
            "getchat": self.get_chat,
            "close": self.always_true,
            "logout": self.always_true,
            # Cosmetic settings a bot may make at start-up; accepted and ignored.
            "setmydescription": self.always_true,
            "setmyshortdescription": self.always_true,
            "setmyname": self.always_true,
            "setchatmenubutton": self.always_true,
        }
        # Set by the server when a getUpdates poll must stop waiting (shutdown).
        self.closing = False

    # --- identity and updates -----------------------------------------------------------------

    async def always_true(self, p: ApiParams) -> bool:
        return True

    async def get_me(self, p: ApiParams) -> JSON:
        return {**self.state.bot_user, "can_join_groups": True,
                "can_read_all_group_messages": False, "supports_inline_queries": False,
                "can_connect_to_business": False, "has_main_web_app": False}

    async def get_updates(self, p: ApiParams) -> list[JSON]:
        state = self.state
        if state.webhook is not None:
            raise conflict("can't use getUpdates method while webhook is active; use "
                           "deleteWebhook to delete the webhook first")
        state.confirm_updates(p.integer("offset"))
        limit = max(1, min(100, p.integer("limit", 100) or 100))
        timeout = max(0.0, min(50.0, p.number("timeout", 0.0)))
        await state.updates_changed.wait_until(lambda: bool(state.updates), timeout)
        if state.webhook is not None:
            return []
        return copy.deepcopy(state.updates[:limit])

    async def set_webhook(self, p: ApiParams) -> bool:
        url = p.text("url", "") or ""
        if not url:
            return await self.delete_webhook(p)
        if not re.match(r"^https?://", url):
            raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        secret = p.text("secret_token")
        if secret is not None and not _SECRET_TOKEN.fullmatch(secret):
            raise bad_request("bad webhook: Secret token contains unallowed characters")
        if p.flag("drop_pending_updates"):
            self.state.updates.clear()
        self.state.webhook = Webhook(url=url, secret_token=secret,
                                     max_connections=p.integer("max_connections", 40) or 40,
                                     allowed_updates=p.obj("allowed_updates"))
        self.state.updates_changed.notify()  # wakes the webhook deliverer and pollers
        return True

    async def delete_webhook(self, p: ApiParams) -> bool:
        self.state.webhook = None
        if p.flag("drop_pending_updates"):
            self.state.updates.clear()
        self.state.updates_changed.notify()
        return True

    async def get_webhook_info(self, p: ApiParams) -> JSON:
        hook = self.state.webhook
        info: JSON = {"url": hook.url if hook else "", "has_custom_certificate": False,
                      "pending_update_count": len(self.state.updates)}
        if hook:
            info["max_connections"] = hook.max_connections
            if hook.allowed_updates:
                info["allowed_updates"] = hook.allowed_updates
            if hook.last_error_date:
                info["last_error_date"] = hook.last_error_date
                info["last_error_message"] = hook.last_error_message
        return info

    # --- sending ------------------------------------------------------------------------------

    def _new_bot_message(self, p: ApiParams) -> tuple[JSON, JSON | None]:
        """The common part of every send: chat, reply target, markup (validated, not stored)."""
        chat_id = p.chat_id()
        chat = self.state.writable_chat(chat_id)
        markup = validation.reply_markup(p.obj("reply_markup"))
        message: JSON = {"message_id": 0, "from": self.state.bot_user, "chat": chat,
                         "date": now()}
        reply_to = p.integer("reply_to_message_id")
        allow_missing = p.flag("allow_sending_without_reply")
        parameters = p.obj("reply_parameters")
        if isinstance(parameters, dict) and parameters.get("message_id"):
            reply_to = int(parameters["message_id"])
            allow_missing = bool(parameters.get("allow_sending_without_reply", allow_missing))
        if reply_to:
            target = self.state.message(chat_id, reply_to)
            if target is not None:
                message["reply_to_message"] = _without_nested_reply(target)
            elif not allow_missing:
                raise bad_request("message to be replied not found")
        if markup and "inline_keyboard" in markup:
            # Telegram echoes only inline keyboards in the Message object.
            message["reply_markup"] = markup
        return message, markup

    def _deliver(self, message: JSON, markup: JSON | None) -> JSON:
        message["message_id"] = self.state.next_message_id(message["chat"]["id"])
        self.state.store_message(message, markup)
        return copy.deepcopy(message)

    async def send_message(self, p: ApiParams) -> JSON:
        text, entities = validation.message_text(p.text("text"), p.text("parse_mode"),
                                                 p.obj("entities"))
        message, markup = self._new_bot_message(p)
        message["text"] = text
        if entities:
            message["entities"] = entities
        preview = p.obj("link_preview_options")
        if isinstance(preview, dict) and preview:
            message["link_preview_options"] = preview
        elif p.flag("disable_web_page_preview"):
            message["link_preview_options"] = {"is_disabled": True}
        return self._deliver(message, markup)

    def _media(self, p: ApiParams, field: str) -> StoredFile:
        value = p.file(field)
        if value is None:
            raise bad_request(f"there is no {field} in the request")
        if isinstance(value, UploadedPart):
            return self.state.store_file(value.data, value.filename or field,
                                         value.content_type or None, field)
        stored = self.state.files.get(value)
        if stored is None:
            if value.startswith(("http://", "https://")):
                raise bad_request("failed to get HTTP URL content")
            raise bad_request("wrong file identifier/HTTP URL specified")
        return stored

    def _with_caption(self, message: JSON, p: ApiParams) -> None:
        text, entities = validation.caption(p.text("caption"), p.text("parse_mode"),
                                            p.obj("caption_entities"))
        if text:
            message["caption"] = text
        if entities:
            message["caption_entities"] = entities

    async def send_document(self, p: ApiParams) -> JSON:
        message, markup = self._new_bot_message(p)
        self._with_caption(message, p)
        stored = self._media(p, "document")
        message["document"] = document_json(stored)
        return self._deliver(message, markup)

    async def send_photo(self, p: ApiParams) -> JSON:
        message, markup = self._new_bot_message(p)
        self._with_caption(message, p)
        stored = self._media(p, "photo")
        message["photo"] = photo_json(stored)
        return self._deliver(message, markup)

    # --- editing ------------------------------------------------------------------------------

    def _editable(self, p: ApiParams) -> JSON:
        if p.has("inline_message_id"):
            raise bad_request("MESSAGE_ID_INVALID")
        message = self.state.message(p.chat_id(), p.required_int("message_id"))
        if message is None:
            raise bad_request("message to edit not found")
        if not message.get("from", {}).get("is_bot"):
            raise bad_request("message can't be edited")
        return copy.deepcopy(message)

    def _apply_edit(self, before: JSON, after: JSON, markup: JSON | None) -> JSON:
        if markup and "inline_keyboard" in markup:
            after["reply_markup"] = markup
        else:
            after.pop("reply_markup", None)  # an edit without markup removes the keyboard
        comparable = {k: v for k, v in after.items() if k != "edit_date"}
        if comparable == {k: v for k, v in before.items() if k != "edit_date"}:
            raise bad_request(
                "message is not modified: specified new message content and reply markup are "
                "exactly the same as a current content and reply markup of the message"
            )
        after["edit_date"] = now()
        self.state.replace_message(after)
        return copy.deepcopy(after)

    async def edit_message_text(self, p: ApiParams) -> JSON:
        before = self._editable(p)
        if "text" not in before:
            raise bad_request("there is no text in the message to edit")
        text, entities = validation.message_text(p.text("text"), p.text("parse_mode"),
                                                 p.obj("entities"))
        markup = validation.reply_markup(p.obj("reply_markup"))
        after = copy.deepcopy(before)
        after["text"] = text
        after.pop("entities", None)
        if entities:
            after["entities"] = entities
        return self._apply_edit(before, after, markup)

    async def edit_message_caption(self, p: ApiParams) -> JSON:
        before = self._editable(p)
        if "text" in before:
            raise bad_request("there is no caption in the message to edit")
        markup = validation.reply_markup(p.obj("reply_markup"))
        after = copy.deepcopy(before)
        after.pop("caption", None)
        after.pop("caption_entities", None)
        self._with_caption(after, p)
        return self._apply_edit(before, after, markup)

    async def edit_message_reply_markup(self, p: ApiParams) -> JSON:
        before = self._editable(p)
        markup = validation.reply_markup(p.obj("reply_markup"))
        return self._apply_edit(before, copy.deepcopy(before), markup)

    async def delete_message(self, p: ApiParams) -> bool:
        if not self.state.delete_message(p.chat_id(), p.required_int("message_id")):
            raise bad_request("message to delete not found")
        return True

    async def delete_messages(self, p: ApiParams) -> bool:
        chat_id = p.chat_id()
        ids = p.obj("message_ids")
        if not isinstance(ids, list) or not ids:
            raise bad_request("message identifiers are not specified")
        for message_id in ids:
            self.state.delete_message(chat_id, int(message_id))
        return True

    # --- buttons, files, commands, misc -------------------------------------------------------

    async def answer_callback_query(self, p: ApiParams) -> bool:
        record = self.state.callbacks.get(p.required_str("callback_query_id"))
        if record is None or record.answered:
            raise bad_request("query is too old and response timeout expired or query ID is "
                              "invalid")
        record.answered = True
        record.text = p.text("text")
        record.show_alert = p.flag("show_alert")
        record.url = p.text("url")
        self.state.add_event(record.chat_id, "callback_answer", answer=record.to_json())
        return True

    async def get_file(self, p: ApiParams) -> JSON:
        stored = self.state.files.get(p.required_str("file_id"))
        if stored is None:
            raise bad_request("invalid file_id")
        return {"file_id": stored.file_id, "file_unique_id": stored.file_unique_id,
                "file_size": stored.size, "file_path": stored.file_path}

    def _command_key(self, p: ApiParams) -> tuple[tuple[Any, ...], str]:
        scope = p.obj("scope")
        key = scope_key(scope if isinstance(scope, dict) else None)
        if len(key) > 1:
            self.state.chat(key[1])  # a chat scope must name a known chat
        language = p.text("language_code", "") or ""
        if language and not re.fullmatch(r"[a-z]{2}", language):
            raise bad_request("invalid language_code specified")
        return key, language

    async def set_my_commands(self, p: ApiParams) -> bool:
        commands = validation.commands(p.obj("commands"))
        key = self._command_key(p)
        if commands:
            self.state.commands[key] = commands
        else:
            self.state.commands.pop(key, None)
        return True

    async def get_my_commands(self, p: ApiParams) -> list[JSON]:
        return copy.deepcopy(self.state.commands.get(self._command_key(p), []))

    async def delete_my_commands(self, p: ApiParams) -> bool:
        self.state.commands.pop(self._command_key(p), None)
        return True

    async def send_chat_action(self, p: ApiParams) -> bool:
        self.state.writable_chat(p.chat_id())
        if not p.text("action"):
            raise bad_request("wrong parameter action in request")
        return True

    async def get_chat(self, p: ApiParams) -> JSON:
        chat = self.state.chat(p.chat_id())
        return {**chat, "accent_color_id": 0, "max_reaction_count": 11,
                "accepted_gift_types": {"unlimited_gifts": False, "limited_gifts": False,
                                        "unique_gifts": False, "premium_subscription": False}}


def document_json(stored: StoredFile) -> JSON:
    return {"file_id": stored.file_id, "file_unique_id": stored.file_unique_id,
            "file_name": stored.file_name, "mime_type": stored.mime_type,
            "file_size": stored.size}


def photo_json(stored: StoredFile) -> list[JSON]:
    width, height = image_size(stored.data)
    return [{"file_id": stored.file_id, "file_unique_id": stored.file_unique_id,
             "width": width, "height": height, "file_size": stored.size}]
