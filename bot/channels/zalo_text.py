"""Zalo's plain-text stand-ins for Telegram's buttons and reply keyboard, and its length limit.

Zalo has no buttons: a message's buttons become a numbered list under the text and the chat
remembers which callback data each number stands for, so typing "2" (or "số 2", or the label
itself) presses the second button. Only the newest bot message's options count — the list a
person sees at the bottom of the chat — so a number typed as an answer to a later question
("how many people?") is never mistaken for a stale choice. Pure functions; no I/O: what a chat
was offered is kept by the port's ``ChoiceMemory`` and handed in as an :class:`Offered`.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from dataclasses import dataclass

from bot.core.chat import Button, Incoming
from bot.core.text import fold

#: Zalo accepts 1–2000 characters per text or caption.
TEXT_LIMIT = 2000

_NUMBER = re.compile(r"^(?:so|#|lua chon|chon|option|no\.?)?\s*(\d{1,3})\s*[.)]?$")
_NOT_WORD = re.compile(r"[^\w\s]")


def text_length(text: str) -> int:
    """Length as Zalo's apps count it: UTF-16 units (an emoji counts twice) — the safe side."""
    return len(text.encode("utf-16-le")) // 2


@dataclass(frozen=True)
class Options:
    """The choices of the newest bot message in a chat: (label, callback data) pairs.

    ``numbered`` is False when the labels are themselves numbers (1, 2, 5, 10): numbering them
    again would make "2" ambiguous, so the labels are shown as they are and typed as they are.
    """

    choices: tuple[tuple[str, str], ...]
    numbered: bool = True

    @classmethod
    def of(cls, buttons: Sequence[Sequence[Button]]) -> Options:
        pairs = tuple((b.label, b.data) for row in buttons for b in row)
        numeric = any(_number(label) is not None for label, _ in pairs)
        return cls(pairs, numbered=not numeric)

    def to_json(self) -> dict[str, object]:
        return {"numbered": self.numbered, "choices": [list(pair) for pair in self.choices]}

    @classmethod
    def from_json(cls, data: dict[str, object]) -> Options:
        raw = data.get("choices")
        pairs = tuple((str(p[0]), str(p[1])) for p in raw if isinstance(p, list) and len(p) == 2) \
            if isinstance(raw, list) else ()
        return cls(pairs, numbered=bool(data.get("numbered", True)))

    def render(self, hint: str) -> str:
        """The list appended to the message text, ending with how to choose."""
        if self.numbered:
            lines = [f"{n}. {label}" for n, (label, _) in enumerate(self.choices, start=1)]
        else:
            lines = [" · ".join(label for label, _ in self.choices)]
        return "\n".join(lines) + "\n\n" + hint

    def match(self, text: str) -> str | None:
        """The callback data ``text`` picks, or None when it is ordinary text."""
        number = _number(text)
        if number is not None:
            if self.numbered:
                return self.choices[number - 1][1] if 1 <= number <= len(self.choices) else None
            return next((data for label, data in self.choices if _number(label) == number),
                        None)
        key = label_key(text)
        if not key:
            return None
        return next((data for label, data in self.choices if label_key(label) == key), None)


@dataclass(frozen=True)
class Offered:
    """What a chat's newest bot messages left to type: their choices and the quick replies."""

    options: Options | None = None
    menu: tuple[str, ...] = ()


def may_be_a_choice(inc: Incoming) -> bool:
    """Typed text that could stand for a choice: not a command, not a photo's caption."""
    return inc.text is not None and inc.photo is None and not inc.text.startswith("/")


def interpret(offered: Offered, inc: Incoming) -> Incoming:
    """A typed choice becomes the button press it stands for; a typed quick reply, its label."""
    text = inc.text
    if text is None or not may_be_a_choice(inc):
        return inc
    if offered.options is not None:
        data = offered.options.match(text)
        if data is not None:
            return dataclasses.replace(inc, text=None, callback_data=data, message_ref=None)
    label = menu_label_for(text, offered.menu)
    if label is not None and label != text:
        return dataclasses.replace(inc, text=label)
    return inc


def _number(text: str) -> int | None:
    match = _NUMBER.match(fold(text))
    return int(match[1]) if match else None


def label_key(text: str) -> str:
    """A label as typed by hand: no emoji or punctuation, any case, diacritics optional."""
    return fold(_NOT_WORD.sub(" ", text))


def menu_label_for(text: str, menu: Sequence[str]) -> str | None:
    """The reply-keyboard label someone typed by hand ("ghi nhan" for "📝 Ghi nhận")."""
    key = label_key(text)
    if not key:
        return None
    return next((label for label in menu if label_key(label) == key), None)


def split_text(text: str, limit: int = TEXT_LIMIT) -> list[str]:
    """Pieces of at most ``limit`` characters, cut at line breaks (at spaces for a long line).

    Blank pieces are dropped: Zalo refuses empty text.
    """
    if text_length(text) <= limit:
        return [text] if text.strip() else []
    pieces: list[str] = []
    current = ""
    for line in _short_lines(text.split("\n"), limit):
        candidate = f"{current}\n{line}" if current else line
        if text_length(candidate) <= limit:
            current = candidate
            continue
        if current.strip():
            pieces.append(current.strip("\n"))
        current = line
    if current.strip():
        pieces.append(current.strip("\n"))
    return pieces


def _short_lines(lines: list[str], limit: int) -> list[str]:
    """Lines no longer than ``limit``: an over-long line is cut at the last space that fits."""
    out: list[str] = []
    for line in lines:
        while text_length(line) > limit:
            cut = _fit(line, limit)
            space = line.rfind(" ", 0, cut)
            if space > 0:
                cut = space
            out.append(line[:cut].rstrip())
            line = line[cut:].lstrip()
        out.append(line)
    return out


def _fit(text: str, limit: int) -> int:
    """How many characters of ``text`` fit in ``limit`` UTF-16 units."""
    used = 0
    for index, ch in enumerate(text):
        used += 2 if ord(ch) > 0xFFFF else 1
        if used > limit:
            return index
    return len(text)
