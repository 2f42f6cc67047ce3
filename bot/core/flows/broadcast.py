"""The state of a /broadcast: the audience chosen, then the text typed, then Confirm.

Stored as ``flow = "broadcast"``, ``data = {"id", "aud", "label", "text"}``; ``aud`` is the
audience as the buttons wrote it since the first release: ``p:<province>``, ``c:<commune>``,
``t:<team id>`` or ``r:<role>:<commune or ->``. ``id`` is carried by the Send/Edit/Cancel/Stop
buttons and names the outbox batch, so a second Send finds the batch already going out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, ClassVar

from pydantic import PlainSerializer, PlainValidator

from bot.core.flows.base import FlowId, FlowState, Malformed, StoredAs
from bot.core.roles import Role

_CODE = re.compile(r"\d{1,12}")


class BroadcastStep(StrEnum):
    TEXT = "text"
    CONFIRM = "confirm"


@dataclass(frozen=True)
class ToProvince:
    """Everyone in the province served."""

    province: str


@dataclass(frozen=True)
class ToCommune:
    commune: str


@dataclass(frozen=True)
class ToTeam:
    team: int


@dataclass(frozen=True)
class ToRole:
    """Everyone holding ``role`` in a commune, or in the whole province served (None)."""

    role: Role
    commune: str | None


Audience = ToProvince | ToCommune | ToTeam | ToRole


def audience_code(audience: Audience) -> str:
    """The audience as stored (and as its buttons carried it)."""
    match audience:
        case ToProvince(province):
            return f"p:{province}"
        case ToCommune(commune):
            return f"c:{commune}"
        case ToTeam(team):
            return f"t:{team}"
        case ToRole(role, commune):
            return f"r:{role.value}:{commune or '-'}"


def read_audience(code: str) -> Audience:
    """The audience a stored code names; raises :class:`Malformed` for anything else."""
    kind, _, rest = code.partition(":")
    if kind == "r":
        role_word, _, place = rest.partition(":")
        try:
            role = Role(role_word)
        except ValueError:
            raise Malformed("no such role") from None
        if place == "-":
            return ToRole(role, None)
        return ToRole(role, _code(place))
    if kind == "p":
        return ToProvince(_code(rest))
    if kind == "c":
        return ToCommune(_code(rest))
    if kind == "t":
        return ToTeam(int(_code(rest)))
    raise Malformed("no such audience")


def _read_stored(code: object) -> Audience:
    if not isinstance(code, str):
        raise Malformed("an audience is stored as its code")
    return read_audience(code)


#: An audience in a stored flow: its code (strict: nothing else is read as one).
StoredAudience = Annotated[Audience, PlainValidator(_read_stored), PlainSerializer(audience_code)]


def _code(text: str) -> str:
    if not (text.isascii() and _CODE.fullmatch(text)):
        raise Malformed("not a place code")
    return text


@dataclass(frozen=True)
class BroadcastFlow(FlowState):
    name: ClassVar[str] = "broadcast"

    id: FlowId
    audience: Annotated[StoredAudience, StoredAs("aud")]
    #: The audience as the sender saw it when choosing ("Ấp 1, Xã Vị Thủy").
    label: str
    step: BroadcastStep = BroadcastStep.TEXT
    #: The announcement, once typed (always there at the Confirm step).
    text: str | None = None

    def __post_init__(self) -> None:
        if self.step is BroadcastStep.CONFIRM and self.text is None:
            raise ValueError("a broadcast is confirmed only with its text")
