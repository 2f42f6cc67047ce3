"""The state of /review waiting for the reason a flagged session is rejected.

Stored as ``{"id", "flag_id"}``: ``id`` is carried by the reason buttons, ``flag_id`` names the
flag being rejected; what the reviewer types next is the reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import ClassVar

from bot.core.flows.base import Count, FlowId, FlowState


class ReviewStep(StrEnum):
    REASON = "reason"


@dataclass(frozen=True)
class ReviewFlow(FlowState):
    name: ClassVar[str] = "review"

    id: FlowId
    flag_id: Count
    step: ReviewStep = ReviewStep.REASON
