"""How the web server names a file it hands out (file links and the dashboard's downloads)."""

from __future__ import annotations

import unicodedata
from urllib.parse import quote


def content_disposition(kind: str, filename: str) -> str:
    """The file's name for the download: plain ASCII for old clients, UTF-8 (RFC 6266) for
    the rest — a Vietnamese name arrives with its diacritics."""
    bare = unicodedata.normalize("NFKD", filename.replace("đ", "d").replace("Đ", "D"))
    plain = "".join(ch for ch in bare if 32 <= ord(ch) < 127 and ch not in '"\\') or "file"
    return f"{kind}; filename=\"{plain}\"; filename*=UTF-8''{quote(filename, safe='')}"
