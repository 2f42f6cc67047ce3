"""One rule for the names people and teams are given, wherever they come from: the registry
import, ``/member`` (add, rename) and ``/team`` (add, rename). Pure: no I/O."""

from __future__ import annotations

from bot.core.text import tidy

MAX_PERSON_NAME = 100
MAX_TEAM_NAME = 100


def person_name(raw: str) -> str | None:
    """The name as stored (NFC, single spaces), or None if it is not a usable person's name:
    empty, too long, or without a single letter ("123", "???")."""
    name = tidy(raw)
    if not name or len(name) > MAX_PERSON_NAME or not any(ch.isalpha() for ch in name):
        return None
    return name


def team_name(raw: str) -> str | None:
    """A team's name as stored, or None: empty, too long, or neither letter nor digit in it
    (a team may be just "Ấp 3" or "Khu vực 12")."""
    name = tidy(raw)
    if not name or len(name) > MAX_TEAM_NAME or not any(ch.isalnum() for ch in name):
        return None
    return name
