"""Deterministic fault injection: server errors, slow answers and dropped connections.

A seeded ``random.Random`` makes a failing run reproducible: the same seed and the same sequence
of calls give the same faults. A faulted send is never delivered, so a client that retries after
an error does not create a duplicate.
"""

from __future__ import annotations

import random
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any

DEFAULT_EXEMPT_METHODS = frozenset({"getupdates", "getme"})


class Fault(StrEnum):
    NONE = "none"
    ERROR_500 = "error_500"
    ERROR_502 = "error_502"
    DROP = "drop"


@dataclass(frozen=True)
class FaultConfig:
    seed: int = 0
    error_rate: float = 0.0
    slow_rate: float = 0.0
    slow_seconds: float = 0.5
    drop_rate: float = 0.0
    # Lower-case Bot API method names that never fail (so polling itself keeps working).
    exempt_methods: frozenset[str] = field(default=DEFAULT_EXEMPT_METHODS)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["exempt_methods"] = sorted(self.exempt_methods)
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> FaultConfig:
        values = dict(data)
        if "exempt_methods" in values:
            values["exempt_methods"] = frozenset(m.lower() for m in values["exempt_methods"])
        return cls(**values)


@dataclass(frozen=True)
class FaultDecision:
    fault: Fault
    slow: bool


class FaultInjector:
    """Draws, call after call, what goes wrong; two injectors with one seed agree exactly."""

    def __init__(self, config: FaultConfig) -> None:
        self.config = config
        self._random = random.Random(config.seed)

    def applies_to(self, method: str) -> bool:
        return method.lower() not in self.config.exempt_methods

    def decide(self) -> FaultDecision:
        cfg = self.config
        # Always draw the same number of values, so rates don't shift the sequence.
        slow_draw, fault_draw, code_draw = (self._random.random() for _ in range(3))
        slow = slow_draw < cfg.slow_rate
        if fault_draw < cfg.drop_rate:
            return FaultDecision(Fault.DROP, slow)
        if fault_draw < cfg.drop_rate + cfg.error_rate:
            return FaultDecision(Fault.ERROR_500 if code_draw < 0.5 else Fault.ERROR_502, slow)
        return FaultDecision(Fault.NONE, slow)
