"""Editing the activity categories: reading an admin's ``/category`` line and checking the result.

The quick form matches a typed phrase against every active category's code, labels and aliases
without diacritics or case (:func:`bot.core.text.fold`), so a phrase that two active
categories share would make "3 chu ky so" ambiguous: such a change is refused. Pure: no I/O.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, replace

from bot.core.models import Category
from bot.core.text import fold, tidy

CODE = re.compile(r"[a-z0-9_]{2,16}")
MAX_LABEL = 60
MAX_ALIASES = 20
MAX_ALIAS = 40
VERBS = ("add", "rename", "aliases", "off", "on", "move")
LANGS = ("vi", "en")
#: Characters that may follow an emoji's first symbol: variation selectors, skin tones, ZWJ.
_EMOJI_TAIL = {"So", "Sk", "Mn", "Me", "Cf"}


class CategoryInputError(ValueError):
    """Why a change is refused; ``code`` picks the message ``category.error_<code>``."""

    def __init__(self, code: str, /, **params: object) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


#: Every error code, so a test can check each has a message in every language.
ERRORS = ("usage", "usage_add", "usage_rename", "usage_aliases", "usage_move", "bad_code",
          "code_taken", "label_length", "no_aliases", "too_many_aliases", "alias_too_long",
          "bad_lang", "bad_position", "unknown", "ambiguous", "last_active")


@dataclass(frozen=True)
class Draft:
    """A category's editable fields, as they would be after a change."""

    code: str
    label_vi: str
    label_en: str
    emoji: str = ""
    aliases: tuple[str, ...] = ()
    active: bool = True

    @classmethod
    def of(cls, category: Category) -> Draft:
        return cls(category.code, category.label_vi, category.label_en, category.emoji,
                   category.aliases, category.active)


@dataclass(frozen=True)
class Edit:
    """One parsed ``/category`` change; which fields matter depends on ``verb``."""

    verb: str
    code: str
    new: Draft | None = None          # add
    lang: str = ""                    # rename
    label: str = ""                   # rename
    emoji: str | None = None          # rename vi with a leading emoji: the emoji changes too
    aliases: tuple[str, ...] = ()     # aliases
    position: int = 0                 # move


def split_emoji(text: str) -> tuple[str, str]:
    """("🤝", "Hỗ trợ HTX") from "🤝 Hỗ trợ HTX"; ("", text) when it does not start with one."""
    text = tidy(text)
    if not text or unicodedata.category(text[0]) != "So":
        return "", text
    end = 1
    while end < len(text) and unicodedata.category(text[end]) in _EMOJI_TAIL:
        end += 1
    return text[:end], text[end:].strip()


def parse_code(text: str) -> str:
    code = text.strip().lower()
    if not CODE.fullmatch(code):
        raise CategoryInputError("bad_code", code=text.strip())
    return code


def parse_label(text: str) -> str:
    label = tidy(text)
    if not 1 <= len(label) <= MAX_LABEL:
        raise CategoryInputError("label_length", max=MAX_LABEL, length=len(label))
    return label


def parse_aliases(text: str) -> tuple[str, ...]:
    """Comma-separated aliases, tidied; repeats (without diacritics or case) kept once."""
    aliases: dict[str, str] = {}
    for part in text.split(","):
        alias = tidy(part)
        if not alias:
            continue
        if len(alias) > MAX_ALIAS:
            raise CategoryInputError("alias_too_long", alias=alias[:MAX_ALIAS] + "…",
                                     max=MAX_ALIAS)
        aliases.setdefault(fold(alias), alias)
    if len(aliases) > MAX_ALIASES:
        raise CategoryInputError("too_many_aliases", count=len(aliases), max=MAX_ALIASES)
    return tuple(aliases.values())


