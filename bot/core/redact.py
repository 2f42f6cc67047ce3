"""What must never reach a log line: bot tokens, other secrets, file-link tokens, phone numbers.

Pure text rules, applied by the log formatter to every message and traceback (``bot.app.logs``).
Tokens sit inside Bot API URLs (``https://api.telegram.org/bot123:ABC.../getMe``), which HTTP
libraries and their exceptions print; phone numbers are the personal data people type most.
The phone rule is deliberately Vietnamese-shaped (0/+84 prefixes, mobile and landline lengths)
so timestamps, durations and ids in ordinary log lines are left alone.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

TOKEN_MASK = "<token>"
SECRET_MASK = "<secret>"
PHONE_MASK = "<phone>"

#: ``bot<id>:<secret>`` in a Bot API or file URL, Telegram's and Zalo's alike.
_URL_TOKEN = re.compile(r"(?<=bot)\d+:[^/\s\"'?#]+")
#: A bare Telegram-shaped token (BotFather's: 8–10 digits, a colon, 35 characters).
_BARE_TOKEN = re.compile(r"(?<![\w-])\d{5,}:[A-Za-z0-9_-]{30,}(?![\w-])")
#: The random part of a file link (``/f/<token>``): whoever holds it may download the file.
_FILE_LINK = re.compile(r"(?<=/f/)[A-Za-z0-9_-]{16,}")
#: A Vietnamese phone number as people type it: 0912 345 678, 0912.345.678, +84 912345678,
#: 0084912345678, 84912345678, 02923 123 456 (landline). Separators: space, dot, dash.
_PHONE = re.compile(
    r"(?<![\d+])(?:(?:\+|00)84[\s.\-]?|84|0)[235789](?:[\s.\-]?\d){8,9}(?!\d)"
)


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """``text`` with every token, given secret, file-link token and phone number masked."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, SECRET_MASK)
    text = _URL_TOKEN.sub(TOKEN_MASK, text)
    text = _BARE_TOKEN.sub(TOKEN_MASK, text)
    text = _FILE_LINK.sub(TOKEN_MASK, text)
    return _PHONE.sub(PHONE_MASK, text)
