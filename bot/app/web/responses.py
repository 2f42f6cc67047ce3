"""Answers every part of the web server gives alike: a file's name for its download, and
"not ready yet" while the sandbox demo is still building the bot."""

from __future__ import annotations

import unicodedata
from urllib.parse import quote

from aiohttp import web


def content_disposition(kind: str, filename: str) -> str:
    """The file's name for the download: plain ASCII for old clients, UTF-8 (RFC 6266) for
    the rest — a Vietnamese name arrives with its diacritics."""
    bare = unicodedata.normalize("NFKD", filename.replace("đ", "d").replace("Đ", "D"))
    plain = "".join(ch for ch in bare if 32 <= ord(ch) < 127 and ch not in '"\\') or "file"
    return f"{kind}; filename=\"{plain}\"; filename*=UTF-8''{quote(filename, safe='')}"


def starting() -> web.Response:
    return web.Response(status=503, text="Starting", headers={"Cache-Control": "no-store"})
