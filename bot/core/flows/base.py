"""What every flow's state shares: a stable name, a step, and a JSON shape read back strictly.

A flow in progress is stored as ``chat_flows(flow, step, data)`` and read back by a later update,
possibly by a newer release of the bot, possibly after someone edited the row by hand. So each
flow's state is a frozen dataclass that writes itself as exactly the JSON the bot has always
written (:meth:`FlowState.encode`), and is read back only through :meth:`FlowState.decode`, which
gives ``None`` — never an exception — for anything that is not that shape: a missing key, a
value of the wrong type, a step the flow does not have. The bot answers such a flow as an
expired one. Pure: no I/O.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from datetime import date
from enum import StrEnum
from typing import ClassVar, Protocol, Self, TypeVar

from bot.core.callback_data import FLOW_ID

_E = TypeVar("_E", bound=StrEnum)


class Malformed(ValueError):
    """A stored flow that is not the shape its name says (read as no flow at all)."""


class HasState(Protocol):
    """A stored flow as the repository returns it (``bot.core.models.ChatFlow``)."""

    @property
    def state(self) -> FlowState | None: ...


class FlowState(ABC):
    """Base of every flow's state; subclasses are frozen dataclasses with a ``step`` field."""

    #: The value of ``chat_flows.flow``: never change it (flows saved earlier must resume).
    name: ClassVar[str]
    step: StrEnum

    @abstractmethod
    def encode(self) -> dict[str, object]:
        """The ``data`` column: the JSON object this state is stored as."""

    @classmethod
    @abstractmethod
    def read(cls, step: str, data: Fields) -> Self:
        """The state stored as ``step`` and ``data``; raises :class:`Malformed` otherwise."""

    @classmethod
    def decode(cls, step: str, data: object) -> Self | None:
        """The state stored as ``step`` and ``data``, or None for anything else."""
        if not isinstance(step, str) or not isinstance(data, Mapping):
            return None
        try:
            return cls.read(step, Fields(data))
        except ValueError:  # Malformed, or a state that cannot be (its __post_init__ says so)
            return None

    @classmethod
    def of(cls, flow: HasState | None) -> Self | None:
        """This chat's flow if it is one of this kind (a button of another flow is stale)."""
        state = flow.state if flow is not None else None
        return state if isinstance(state, cls) else None


def step_of(steps: type[_E], raw: str) -> _E:
    """The step ``raw`` names; raises :class:`Malformed` for a step the flow does not have."""
    try:
        return steps(raw)
    except ValueError:
        raise Malformed(f"no step {raw!r}") from None


class Fields:
    """Typed reads of one stored JSON object; a missing or ill-typed value raises Malformed."""

    def __init__(self, data: Mapping[object, object]) -> None:
        self._data = data

    def _get(self, key: str) -> object:
        if key not in self._data:
            raise Malformed(f"{key} missing")
        return self._data[key]

    def number(self, key: str) -> int:
        value = self._get(key)
        # JSON has no separate integer type, but the bot only ever writes whole numbers; a bool
        # is an int to Python and is refused here.
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise Malformed(f"{key} is not a number")
        return value

    def maybe_number(self, key: str) -> int | None:
        return None if self._get(key) is None else self.number(key)

    def text(self, key: str) -> str:
        value = self._get(key)
        if not isinstance(value, str):
            raise Malformed(f"{key} is not text")
        return value

    def maybe_text(self, key: str) -> str | None:
        return None if self._get(key) is None else self.text(key)

    def flag(self, key: str) -> bool:
        value = self._get(key)
        if not isinstance(value, bool):
            raise Malformed(f"{key} is not true or false")
        return value

    def maybe_day(self, key: str) -> date | None:
        value = self.maybe_text(key)
        if value is None:
            return None
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise Malformed(f"{key} is not a date") from None

    def flow_id(self, key: str = "id") -> str:
        """The id the flow's buttons carry (the shape the buttons accept)."""
        value = FLOW_ID.parse(self.text(key))
        if value is None:
            raise Malformed(f"{key} is not a flow id")
        return value
