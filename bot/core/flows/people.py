"""The states of the flows about people and teams: joining by name, adding or renaming a member,
adding or renaming a team.

Each is stored under its own name with the JSON the bot has always written for it (shown on each
class). A rename waits for the new name, then for Confirm, whose button carries the id of the
person or team: a Confirm of another rename is recognised as stale.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import ClassVar, Self

from bot.core.flows.base import Fields, FlowState, step_of


class NameStep(StrEnum):
    """The one step of a flow waiting for a name to be typed."""

    NAME = "name"


class RenameStep(StrEnum):
    NAME = "name"
    #: The new name is typed; Confirm or Cancel is awaited.
    CONFIRM = "confirm"


@dataclass(frozen=True)
class JoinFlow(FlowState):
    """A newcomer not in the team's list types their name: ``{"code": <invitation code>}``."""

    name: ClassVar[str] = "join"

    code: str
    step: NameStep = NameStep.NAME

    def encode(self) -> dict[str, object]:
        return {"code": self.code}

    @classmethod
    def read(cls, step: str, data: Fields) -> Self:
        return cls(code=data.text("code"), step=step_of(NameStep, step))


class MemberAddStep(StrEnum):
    #: Waiting for "name[, phone]"; nothing stored yet (``{}``).
    NAME = "name"
    #: Name and phone given, a team is being picked: ``{"name", "phone"}``.
    TEAM = "team"


@dataclass(frozen=True)
class MemberAddFlow(FlowState):
    name: ClassVar[str] = "member_add"

    step: MemberAddStep = MemberAddStep.NAME
    person: str | None = None
    phone: str | None = None

    def __post_init__(self) -> None:
        if self.step is MemberAddStep.TEAM and self.person is None:
            raise ValueError("a team is picked for someone named")

    def encode(self) -> dict[str, object]:
        if self.step is MemberAddStep.NAME:
            return {}
        return {"name": self.person, "phone": self.phone}

    @classmethod
    def read(cls, step: str, data: Fields) -> Self:
        found = step_of(MemberAddStep, step)
        if found is MemberAddStep.NAME:
            return cls()
        return cls(step=found, person=data.text("name"), phone=data.maybe_text("phone"))


@dataclass(frozen=True)
class MemberRenameFlow(FlowState):
    """``{"member_id"}``, then ``{"member_id", "name"}`` once the new name is typed."""

    name: ClassVar[str] = "member_rename"

    member_id: int
    step: RenameStep = RenameStep.NAME
    new_name: str | None = None

    def __post_init__(self) -> None:
        _check_rename(self.step, self.new_name)

    def encode(self) -> dict[str, object]:
        return _rename_data("member_id", self.member_id, self.new_name)

    @classmethod
    def read(cls, step: str, data: Fields) -> Self:
        found = step_of(RenameStep, step)
        return cls(member_id=data.number("member_id"), step=found,
                   new_name=_read_new_name(found, data))


class TeamAddStep(StrEnum):
    COMMUNE = "commune"


@dataclass(frozen=True)
class TeamAddFlow(FlowState):
    """A new team's name is given, its commune is being picked: ``{"name"}``."""

    name: ClassVar[str] = "team_add"

    team_name: str
    step: TeamAddStep = TeamAddStep.COMMUNE

    def encode(self) -> dict[str, object]:
        return {"name": self.team_name}

    @classmethod
    def read(cls, step: str, data: Fields) -> Self:
        return cls(team_name=data.text("name"), step=step_of(TeamAddStep, step))


@dataclass(frozen=True)
class TeamRenameFlow(FlowState):
    """``{"team_id"}``, then ``{"team_id", "name"}`` once the new name is typed."""

    name: ClassVar[str] = "team_rename"

    team_id: int
    step: RenameStep = RenameStep.NAME
    new_name: str | None = None

    def __post_init__(self) -> None:
        _check_rename(self.step, self.new_name)

    def encode(self) -> dict[str, object]:
        return _rename_data("team_id", self.team_id, self.new_name)

    @classmethod
    def read(cls, step: str, data: Fields) -> Self:
        found = step_of(RenameStep, step)
        return cls(team_id=data.number("team_id"), step=found,
                   new_name=_read_new_name(found, data))


def _check_rename(step: RenameStep, new_name: str | None) -> None:
    if (step is RenameStep.CONFIRM) != (new_name is not None):
        raise ValueError("a new name is there exactly when Confirm is awaited")


def _rename_data(key: str, target: int, new_name: str | None) -> dict[str, object]:
    return {key: target} if new_name is None else {key: target, "name": new_name}


def _read_new_name(step: RenameStep, data: Fields) -> str | None:
    return data.text("name") if step is RenameStep.CONFIRM else None
