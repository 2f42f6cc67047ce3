"""What every end-to-end test checks of every text the bot sent, on both channels: no
unfilled ``{placeholder}`` and numbers and dates written the reader's way.

Run by the ``world`` fixture when a test ends, over all chats of the sandbox (Telegram
messages as last edited, their buttons, and every Zalo message), so a reply that slips
through reads as a failing test rather than as "…ví dụ /digest last {example}." to a
coordinator.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from bot.sandbox import SandboxServer
from locales import load_catalogue

_PLACEHOLDER = re.compile(r"\{[a-z_][a-z0-9_]*\}")
#: "100,000,000": in Vietnamese the comma is the decimal mark, thousands take dots.
_VI_COMMA_THOUSANDS = re.compile(r"(?<![\d.,])\d{1,3}(?:,\d{3})+(?![\d,])")
#: A big number with no grouping at all before a unit a reader counts in ("1000000 người").
_UNGROUPED_AMOUNT = re.compile(r"(?<![\d.,/:\w-])\d{5,}\s?(?:đ\b|người|citizens?\b)")
#: "12/8/26": month first or day first? Nobody can tell.
_SHORT_DATE = re.compile(r"(?<![\d/])\d{1,2}/\d{1,2}/\d{2}(?![\d/])")
#: Words of the bot's Vietnamese sentences (names of places and people, quoted in English
#: messages too, have none of them).
_VI_WORDS = re.compile(r"(?<!\w)(?:người|buổi|anh/chị|của|được|những|các|chưa|đã)(?!\w)")


_NUMBERED = re.compile(r"^\s*(\d{1,3})[.)] ")
#: What Zalo writes under its numbered choices, in each language.
_CHOICE_HINTS = {load_catalogue(lang)["zalo.choose_number"] for lang in ("vi", "en")}


def zalo_numbering_problems(text: str) -> list[str]:
    """On Zalo a numbered line is a choice to type: the only ones allowed are the choices,
    1 to n in a row, right above the line saying how to choose."""
    lines = text.splitlines()
    numbered = [(i, int(m[1])) for i, line in enumerate(lines) if (m := _NUMBERED.match(line))]
    if not numbered:
        return []
    first, last = numbered[0][0], numbered[-1][0]
    in_a_row = [n for _, n in numbered] == list(range(1, len(numbered) + 1)) \
        and last - first + 1 == len(numbered)
    hinted = lines[last + 1:last + 3] in (["", hint] for hint in _CHOICE_HINTS)
    return [] if in_a_row and hinted else ["content numbered like Zalo's choices"]


def _telegram_texts(sandbox: SandboxServer) -> Iterator[str]:
    for chat in sandbox.state.messages.values():
        for message in chat.values():
            if not message.get("from", {}).get("is_bot"):
                continue
            yield str(message.get("text") or message.get("caption") or "")
            markup: Any = message.get("reply_markup") or {}
            for row in markup.get("inline_keyboard", []):
                yield from (str(button.get("text", "")) for button in row)


def _zalo_texts(sandbox: SandboxServer) -> Iterator[str]:
    for events in sandbox.zalo.state.events.values():
        for event in events:
            message = event["message"]
            if message.get("from", {}).get("is_bot"):
                yield str(message.get("text") or message.get("caption") or "")


def problems_in(text: str) -> list[str]:
    """What is wrong with one text the bot sent (empty: nothing)."""
    found = [f"unfilled {m[0]}" for m in _PLACEHOLDER.finditer(text)]
    found += [f"ambiguous date {m[0]}" for m in _SHORT_DATE.finditer(text)]
    found += [f"ungrouped number {m[0]!r}" for m in _UNGROUPED_AMOUNT.finditer(text)]
    if _VI_WORDS.search(text):
        found += [f"comma thousands in Vietnamese {m[0]}"
                  for m in _VI_COMMA_THOUSANDS.finditer(text)]
    return found


def check_outgoing(sandbox: SandboxServer) -> None:
    bad = [(text[:200], problems) for text in _telegram_texts(sandbox)
           if (problems := problems_in(text))]
    bad += [(text[:300], problems) for text in _zalo_texts(sandbox)
            if (problems := problems_in(text) + zalo_numbering_problems(text))]
    assert not bad, f"the bot sent text a reader should not see: {bad}"
