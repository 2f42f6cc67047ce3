"""The states of the flows about people and teams: joining by name, adding or renaming a member,
adding or renaming a team.

Each is stored under its own name with the JSON the bot has always written for it (shown on each
class). A rename waits for the new name, then for Confirm, whose button carries the id of the
person or team: a Confirm of another rename is recognised as stale.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, ClassVar

from bot.core.flows.base import Count, FlowState, StoredAs


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


class MemberAddStep(StrEnum):
    #: Waiting for "name[, phone]"; nothing stored yet (``{}``).
    NAME = "name"
    #: Name and phone given, a team is being picked: ``{"name", "phone"}``.
    TEAM = "team"


@dataclass(frozen=True)
class MemberAddFlow(FlowState):
    name: ClassVar[str] = "member_add"

    step: MemberAddStep = MemberAddStep.NAME
    person: Annotated[str | None, StoredAs("name")] = None
    phone: str | None = None

    @classmethod
    def stored_fields(cls, step: StrEnum) -> tuple[str, ...]:
        return ("person", "phone") if step is MemberAddStep.TEAM else ()

    def __post_init__(self) -> None:
        if self.step is MemberAddStep.TEAM and self.person is None:
            raise ValueError("a team is picked for someone named")


@dataclass(frozen=True)
class MemberRenameFlow(FlowState):
    """``{"member_id"}``, then ``{"member_id", "name"}`` once the new name is typed."""

    name: ClassVar[str] = "member_rename"

    member_id: Count
    step: RenameStep = RenameStep.NAME
    new_name: Annotated[str | None, StoredAs("name")] = None

    @classmethod
    def stored_fields(cls, step: StrEnum) -> tuple[str, ...]:
        return _rename_fields(step, "member_id")

    def __post_init__(self) -> None:
        _check_rename(self.step, self.new_name)


class TeamAddStep(StrEnum):
    COMMUNE = "commune"


@dataclass(frozen=True)
class TeamAddFlow(FlowState):
    """A new team's name is given, its commune is being picked: ``{"name"}``."""

    name: ClassVar[str] = "team_add"

    team_name: Annotated[str, StoredAs("name")]
    step: TeamAddStep = TeamAddStep.COMMUNE


@dataclass(frozen=True)
class TeamRenameFlow(FlowState):
    """``{"team_id"}``, then ``{"team_id", "name"}`` once the new name is typed."""

    name: ClassVar[str] = "team_rename"

    team_id: Count
    step: RenameStep = RenameStep.NAME
    new_name: Annotated[str | None, StoredAs("name")] = None

    @classmethod
    def stored_fields(cls, step: StrEnum) -> tuple[str, ...]:
        return _rename_fields(step, "team_id")

    def __post_init__(self) -> None:
        _check_rename(self.step, self.new_name)


def _check_rename(step: RenameStep, new_name: str | None) -> None:
    if (step is RenameStep.CONFIRM) != (new_name is not None):
        raise ValueError("a new name is there exactly when Confirm is awaited")


def _rename_fields(step: StrEnum, target: str) -> tuple[str, ...]:
    """The new name is stored only once typed (Confirm awaited)."""
    return (target, "new_name") if step is RenameStep.CONFIRM else (target,)
