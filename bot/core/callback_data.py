"""What a button carries: each button verb declared once with typed fields, packed and checked here.

Telegram gives a pressed button's data back as it was built — or as anyone forged it: a client
can send any 64 bytes. So every verb is declared with its fields (``mem:rn:<member id>``), the
data is built only through :meth:`Verb.pack` (which refuses a value of the wrong shape and more
than 64 bytes when the button is built, not when someone presses it), and a press is read back
only through :func:`unpack`, which returns ``None`` for anything that is not exactly a declared
verb with well-formed values. Ids and enumerated values (roles, languages) are checked here;
whether an id names something that exists and lies in the caller's scope is the dispatcher's
central check, driven by each field's ``ref`` and ``needs``.

A feature reads a press as typed attributes, as aiogram's ``CallbackData`` does: each kind of
button declares its values as a frozen dataclass (:class:`Values`: ``class Person(Values):
member: int``), named by its verbs (``Verb("mem", "v", (...), shape=Person)``), and reads them with
``Person.of(press).member``, so mypy checks every field a handler uses; the verb checks at import
that the dataclass has its fields, with their types. Pure: no I/O.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol, Self, cast, get_type_hints

from bot.core.permissions import Action

#: Telegram's limit on callback data, in bytes.
MAX_BYTES = 64
SEP = ":"


class CallbackDataError(ValueError):
    """A button was built with a value that does not fit its verb (a bug, caught in tests)."""


class Kind(Protocol):
    """How one field is written into the data and read back (None: not of this kind)."""

    def parse(self, raw: str) -> object | None: ...

    def format(self, value: object) -> str | None: ...


@dataclass(frozen=True)
class Int:
    """A non-negative decimal integer: an id, a page, a count."""

    digits: int = 12

    def parse(self, raw: str) -> int | None:
        if raw.isascii() and raw.isdigit() and len(raw) <= self.digits:
            return int(raw)
        return None

    def format(self, value: object) -> str | None:
        if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
            text = str(value)
            return text if len(text) <= self.digits else None
        return None


@dataclass(frozen=True)
class OneOf:
    """One of a fixed set of words: a role, a language, a sub-step."""

    values: tuple[str, ...]

    def parse(self, raw: str) -> str | None:
        return raw if raw in self.values else None

    def format(self, value: object) -> str | None:
        text = str(value)
        return text if text in self.values else None


@dataclass(frozen=True)
class Pattern:
    """A token of a known shape (a flow id, a commune code, an invitation code)."""

    regex: str
    _compiled: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_compiled", re.compile(self.regex))

    def parse(self, raw: str) -> str | None:
        return raw if raw.isascii() and self._compiled.fullmatch(raw) else None

    def format(self, value: object) -> str | None:
        return self.parse(str(value))


#: Shapes used by several features.
FLOW_ID = Pattern(r"[0-9a-f]{4,16}")
COMMUNE_CODE = Pattern(r"\d{1,10}")
ID = Int()


class Ref(StrEnum):
    """The kinds of thing a button's value may name; the press check has a lookup for each."""

    TEAM = "team"
    COMMUNE = "commune"
    PROVINCE = "province"
    #: ``-`` (the whole province served) or a commune.
    AREA = "area"
    MEMBER = "member"
    #: ``?`` (ask), ``p`` (the province), ``c<commune>`` or ``t<team>``.
    EXPORT_PLACE = "export_place"
    CATEGORY = "category"
    #: A session of the caller's own.
    OWN_SESSION = "own_session"
    #: A flagged session (plausibility), placed where it was logged.
    FLAG = "flag"


@dataclass(frozen=True)
class Field:
    name: str
    kind: Kind
    #: The kind of thing the value names: the dispatcher looks it up before the handler runs,
    #: and a value naming nothing is refused like a stale button. A plain string ("team") is the
    #: compatibility spelling of the same :class:`Ref`; an unknown one fails at import.
    ref: Ref | str | None = None
    #: The action the caller needs on that thing's place (checked with the permission table).
    needs: Action | None = None
    #: Only the last fields may be optional (``log:e:<flow>`` and ``log:e:<flow>:cat``).
    optional: bool = False

    def __post_init__(self) -> None:
        if self.ref is not None:
            object.__setattr__(self, "ref", Ref(self.ref))


class Values:
    """Base of a kind of button's typed values: subclasses are frozen dataclasses whose fields
    are the verb's fields, by name and in order (``int`` for :class:`Int`, else ``str``;
    ``| None = None`` for an optional one)."""

    @classmethod
    def of(cls, press: Press) -> Self:
        """The press's values as this kind (or a kind that extends it, as every button of a
        flow extends :class:`OfFlow`); a press of a verb of another kind is a bug."""
        shape = press.verb.shape
        if shape is None or not issubclass(shape, cls):
            raise CallbackDataError(f"{press.verb.key} is not read as {cls.__name__}")
        build = cast(Callable[..., Self], shape)
        return build(**press.values)


