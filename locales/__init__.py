"""The message catalogues: gettext .po files under ``locales/<lang>/LC_MESSAGES/*.po``.

Message ids are stable keys (``join.welcome``), not English sentences, so a wording change in one
language never orphans the other. Every file of a language is merged into one catalogue, which
lets each feature keep its own ``.po`` file. Placeholders use ``str.format`` braces and are
filled after translation — never an f-string as a key.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from babel.messages.pofile import read_po

from bot.core.i18n import DEFAULT_LANGUAGE, LANGUAGES, Translator

LOCALES_DIR = Path(__file__).parent


def load_catalogue(lang: str, root: Path = LOCALES_DIR) -> dict[str, str]:
    """All messages of one language, merged from its .po files."""
    messages: dict[str, str] = {}
    for po_path in sorted((root / lang / "LC_MESSAGES").glob("*.po")):
        with po_path.open("rb") as fh:
            catalog = read_po(fh, locale=lang)
        for message in catalog:
            if message.id and isinstance(message.id, str) and isinstance(message.string, str):
                if message.id in messages:
                    raise ValueError(f"{po_path}: message {message.id!r} defined twice")
                messages[message.id] = message.string
    return messages


@lru_cache(maxsize=4)
def translator(default: str = DEFAULT_LANGUAGE) -> Translator:
    return Translator({lang: load_catalogue(lang) for lang in LANGUAGES}, default)
