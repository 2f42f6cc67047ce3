"""Formatted text → plain text + MessageEntity list, the way Telegram parses ``parse_mode``.

Telegram rejects malformed markup with "can't parse entities: ..." instead of guessing; the
sandbox does the same so a formatting bug in the bot fails in tests, not in front of users.
Entity offsets and lengths count UTF-16 code units, as in the real Bot API.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from typing import Any

from bot.sandbox.errors import BotApiError, bad_request

Entity = dict[str, Any]


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def parse_error(detail: str) -> BotApiError:
    return bad_request(f"can't parse entities: {detail}")


@dataclass
class _Builder:
    """Collects output text and opened entities while a parser walks the markup."""

    text: list[str] = field(default_factory=list)
    length: int = 0  # UTF-16 units written so far
    entities: list[Entity] = field(default_factory=list)

    def add(self, chunk: str) -> None:
        self.text.append(chunk)
        self.length += utf16_len(chunk)

    def entity(self, kind: str, start: int, **extra: Any) -> None:
        if self.length > start:
            self.entities.append({"type": kind, "offset": start, "length": self.length - start,
                                  **extra})

    def result(self) -> tuple[str, list[Entity]]:
        self.entities.sort(key=lambda e: (e["offset"], -e["length"]))
        return "".join(self.text), self.entities


# --- HTML -------------------------------------------------------------------------------------

_HTML_TAGS = {
    "b": "bold", "strong": "bold", "i": "italic", "em": "italic", "u": "underline",
    "ins": "underline", "s": "strikethrough", "strike": "strikethrough", "del": "strikethrough",
    "tg-spoiler": "spoiler", "span": "spoiler", "a": "text_link", "code": "code", "pre": "pre",
    "blockquote": "blockquote", "tg-emoji": "custom_emoji",
}
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[^>]*)?)\s*(/?)>", re.DOTALL)
_ATTR = re.compile(r"""([a-zA-Z_-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""")
_HTML_ENTITY = re.compile(r"&(#[0-9]+|#x[0-9a-fA-F]+|lt|gt|amp|quot);")


def _unescape_html(raw: str) -> str:
    def replace(match: re.Match[str]) -> str:
        return html.unescape(match.group(0))

    return _HTML_ENTITY.sub(replace, raw)


def parse_html(source: str) -> tuple[str, list[Entity]]:
    out = _Builder()
    stack: list[tuple[str, int, dict[str, str]]] = []
    pos = 0
    while pos < len(source):
        lt = source.find("<", pos)
        if lt < 0:
            out.add(_unescape_html(source[pos:]))
            break
        out.add(_unescape_html(source[pos:lt]))
        byte_offset = len(source[:lt].encode())
        match = _TAG.match(source, lt)
        if match is None:
            raise parse_error(f"Unclosed start tag at byte offset {byte_offset}")
        closing, name, attrs, _ = match.groups()
        name = name.lower()
        if not closing:
            if name not in _HTML_TAGS:
                raise parse_error(f"Unsupported start tag \"{name}\" at byte offset {byte_offset}")
            attributes = {
                m.group(1).lower(): _unescape_html(m.group(2) or m.group(3) or m.group(4) or "")
                for m in _ATTR.finditer(attrs or "")
            }
            stack.append((name, out.length, attributes))
        else:
            if not stack:
                raise parse_error(f"Unexpected end tag at byte offset {byte_offset}")
            open_name, start, attributes = stack.pop()
            if open_name != name:
                raise parse_error(
                    f"Unmatched end tag at byte offset {byte_offset}, expected \"</{open_name}>\","
                    f" found \"</{name}>\""
                )
            kind = _HTML_TAGS[name]
            if name == "a":
                href = attributes.get("href", "")
                if href.startswith("tg://user?id="):
                    out.entity("text_mention", start, user={"id": int(href.split("=")[1] or 0),
                                                           "is_bot": False, "first_name": ""})
                elif href:
                    out.entity("text_link", start, url=href)
            elif name == "pre" and attributes.get("language"):
                out.entity("pre", start, language=attributes["language"])
            elif name == "code" and stack and stack[-1][0] == "pre":
                # <pre><code class="language-x"> is one pre entity with a language.
                lang = attributes.get("class", "").removeprefix("language-")
                if lang:
                    stack[-1][2]["language"] = lang
            elif name == "blockquote" and "expandable" in (attrs or ""):
                out.entity("expandable_blockquote", start)
            else:
                out.entity(kind, start)
        pos = match.end()
    if stack:
        raise parse_error(f"Can't find end tag corresponding to start tag \"{stack[-1][0]}\"")
    return out.result()


# --- MarkdownV2 -------------------------------------------------------------------------------

_V2_RESERVED = set("_*[]()~`>#+-=|{}.!")
_V2_NAMES = {"*": "Bold", "_": "Italic", "__": "Underline", "~": "Strikethrough",
             "||": "Spoiler"}
_V2_KINDS = {"*": "bold", "_": "italic", "__": "underline", "~": "strikethrough",
             "||": "spoiler"}


def parse_markdown_v2(source: str) -> tuple[str, list[Entity]]:
    out = _Builder()
    stack: list[tuple[str, int, int]] = []  # (marker, utf16 start, byte offset)
    link_starts: list[tuple[int, int]] = []
    i = 0
    n = len(source)

    def byte_at(index: int) -> int:
        return len(source[:index].encode())

    while i < n:
        ch = source[i]
        if ch == "\\":
            if i + 1 < n and ord(source[i + 1]) <= 126:
                out.add(source[i + 1])
                i += 2
                continue
            raise parse_error("Character '\\' is reserved and must be escaped with the "
                              "preceding '\\'")
        if ch == "`":
            fence = source.startswith("```", i)
            marker = "```" if fence else "`"
            end = source.find(marker, i + len(marker))
            while end > 0 and source[end - 1] == "\\":
                end = source.find(marker, end + 1)
            if end < 0:
                kind = "Pre" if fence else "Code"
                raise parse_error(f"Can't find end of {kind} entity at byte offset {byte_at(i)}")
            body = source[i + len(marker):end]
            language = ""
            if fence and "\n" in body:
                first, rest = body.split("\n", 1)
                if first and re.fullmatch(r"[\w+-]+", first):
                    language, body = first, rest
            body = re.sub(r"\\([`\\])", r"\1", body)
            start = out.length
            out.add(body)
            if fence:
                out.entity("pre", start, **({"language": language} if language else {}))
            else:
                out.entity("code", start)
            i = end + len(marker)
            continue
        if ch == "[":
            link_starts.append((out.length, byte_at(i)))
            i += 1
            continue
        if ch == "]" and link_starts:
            start, _ = link_starts.pop()
            if not source.startswith("(", i + 1):
                raise parse_error("Character ']' is reserved and must be escaped with the "
                                  "preceding '\\'")
            close = source.find(")", i + 2)
            if close < 0:
                raise parse_error(f"Can't find end of a URL at byte offset {byte_at(i + 1)}")
            url = source[i + 2:close].replace("\\)", ")").replace("\\\\", "\\")
            out.entity("text_link", start, url=url)
            i = close + 1
            continue
        marker = ""
        for candidate in ("__", "||", "*", "_", "~"):
            if source.startswith(candidate, i):
                marker = candidate
                break
        if marker:
            if stack and stack[-1][0] == marker:
                _, start, _ = stack.pop()
                out.entity(_V2_KINDS[marker], start)
            else:
                stack.append((marker, out.length, byte_at(i)))
            i += len(marker)
            continue
        if ch == ">" and (i == 0 or source[i - 1] == "\n"):
            i += 1  # block quotation start; kept as plain text in the sandbox
            continue
        if ch in _V2_RESERVED:
            raise parse_error(f"Character '{ch}' is reserved and must be escaped with the "
                              f"preceding '\\'")
        out.add(ch)
        i += 1
    if stack:
        marker, _, offset = stack[-1]
        raise parse_error(f"Can't find end of {_V2_NAMES[marker]} entity at byte offset {offset}")
    if link_starts:
        raise parse_error(f"Can't find end of TextUrl entity at byte offset {link_starts[-1][1]}")
    return out.result()


# --- Markdown (legacy) ------------------------------------------------------------------------

_LEGACY_KINDS = {"*": "bold", "_": "italic"}


def parse_markdown(source: str) -> tuple[str, list[Entity]]:
    out = _Builder()
    i = 0
    n = len(source)
    while i < n:
        ch = source[i]
        if ch == "\\" and i + 1 < n and source[i + 1] in "_*`[":
            out.add(source[i + 1])
            i += 2
            continue
        if ch in "*_`[":
            byte_offset = len(source[:i].encode())
            marker = "```" if source.startswith("```", i) else ch
            closer = "]" if ch == "[" else marker
            end = source.find(closer, i + len(marker))
            if end < 0:
                raise parse_error(
                    f"Can't find end of the entity starting at byte offset {byte_offset}"
                )
            body = source[i + len(marker):end]
            start = out.length
            if ch == "[":
                if not source.startswith("(", end + 1) or source.find(")", end + 2) < 0:
                    out.add("[" + body + "]")
                    i = end + 1
                    continue
                close = source.find(")", end + 2)
                out.add(body)
                out.entity("text_link", start, url=source[end + 2:close])
                i = close + 1
                continue
            out.add(body)
            kind = {"```": "pre", "`": "code"}.get(marker) or _LEGACY_KINDS[ch]
            out.entity(kind, start)
            i = end + len(marker)
            continue
        out.add(ch)
        i += 1
    return out.result()


_BOT_COMMAND = re.compile(r"^/[A-Za-z0-9_]{1,32}(@[A-Za-z0-9_]{3,32})?")


def detect_user_entities(text: str) -> list[Entity]:
    """What Telegram's clients mark up in a plain message: a leading /command, URLs."""
    found: list[Entity] = []
    match = _BOT_COMMAND.match(text)
    if match:
        found.append({"type": "bot_command", "offset": 0, "length": utf16_len(match.group(0))})
    for url in re.finditer(r"https?://\S+", text):
        found.append({"type": "url", "offset": utf16_len(text[:url.start()]),
                      "length": utf16_len(url.group(0))})
    return found


def parse_formatted(text: str, parse_mode: str | None) -> tuple[str, list[Entity]]:
    """Plain text and entities for ``text`` sent with ``parse_mode`` (None = plain)."""
    mode = (parse_mode or "").strip().lower()
    if not mode:
        return text, []
    if mode == "html":
        return parse_html(text)
    if mode == "markdownv2":
        return parse_markdown_v2(text)
    if mode == "markdown":
        return parse_markdown(text)
    raise bad_request(f"unsupported parse_mode \"{parse_mode}\"")
