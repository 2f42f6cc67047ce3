"""Flood protection: a token bucket per chat. Pure: the caller passes ``now`` and keeps the state.

Each chat may send ``burst`` updates at once and ``per_minute`` a minute after that. The first
update over the limit gets one polite notice; the rest are dropped unanswered until the bucket
has tokens again — answering them would spend the bot's shared sending budget (Telegram allows
about 30 messages a second in all), which is what would slow everyone else down. The notice is
given again only after the chat has calmed down (the bucket full again).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import Enum


class Decision(Enum):
    PASS = "pass"        # handle it
    NOTICE = "notice"    # over the limit: say so once, do not handle it
    DROP = "drop"        # over the limit, already told: drop it silently


@dataclass(frozen=True)
class Bucket:
    tokens: float
    at: datetime
    noticed: bool = False


@dataclass(frozen=True)
class FloodRule:
    per_minute: float
    burst: int

    def refill(self, bucket: Bucket, now: datetime) -> float:
        elapsed = max(0.0, (now - bucket.at).total_seconds())
        return min(float(self.burst), bucket.tokens + elapsed * self.per_minute / 60.0)

    def take(self, bucket: Bucket | None, now: datetime) -> tuple[Bucket, Decision]:
        """The bucket after one more update at ``now``, and what to do with the update."""
        if bucket is None:
            bucket = Bucket(float(self.burst), now)
        tokens = self.refill(bucket, now)
        noticed = bucket.noticed and tokens < self.burst
        if tokens >= 1.0:
            return Bucket(tokens - 1.0, now, noticed), Decision.PASS
        if noticed:
            return Bucket(tokens, now, True), Decision.DROP
        return Bucket(tokens, now, True), Decision.NOTICE

    def idle(self, bucket: Bucket, now: datetime) -> bool:
        """Full again and nothing pending: the state can be forgotten."""
        return self.refill(bucket, now) >= self.burst
