"""Presses read as typed values: each kind of button declares its fields once, as a dataclass the
verb checks at import, so a handler reads ``Person.of(press).member`` and mypy checks the name."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from bot.core.callback_data import (
    FLOW_ID,
    ID,
    CallbackDataError,
    Field,
    OfFlow,
    OfMember,
    OneOf,
    Ref,
    Values,
    Verb,
    unpack,
)


@dataclass(frozen=True)
class Person(Values):
    member: int


@dataclass(frozen=True)
class Wrong(Values):
    member: str


@dataclass(frozen=True)
class PersonToRole(Values):
    member: int
    role: str


@dataclass(frozen=True)
class CountChosen(OfFlow):
    count: int


@dataclass(frozen=True)
class Change(OfFlow):
    what: str | None = None


_FLOW = Field("flow", FLOW_ID)
ROLE_OK = Verb("mem", "rlok", (Field("member", ID), Field("role", OneOf(("m", "tl")))),
               shape=PersonToRole)
COUNT = Verb("log", "n", (_FLOW, Field("count", ID)), shape=CountChosen)
CHANGE = Verb("log", "e", (_FLOW, Field("what", OneOf(("n",)), optional=True)), shape=Change)


def test_a_press_is_read_as_its_typed_values() -> None:
    press = unpack((ROLE_OK,), ROLE_OK.pack(42, "tl"))
    assert press is not None
    assert PersonToRole.of(press) == PersonToRole(member=42, role="tl")


def test_a_button_of_a_flow_is_read_as_the_flow_it_belongs_to() -> None:
    """Every button of the log flow extends OfFlow: the flow's id is read the same way."""
    count = unpack((COUNT,), COUNT.pack("c0ffee", 3))
    change = unpack((CHANGE,), CHANGE.pack("c0ffee"))
    assert count is not None
    assert change is not None
    assert OfFlow.of(count).flow == OfFlow.of(change).flow == "c0ffee"
    assert CountChosen.of(count).count == 3


def test_a_press_read_as_another_kind_is_a_bug_caught_loudly() -> None:
    press = unpack((ROLE_OK,), ROLE_OK.pack(42, "tl"))
    assert press is not None
    with pytest.raises(CallbackDataError):
        OfMember.of(press)


def test_a_shape_that_does_not_match_its_verb_fails_at_import() -> None:
    with pytest.raises(CallbackDataError, match="fields"):
        Verb("mem", "v", (Field("member", ID), Field("role", OneOf(("m",)))), shape=Person)
    with pytest.raises(CallbackDataError, match="member"):
        Verb("mem", "v", (Field("member", ID),), shape=Wrong)
    with pytest.raises(CallbackDataError, match="what"):
        @dataclass(frozen=True)
        class Required(Values):
            flow: str
            what: str

        Verb("log", "e", (Field("flow", FLOW_ID), Field("what", OneOf(("n",)), optional=True)),
             shape=Required)


def test_a_reference_is_one_the_press_check_can_look_up() -> None:
    assert Field("member", ID, ref="member").ref is Ref.MEMBER  # the older spelling still works
    with pytest.raises(ValueError, match="nothing"):
        Field("member", ID, ref="nothing")
