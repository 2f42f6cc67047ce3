"""The states of two confirmations: /import waiting for the file, /forget awaiting Erase or Keep.

``import`` is stored with ``{}`` (the file itself waits in ``pending_imports`` once checked);
``forget`` with ``{"id", "member_id", "own"}``: ``id`` is carried by the Erase/Keep buttons,
``own`` says whether the person asked for their own data (else an admin asked for someone's).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import ClassVar, Self

from bot.core.flows.base import Fields, FlowState, step_of


class ImportStep(StrEnum):
    FILE = "file"


@dataclass(frozen=True)
class ImportFlow(FlowState):
    name: ClassVar[str] = "import"

    step: ImportStep = ImportStep.FILE

    def encode(self) -> dict[str, object]:
        return {}

    @classmethod
    def read(cls, step: str, data: Fields) -> Self:
        return cls(step=step_of(ImportStep, step))


class ForgetStep(StrEnum):
    CONFIRM = "confirm"


@dataclass(frozen=True)
class ForgetFlow(FlowState):
    name: ClassVar[str] = "forget"

    id: str
    member_id: int
    #: The person asked to erase their own data (else an admin, on someone's request).
    own: bool
    step: ForgetStep = ForgetStep.CONFIRM

    def encode(self) -> dict[str, object]:
        return {"id": self.id, "member_id": self.member_id, "own": self.own}

    @classmethod
    def read(cls, step: str, data: Fields) -> Self:
        return cls(id=data.flow_id(), member_id=data.number("member_id"), own=data.flag("own"),
                   step=step_of(ForgetStep, step))
