"""Invitation rules: codes, lifetimes, whether an invitation can still be used. Pure."""

from __future__ import annotations

import re
import secrets
from datetime import datetime, timedelta
from enum import StrEnum

from bot.core.roles import Role

#: No 0/O, 1/I/L: the code is read aloud and typed on small phones.
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8
CODE_PATTERN = re.compile(rf"^[{ALPHABET}]{{{CODE_LENGTH}}}$")


class InvitationProblem(StrEnum):
    UNKNOWN = "unknown"
    EXPIRED = "expired"
    REVOKED = "revoked"
    USED_UP = "used_up"


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(text: str) -> str | None:
    """What someone typed or tapped, as a code if it looks like one (case and spaces forgiven)."""
    candidate = re.sub(r"[\s-]", "", text).upper()
    return candidate if CODE_PATTERN.match(candidate) else None


def default_max_uses(role: Role) -> int | None:
    """A team's member invitation is shared in the team's group; a role above is for one person."""
    return None if role is Role.MEMBER else 1


def expiry(now: datetime, ttl_days: int) -> datetime:
    return now + timedelta(days=ttl_days)


def problem(
    *, expires_at: datetime | None, revoked_at: datetime | None, max_uses: int | None,
    uses: int, now: datetime,
) -> InvitationProblem | None:
    if revoked_at is not None:
        return InvitationProblem.REVOKED
    if expires_at is not None and now >= expires_at:
        return InvitationProblem.EXPIRED
    if max_uses is not None and uses >= max_uses:
        return InvitationProblem.USED_UP
    return None


def deep_link(bot_username: str, code: str) -> str:
    return f"https://t.me/{bot_username}?start={code}"
