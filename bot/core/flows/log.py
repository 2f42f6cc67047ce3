"""The state of logging a session: category → how many citizens → which day → summary.

Stored as ``flow = "log"`` with the JSON the bot has written since its first release:
``{"id", "cat", "n", "day", "note", "photo", "masked", "replaces"}``. ``id`` is carried by every
button of the flow (a button of an older flow is recognised as stale) and keys the saved
session (a double tap saves once); ``replaces`` is the session an /undo → Edit will replace.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum
from typing import Annotated, ClassVar, Self

from bot.core.flows.base import Count, Day, FlowId, FlowState, StoredAs


class LogStep(StrEnum):
    CATEGORY = "category"
    COUNT = "count"
    DAY = "day"
    #: "Another day" was pressed: a typed date is expected.
    DATE = "date"
    SUMMARY = "summary"


@dataclass(frozen=True)
class LogFlow(FlowState):
    name: ClassVar[str] = "log"

    id: FlowId
    step: LogStep = LogStep.CATEGORY
    category: Annotated[Count | None, StoredAs("cat")] = None
    citizens: Annotated[Count | None, StoredAs("n")] = None
    day: Day | None = None
    note: str | None = None
    photo: str | None = None
    #: Whether an ID or phone number was masked out of a note (the member was told).
    masked: bool = False
    replaces: Count | None = None

    def missing(self) -> LogStep:
        """What to ask for next: the first thing still missing, or the summary."""
        if self.category is None:
            return LogStep.CATEGORY
        if self.citizens is None:
            return LogStep.COUNT
        if self.day is None:
            return LogStep.DAY
        return LogStep.SUMMARY

    def filled(self) -> tuple[int, int, date] | None:
        """(category, citizens, day) once all three are given (the summary can be saved)."""
        if self.category is None or self.citizens is None or self.day is None:
            return None
        return self.category, self.citizens, self.day

    def ahead(self) -> Self:
        """This state at the step that asks for what is missing."""
        return replace(self, step=self.missing())
