"""Resisting the guessing of invitation codes. Pure: counts and ``now`` come in.

A code is 8 characters from a 31-letter alphabet: 31⁸ ≈ 8.5 × 10¹¹ codes, about 39.6 bits. With
at most ``limit`` wrong codes an hour per chat account (10 by default: 240 a day), and say 525
live team codes (one per team), one account's chance of hitting any code in a day is
240 × 525 / 8.5 × 10¹¹ ≈ 1.5 × 10⁻⁷; a thousand accounts guessing for a code's whole 14-day
life stay near 0.2 %, and every wrong code is in the audit log.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from bot.core.invitations import ALPHABET, CODE_LENGTH

WINDOW = timedelta(hours=1)
#: log2 of the number of possible codes (stated in the README).
CODE_BITS = CODE_LENGTH * math.log2(len(ALPHABET))


def window_start(now: datetime) -> datetime:
    return now - WINDOW


def locked(failures_in_window: int, limit: int) -> bool:
    """Whether this account must wait before trying another code."""
    return failures_in_window >= limit


def minutes_to_wait(oldest_failure: datetime, now: datetime) -> int:
    """Until the oldest wrong code of the window leaves it (at least one minute)."""
    remaining = oldest_failure + WINDOW - now
    return max(1, math.ceil(remaining.total_seconds() / 60))
