"""Telegram's checks on what a bot sends, with Telegram's own error descriptions."""

from __future__ import annotations

import re
from typing import Any

from bot.sandbox.entities import Entity, parse_formatted
from bot.sandbox.errors import bad_request

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA_BYTES = 64
MAX_COMMANDS = 100
#: Not in the Bot API reference, but observed and widely reported: an inline keyboard of more
#: than 100 buttons is refused with "reply markup is too long" (a province of 168 wards needs a
#: picker that never offers them all at once).
MAX_INLINE_BUTTONS = 100
_COMMAND_NAME = re.compile(r"[a-z0-9_]{1,32}")
_INLINE_ACTIONS = ("url", "callback_data", "web_app", "login_url", "switch_inline_query",
                   "switch_inline_query_current_chat", "switch_inline_query_chosen_chat",
                   "copy_text", "callback_game", "pay")


def message_text(text: str | None, parse_mode: str | None,
                 entities: list[Entity] | None = None) -> tuple[str, list[Entity]]:
    if text is None or not text.strip():
        raise bad_request("message text is empty")
    plain, parsed = (text, entities) if entities else parse_formatted(text, parse_mode)
    if not plain.strip():
        raise bad_request("message text is empty")
    if len(plain) > MAX_TEXT:
        raise bad_request("message is too long")
    return plain, parsed


def caption(text: str | None, parse_mode: str | None,
            entities: list[Entity] | None = None) -> tuple[str | None, list[Entity]]:
    if not text:
        return None, []
    plain, parsed = (text, entities) if entities else parse_formatted(text, parse_mode)
    if len(plain) > MAX_CAPTION:
        raise bad_request("message caption is too long")
    return plain, parsed


def _button_error(detail: str) -> Exception:
    return bad_request(f"can't parse inline keyboard button: {detail}")


def _inline_button(button: Any) -> dict[str, Any]:
    if not isinstance(button, dict):
        raise _button_error("InlineKeyboardButton must be an Object")
    text = button.get("text")
    if not isinstance(text, str):
        raise _button_error("Field \"text\" must be of type String")
    if not text.strip():
        raise bad_request("BUTTON_TEXT_INVALID")  # hypothetical wording kept short
    actions = [name for name in _INLINE_ACTIONS if name in button]
    if not actions:
        raise _button_error("Text buttons are unallowed in the inline keyboard")
    if "callback_data" in button:
        data = button["callback_data"]
        if not isinstance(data, str) or not data or len(data.encode()) > MAX_CALLBACK_DATA_BYTES:
            raise bad_request("BUTTON_DATA_INVALID")
    if "url" in button:
        url = button["url"]
        if not isinstance(url, str) or not re.match(r"^(https?|tg)://\S+$", url):
            raise bad_request("BUTTON_URL_INVALID")
    return button


def _rows(markup: dict[str, Any], field: str) -> list[list[Any]]:
    rows = markup.get(field)
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        kind = "InlineKeyboardMarkup" if field == "inline_keyboard" else "ReplyKeyboardMarkup"
        raise bad_request(f"field \"{field}\" of the {kind} must be an Array of Arrays")
    return rows


def reply_markup(markup: Any) -> dict[str, Any] | None:
    """Checks a reply_markup object and returns it as Telegram would echo it."""
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in markup:
        rows = _rows(markup, "inline_keyboard")
        if sum(len(row) for row in rows) > MAX_INLINE_BUTTONS:
            raise bad_request("reply markup is too long")
        return {"inline_keyboard": [[_inline_button(b) for b in row] for row in rows]}
    if "keyboard" in markup:
        rows = _rows(markup, "keyboard")
        keyboard: list[list[dict[str, Any]]] = []
        for row in rows:
            out_row = []
            for button in row:
                if isinstance(button, str):
                    button = {"text": button}
                if not isinstance(button, dict) or not isinstance(button.get("text"), str):
                    raise bad_request("can't parse keyboard button: Field \"text\" must be of "
                                      "type String")
                out_row.append(button)
            keyboard.append(out_row)
        echoed: dict[str, Any] = {"keyboard": keyboard}
        for option in ("is_persistent", "resize_keyboard", "one_time_keyboard", "selective",
                       "input_field_placeholder"):
            if option in markup:
                echoed[option] = markup[option]
        return echoed
    if markup.get("remove_keyboard"):
        return {"remove_keyboard": True, **({"selective": True} if markup.get("selective")
                                            else {})}
    if markup.get("force_reply"):
        return {k: v for k, v in markup.items()
                if k in {"force_reply", "input_field_placeholder", "selective"}}
    raise bad_request("can't parse reply keyboard markup JSON object")


def commands(value: Any) -> list[dict[str, str]]:
    if not isinstance(value, list):
        raise bad_request("can't parse commands JSON object")
    if len(value) > MAX_COMMANDS:
        raise bad_request("BOT_COMMANDS_TOO_MUCH")
    checked: list[dict[str, str]] = []
    for item in value:
        if not isinstance(item, dict):
            raise bad_request("BOT_COMMAND_INVALID")
        name = item.get("command")
        description = item.get("description")
        if not isinstance(name, str) or not _COMMAND_NAME.fullmatch(name.removeprefix("/")):
            raise bad_request("BOT_COMMAND_INVALID")
        if not isinstance(description, str) or not 1 <= len(description.strip()) <= 256:
            raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        checked.append({"command": name.removeprefix("/"), "description": description})
    return checked
