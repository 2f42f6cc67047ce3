"""What every flow's state shares: a stable name, a step, and a JSON shape read back strictly.

A flow in progress is stored as ``chat_flows(flow, step, data)`` and read back by a later update,
possibly by a newer release of the bot, possibly after someone edited the row by hand. So each
flow's state is a frozen dataclass whose fields say, once, how each is stored: the JSON key
(:class:`StoredAs`, the key every release has written) and the type pydantic checks it against
in strict mode (a whole number is not ``true`` nor ``"2"``, a day is an ISO date text). Writing
(:meth:`FlowState.encode`) and reading (:meth:`FlowState.decode`) are derived from those fields,
so no flow writes its own reader; reading gives ``None`` — never an exception — for anything
that is not the shape: a missing key, a value of the wrong type, a step the flow does not have.
The bot answers such a flow as an expired one. Pure: no I/O.
"""

from __future__ import annotations

import dataclasses
from abc import ABC
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from functools import cache
from typing import Annotated, Any, ClassVar, Protocol, Self, TypeVar, get_type_hints

from pydantic import (
    AfterValidator,
    ConfigDict,
    NonNegativeInt,
    PlainSerializer,
    PlainValidator,
    TypeAdapter,
    ValidationError,
)

from bot.core.callback_data import FLOW_ID

_E = TypeVar("_E", bound=StrEnum)
#: Strict: JSON's types are taken as they are (no "2" for 2, no 1 for true).
_STRICT = ConfigDict(strict=True)


class Malformed(ValueError):
    """A stored flow that is not the shape its name says (read as no flow at all)."""


def _flow_id(value: str) -> str:
    if FLOW_ID.parse(value) is None:
        raise ValueError("not a flow id")
    return value


def _iso_day(value: object) -> date:
    # Strict like the rest: only the text the bot writes, never a number read as a timestamp.
    if not isinstance(value, str):
        raise ValueError("a day is stored as its ISO text")
    return date.fromisoformat(value)


#: The id a flow's buttons carry (the shape the buttons accept).
FlowId = Annotated[str, AfterValidator(_flow_id)]
#: A count or an id: JSON has no separate integer type, but the bot only writes whole numbers.
Count = NonNegativeInt
#: A day, stored as ``YYYY-MM-DD``.
Day = Annotated[date, PlainValidator(_iso_day), PlainSerializer(date.isoformat)]


@dataclass(frozen=True)
class StoredAs:
    """A field stored under another JSON key than its name:
    ``category: Annotated[Count | None, StoredAs("cat")]``."""

    key: str


class HasState(Protocol):
    """A stored flow as the repository returns it (``bot.core.models.ChatFlow``)."""

    @property
    def state(self) -> FlowState | None: ...


class FlowState(ABC):
    """Base of every flow's state; subclasses are frozen dataclasses with a ``step`` field.

    Every field but ``step`` is stored, under its :class:`StoredAs` key or its own name, in the
    order the fields are declared; a flow whose stored keys depend on its step says so in
    :meth:`stored_fields`.
    """

    #: The value of ``chat_flows.flow``: never change it (flows saved earlier must resume).
    name: ClassVar[str]
    step: StrEnum

    @classmethod
    def steps(cls) -> type[StrEnum]:
        """The flow's steps (the type of its ``step`` field)."""
        return _steps(cls)

    @classmethod
    def stored_fields(cls, step: StrEnum) -> tuple[str, ...]:
        """The fields stored at ``step`` (all of them unless a flow says otherwise)."""
        return tuple(f.name for f in dataclasses.fields(_dataclass(cls)) if f.name != "step")

    def encode(self) -> dict[str, object]:
        """The ``data`` column: the JSON object this state is stored as."""
        shape = _shape(type(self), self.step)
        return {key: adapter.dump_python(getattr(self, attr), mode="json")
                for attr, key, adapter in shape}

    @classmethod
    def read(cls, step: str, data: Fields) -> Self:
        """The state stored as ``step`` and ``data``; raises :class:`Malformed` otherwise."""
        found = step_of(_steps(cls), step)
        values: dict[str, object] = {"step": found}
        for attr, key, adapter in _shape(cls, found):
            values[attr] = data.strict(key, adapter)
        return cls(**values)

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


def _dataclass(cls: type[FlowState]) -> Any:
    if not dataclasses.is_dataclass(cls):
        raise TypeError(f"{cls.__name__} is not a dataclass")
    return cls


@cache
def _steps(cls: type[FlowState]) -> type[StrEnum]:
    steps = get_type_hints(cls)["step"]
    if not (isinstance(steps, type) and issubclass(steps, StrEnum)):
        raise TypeError(f"{cls.__name__}.step is not a StrEnum")
    return steps


@cache
def _shape(cls: type[FlowState], step: StrEnum
           ) -> tuple[tuple[str, str, TypeAdapter[Any]], ...]:
    """(attribute, JSON key, strict adapter) of each field stored at ``step``, in order."""
    hints = get_type_hints(cls, include_extras=True)
    stored = set(cls.stored_fields(step))
    return tuple((f.name, _key(f.name, hints[f.name]), _adapter(hints[f.name]))
                 for f in dataclasses.fields(_dataclass(cls)) if f.name in stored)


def _key(name: str, annotation: Any) -> str:
    keys = [m.key for m in getattr(annotation, "__metadata__", ()) if isinstance(m, StoredAs)]
    return keys[0] if keys else name


@cache
def _adapter(annotation: Any) -> TypeAdapter[Any]:
    return TypeAdapter(annotation, config=_STRICT)


def step_of(steps: type[_E], raw: str) -> _E:
    """The step ``raw`` names; raises :class:`Malformed` for a step the flow does not have."""
    try:
        return steps(raw)
    except ValueError:
        raise Malformed(f"no step {raw!r}") from None


class Fields:
    """One stored JSON object, each value read through a strict pydantic type.

    :meth:`strict` is what :meth:`FlowState.read` uses; the typed reads below it are the
    compatibility path for a flow that still writes its own ``read``.
    """

    def __init__(self, data: Mapping[object, object]) -> None:
        self._data = data

    def strict(self, key: str, adapter: TypeAdapter[Any]) -> Any:
        """The value under ``key`` as ``adapter``'s type; raises Malformed when missing or not."""
        if key not in self._data:
            raise Malformed(f"{key} missing")
        try:
            return adapter.validate_python(self._data[key])
        except ValidationError:
            raise Malformed(f"{key} is not of its type") from None

    def number(self, key: str) -> int:
        value: int = self.strict(key, _adapter(Count))
        return value

    def maybe_number(self, key: str) -> int | None:
        value: int | None = self.strict(key, _adapter(Count | None))
        return value

    def text(self, key: str) -> str:
        value: str = self.strict(key, _adapter(str))
        return value

    def maybe_text(self, key: str) -> str | None:
        value: str | None = self.strict(key, _adapter(str | None))
        return value

    def flag(self, key: str) -> bool:
        value: bool = self.strict(key, _adapter(bool))
        return value

    def maybe_day(self, key: str) -> date | None:
        value: date | None = self.strict(key, _adapter(Day | None))
        return value

    def flow_id(self, key: str = "id") -> str:
        """The id the flow's buttons carry (the shape the buttons accept)."""
        value: str = self.strict(key, _adapter(FlowId))
        return value
