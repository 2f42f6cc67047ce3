"""The states of two confirmations: /import waiting for the file, /forget awaiting Erase or Keep.

``import`` is stored with ``{}`` (the file itself waits in ``pending_imports`` once checked);
``forget`` with ``{"id", "member_id", "own"}``: ``id`` is carried by the Erase/Keep buttons,
``own`` says whether the person asked for their own data (else an admin asked for someone's).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import ClassVar

from bot.core.flows.base import Count, FlowId, FlowState


class ImportStep(StrEnum):
    FILE = "file"


@dataclass(frozen=True)
class ImportFlow(FlowState):
    name: ClassVar[str] = "import"

    step: ImportStep = ImportStep.FILE


class ForgetStep(StrEnum):
    CONFIRM = "confirm"


@dataclass(frozen=True)
class ForgetFlow(FlowState):
    name: ClassVar[str] = "forget"

    id: FlowId
    member_id: Count
    #: The person asked to erase their own data (else an admin, on someone's request).
    own: bool
    step: ForgetStep = ForgetStep.CONFIRM
