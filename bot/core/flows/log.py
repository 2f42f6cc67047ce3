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
from typing import ClassVar, Self

from bot.core.flows.base import Fields, FlowState, step_of


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

    id: str
    step: LogStep = LogStep.CATEGORY
    category: int | None = None
    citizens: int | None = None
    day: date | None = None
    note: str | None = None
    photo: str | None = None
    #: Whether an ID or phone number was masked out of a note (the member was told).
    masked: bool = False
    replaces: int | None = None

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

    def encode(self) -> dict[str, object]:
        return {"id": self.id, "cat": self.category, "n": self.citizens,
                "day": self.day.isoformat() if self.day else None, "note": self.note,
                "photo": self.photo, "masked": self.masked, "replaces": self.replaces}

    @classmethod
    def read(cls, step: str, data: Fields) -> Self:
        return cls(id=data.flow_id(), step=step_of(LogStep, step),
                   category=data.maybe_number("cat"), citizens=data.maybe_number("n"),
                   day=data.maybe_day("day"), note=data.maybe_text("note"),
                   photo=data.maybe_text("photo"), masked=data.flag("masked"),
                   replaces=data.maybe_number("replaces"))
