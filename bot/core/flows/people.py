"""The states of the flows about people and teams: joining by name, adding or renaming a member,
adding or renaming a team.

Each is stored under its own name with the JSON the bot has always written for it (shown on each
class). A rename waits for the new name, then for Confirm, whose button carries the id of the
person or team: a Confirm of another rename is recognised as stale.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Annotated, Any, ClassVar, Self

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


class RenameFlow(FlowState):
    """A rename: the id of what is renamed, then the new name once typed (Confirm awaited)."""

    #: The field holding the id renamed (its stored key): never change it.
    target_field: ClassVar[str]
    step: RenameStep
    new_name: str | None

    def __post_init__(self) -> None:
        if (self.step is RenameStep.CONFIRM) != (self.new_name is not None):
            raise ValueError("a new name is there exactly when Confirm is awaited")

    @classmethod
    def stored_fields(cls, step: StrEnum) -> tuple[str, ...]:
        # The new name is stored only once typed.
        named = step is RenameStep.CONFIRM
        return (cls.target_field, "new_name") if named else (cls.target_field,)

    @classmethod
    def asking(cls, target: int) -> Self:
        """The rename of ``target``, waiting for the new name."""
        build: Callable[..., Self] = cls
        return build(**{cls.target_field: target})

    @property
    def target(self) -> int:
        value = getattr(self, self.target_field)
        assert isinstance(value, int)
        return value

    def named(self, name: str) -> Self:
        """This rename, its new name typed: Confirm is awaited."""
        this: Any = self
        renamed: Self = replace(this, step=RenameStep.CONFIRM, new_name=name)
        return renamed


@dataclass(frozen=True)
class MemberRenameFlow(RenameFlow):
    """``{"member_id"}``, then ``{"member_id", "name"}`` once the new name is typed."""

    name: ClassVar[str] = "member_rename"
    target_field: ClassVar[str] = "member_id"

    member_id: Count
    step: RenameStep = RenameStep.NAME
    new_name: Annotated[str | None, StoredAs("name")] = None


class TeamAddStep(StrEnum):
    COMMUNE = "commune"


@dataclass(frozen=True)
class TeamAddFlow(FlowState):
    """A new team's name is given, its commune is being picked: ``{"name"}``."""

    name: ClassVar[str] = "team_add"

    team_name: Annotated[str, StoredAs("name")]
    step: TeamAddStep = TeamAddStep.COMMUNE


@dataclass(frozen=True)
class TeamRenameFlow(RenameFlow):
    """``{"team_id"}``, then ``{"team_id", "name"}`` once the new name is typed."""

    name: ClassVar[str] = "team_rename"
    target_field: ClassVar[str] = "team_id"

    team_id: Count
    step: RenameStep = RenameStep.NAME
    new_name: Annotated[str | None, StoredAs("name")] = None
