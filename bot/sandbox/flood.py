"""Telegram's flood limits, simulated with token buckets.

Telegram documents roughly 30 messages/second overall, 1 message/second per chat (with short
bursts) and 20 messages/minute per group; above that it answers 429 with ``retry_after``.
Only message-sending methods are counted, like Telegram.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class FloodControl:
    global_per_second: float = 30
    per_chat_per_second: float = 1
    per_chat_burst: int = 3
    group_per_minute: float = 20

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class _Bucket:
    rate: float  # tokens per second
    capacity: float
    tokens: float
    updated: float

    def refill(self, now: float) -> None:
        self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
        self.updated = now

    def wait_time(self) -> float:
        return 0.0 if self.tokens >= 1 else (1 - self.tokens) / self.rate


@dataclass
class FloodLimiter:
    """Decides, per send, whether Telegram would accept it now or answer 429."""

    config: FloodControl
    clock: Callable[[], float] = time.monotonic
    _global: _Bucket | None = None
    _chats: dict[int, _Bucket] = field(default_factory=dict)
    _groups: dict[int, _Bucket] = field(default_factory=dict)

    def _bucket(self, rate: float, capacity: float, now: float) -> _Bucket:
        return _Bucket(rate=rate, capacity=capacity, tokens=capacity, updated=now)

    def acquire(self, chat_id: int, is_group: bool) -> int:
        """0 if the send may go now (a token is taken), else the retry_after to answer."""
        cfg = self.config
        now = self.clock()
        if self._global is None:
            self._global = self._bucket(cfg.global_per_second, cfg.global_per_second, now)
        buckets = [self._global]
        if chat_id not in self._chats:
            self._chats[chat_id] = self._bucket(cfg.per_chat_per_second, cfg.per_chat_burst, now)
        buckets.append(self._chats[chat_id])
        if is_group:
            if chat_id not in self._groups:
                self._groups[chat_id] = self._bucket(
                    cfg.group_per_minute / 60, cfg.group_per_minute, now
                )
            buckets.append(self._groups[chat_id])
        for bucket in buckets:
            bucket.refill(now)
        wait = max(bucket.wait_time() for bucket in buckets)
        if wait > 0:
            # Telegram's retry_after is a whole number of seconds, at least 1.
            return max(1, math.ceil(wait))
        for bucket in buckets:
            bucket.tokens -= 1
        return 0