def parse_edit(args: str) -> Edit:
    """The change an admin typed after ``/category`` (not empty: that shows the list)."""
    verb, _, rest = tidy(args).partition(" ")
    verb = fold(verb)
    if verb not in VERBS:
        raise CategoryInputError("usage")
    if verb == "add":
        return _parse_add(rest)
    code, _, rest = rest.partition(" ")
    code = code.lower()
    if not code:
        raise CategoryInputError(f"usage_{verb}" if verb in ("rename", "aliases", "move")
                                 else "usage")
    if verb == "rename":
        lang, _, label = rest.partition(" ")
        if fold(lang) not in LANGS:
            raise CategoryInputError("bad_lang")
        lang = fold(lang)
        emoji: str | None = None
        if lang == "vi":
            found, label = split_emoji(label)
            emoji = found or None
        return Edit(verb, code, lang=lang, label=parse_label(label), emoji=emoji)
    if verb == "aliases":
        aliases = parse_aliases(rest)
        if not aliases:
            raise CategoryInputError("no_aliases")
        return Edit(verb, code, aliases=aliases)
    if verb == "move":
        if not rest.strip().isdigit() or int(rest) < 1:
            raise CategoryInputError("bad_position")
        return Edit(verb, code, position=int(rest))
    return Edit(verb, code)


def _parse_add(rest: str) -> Edit:
    fields = [part.strip() for part in rest.split("|")]
    if not 3 <= len(fields) <= 4 or not all(fields[:3]):
        raise CategoryInputError("usage_add")
    code = parse_code(fields[0])
    emoji, label_vi = split_emoji(fields[1])
    new = Draft(code, parse_label(label_vi), parse_label(fields[2]), emoji,
                parse_aliases(fields[3]) if len(fields) == 4 else ())
    return Edit("add", code, new=new)


def phrases(draft: Draft) -> dict[str, str]:
    """What the quick form would match this category by: folded phrase → as written."""
    found: dict[str, str] = {}
    for phrase in (draft.code, *draft.aliases, draft.label_vi, draft.label_en):
        key = fold(phrase)
        if key:
            found.setdefault(key, phrase)
    return found


def plan(edit: Edit, categories: Sequence[Category]) -> Draft:
    """The target category as it would be after ``edit``, or the reason it is refused.

    ``move`` changes no field: see :func:`reorder`.
    """
    by_code = {c.code: c for c in categories}
    if edit.verb == "add":
        assert edit.new is not None
        if edit.code in by_code:
            raise CategoryInputError("code_taken", code=edit.code)
        after = edit.new
        others = [c for c in categories if c.active]
    else:
        current = by_code.get(edit.code)
        if current is None:
            raise CategoryInputError("unknown", code=edit.code,
                                     codes=", ".join(c.code for c in categories))
        after = _changed(edit, Draft.of(current))
        others = [c for c in categories if c.active and c.id != current.id]
    if after.active:
        mine = phrases(after)
        for other in others:
            shared = mine.keys() & phrases(Draft.of(other)).keys()
            if shared:
                raise CategoryInputError("ambiguous", phrase=mine[min(shared)], code=other.code)
    elif not others:
        raise CategoryInputError("last_active")
    return after


def _changed(edit: Edit, before: Draft) -> Draft:
    if edit.verb == "rename" and edit.lang == "vi":
        return replace(before, label_vi=edit.label, emoji=edit.emoji or before.emoji)
    if edit.verb == "rename":
        return replace(before, label_en=edit.label)
    if edit.verb == "aliases":
        return replace(before, aliases=edit.aliases)
    if edit.verb in ("off", "on"):
        return replace(before, active=edit.verb == "on")
    return before


def reorder(categories: Sequence[Category], code: str, position: int) -> list[tuple[int, int]]:
    """(id, position) for every category once ``code`` stands at ``position`` (1-based; past
    the end means last), the others keeping their order. Positions become 1…n."""
    ordered = sorted(categories, key=lambda c: (c.position, c.id))
    target = next(c for c in ordered if c.code == code)
    ordered.remove(target)
    ordered.insert(min(position, len(ordered) + 1) - 1, target)
    return [(c.id, index) for index, c in enumerate(ordered, start=1)]
