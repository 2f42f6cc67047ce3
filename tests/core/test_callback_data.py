"""The callback-data codec: typed fields, 64 bytes at most, anything else read back as nothing."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.core.callback_data import (
    FLOW_ID,
    ID,
    MAX_BYTES,
    CallbackDataError,
    Field,
    OneOf,
    Pattern,
    Verb,
    unpack,
)

CARD = Verb("mem", "v", (Field("member", ID),))
ROLE = Verb("mem", "rlr", (Field("member", ID), Field("role", OneOf(("m", "tl")))))
TO_ROLE = Verb("bc", "aud:r", (Field("role", OneOf(("team_leader",))),
                               Field("area", Pattern(r"-|\d{1,10}"))))
CHANGE = Verb("log", "e", (Field("flow", FLOW_ID), Field("what", OneOf(("cat", "n")),
                                                        optional=True)))
LANG = Verb("lang", "", (Field("lang", OneOf(("vi", "en"))),))
VERBS = (CARD, ROLE, TO_ROLE, CHANGE, LANG)


def test_values_round_trip() -> None:
    press = unpack(VERBS, ROLE.pack(42, "tl"))
    assert press is not None
    assert press.verb is ROLE
    assert dict(press.values) == {"member": 42, "role": "tl"}
    assert unpack(VERBS, "bc:aud:r:team_leader:-") is not None
    assert unpack(VERBS, CHANGE.pack("a1b2c3")) is not None
    assert unpack(VERBS, CHANGE.pack("a1b2c3", "cat")) is not None
    assert unpack(VERBS, LANG.pack("en")) is not None


@pytest.mark.parametrize("data", [
    "bc:aud:r:admin:-", "lang:xx", "mem:v:-1", "mem:v:1:2", "mem:v:", "mem:v:１２",  # full-width
    "mem:rlr:5:admin", "log:e:zz", "log:e:a1b2c3:day", "mem", "", "mem:v:" + "9" * 13,
    "lang:vi:extra", "bc:aud:r:team_leader:99999999999",
])
def test_anything_not_declared_reads_as_nothing(data: str) -> None:
    assert unpack(VERBS, data) is None


def test_a_button_that_would_not_fit_is_refused_when_built() -> None:
    long = Verb("x", "y", (Field("token", Pattern(r"[a-z]{1,100}")),))
    assert len(long.pack("a" * 60)) <= MAX_BYTES
    with pytest.raises(CallbackDataError):
        long.pack("a" * 61)
    with pytest.raises(CallbackDataError):
        ROLE.pack(42, "admin")
    with pytest.raises(CallbackDataError):
        CARD.pack(-1)
    with pytest.raises(CallbackDataError):
        CARD.pack()


def test_every_verb_of_the_bot_fits_with_its_longest_values() -> None:
    from bot.app.routes import build_router as dispatcher

    for route in dispatcher().buttons.values():
        for verb in route.verbs:
            assert len(verb.key) + 14 * len(verb.fields) <= MAX_BYTES, verb.key


@given(st.text(max_size=100))
def test_any_data_is_read_without_error(data: str) -> None:
    press = unpack(VERBS, data)
    assert press is None or press.verb in VERBS


@given(st.integers(0, 10**12 - 1), st.sampled_from(["m", "tl"]))
def test_ids_round_trip(member: int, role: str) -> None:
    press = unpack(VERBS, ROLE.pack(member, role))
    assert press is not None
    assert press.number("member") == member