def _check_shape(verb: Verb, shape: type[Values]) -> None:
    """The shape has exactly the verb's fields, with their Python types (caught at import)."""
    if not dataclasses.is_dataclass(shape):
        raise CallbackDataError(f"{verb.key}: {shape.__name__} is not a dataclass")
    names = tuple(f.name for f in dataclasses.fields(shape))
    if names != tuple(f.name for f in verb.fields):
        raise CallbackDataError(f"{verb.key}: {shape.__name__} has fields {names}")
    hints = get_type_hints(shape)
    for spec in verb.fields:
        base: type = int if isinstance(spec.kind, Int) else str
        wanted: Any = base | None if spec.optional else base
        if hints[spec.name] != wanted:
            raise CallbackDataError(f"{verb.key}: {shape.__name__}.{spec.name} is not {wanted}")


@dataclass(frozen=True)
class Verb:
    """One kind of button: ``route:name:field1:field2``; ``name`` may have several segments
    (``aud:r``) or none (``lang:<vi|en>``)."""

    route: str
    name: str
    fields: tuple[Field, ...] = ()
    #: Needed somewhere in the caller's grants before anything else is looked at.
    requires: Action | None = None
    #: The typed values a press of this verb is read as (:meth:`Values.of`).
    shape: type[Values] | None = None

    def __post_init__(self) -> None:
        seen_optional = False
        for item in self.fields:
            if seen_optional and not item.optional:
                raise CallbackDataError(f"{self.key}: optional fields must come last")
            seen_optional = seen_optional or item.optional
        if self.shape is not None:
            _check_shape(self, self.shape)

    @property
    def key(self) -> str:
        return f"{self.route}{SEP}{self.name}" if self.name else self.route

    @property
    def literal(self) -> tuple[str, ...]:
        return (self.route, *self.name.split(SEP)) if self.name else (self.route,)

    def pack(self, *values: object) -> str:
        """The data of a button of this verb; refuses a wrong value or more than 64 bytes."""
        required = sum(1 for f in self.fields if not f.optional)
        if not required <= len(values) <= len(self.fields):
            raise CallbackDataError(f"{self.key}: expected {required}..{len(self.fields)} "
                                    f"values, got {len(values)}")
        parts = list(self.literal)
        for spec, value in zip(self.fields, values, strict=False):
            text = spec.kind.format(value)
            if text is None or SEP in text or not text:
                raise CallbackDataError(f"{self.key}: {spec.name}={value!r} is not valid")
            parts.append(text)
        data = SEP.join(parts)
        if len(data.encode("utf-8")) > MAX_BYTES:
            raise CallbackDataError(f"{self.key}: {len(data.encode())} bytes > {MAX_BYTES}")
        return data


@dataclass(frozen=True)
class Press:
    """A press read back: its verb and its values by field name.

    A feature reads the values typed, through its verb's shape (:meth:`Values.of`); ``number``,
    ``text`` and ``get`` are the compatibility path for a verb declared without a shape yet."""

    verb: Verb
    values: Mapping[str, object]

    def number(self, name: str) -> int:
        value = self.values[name]
        assert isinstance(value, int)
        return value

    def text(self, name: str) -> str:
        return str(self.values[name])

    def get(self, name: str) -> object | None:
        return self.values.get(name)


def unpack(verbs: Iterable[Verb], data: str) -> Press | None:
    """The declared verb this data is, with its values; None for anything else."""
    if len(data.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        return None
    parts = data.split(SEP)
    # The longest literal first: "bc:aud:r:…" is "aud:r", not a verb "aud" with odd fields.
    for verb in sorted(verbs, key=lambda v: -len(v.literal)):
        literal = verb.literal
        if tuple(parts[:len(literal)]) != literal:
            continue
        raw = parts[len(literal):]
        values = _parse(verb.fields, raw)
        if values is not None:
            return Press(verb, values)
    return None


def _parse(fields: Sequence[Field], raw: Sequence[str]) -> dict[str, object] | None:
    required = sum(1 for f in fields if not f.optional)
    if not required <= len(raw) <= len(fields):
        return None
    values: dict[str, object] = {}
    for spec, text in zip(fields, raw, strict=False):
        value = spec.kind.parse(text)
        if value is None:
            return None
        values[spec.name] = value
    return values


# --- shapes shared by several features' buttons -----------------------------------------------


@dataclass(frozen=True)
class OfTeam(Values):
    team: int


@dataclass(frozen=True)
class OfCommune(Values):
    commune: str


@dataclass(frozen=True)
class OfMember(Values):
    member: int


@dataclass(frozen=True)
class OfFlow(Values):
    """The buttons of a flow in progress, which carry its id (a button of another is stale)."""

    flow: str
