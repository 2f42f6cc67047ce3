"""Every flow's state survives being stored and read back; anything else reads as no flow.

A stored flow may be damaged, hand-edited or of a shape no release wrote: reading it must give
``None`` (the bot answers it as an expired flow), never raise in the middle of someone's step.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.core import flows
from bot.core.flows import (
    BroadcastFlow,
    BroadcastStep,
    FlowState,
    ForgetFlow,
    ImportFlow,
    JoinFlow,
    LogFlow,
    LogStep,
    MemberAddFlow,
    MemberAddStep,
    MemberRenameFlow,
    RenameStep,
    TeamAddFlow,
    TeamRenameFlow,
)
from bot.core.flows.broadcast import ToCommune, ToProvince, ToRole, ToTeam
from bot.core.roles import Role

flow_ids = st.from_regex(r"[0-9a-f]{4,16}", fullmatch=True)
ids = st.integers(min_value=0, max_value=10**12)
codes = st.from_regex(r"[0-9]{1,12}", fullmatch=True)
texts = st.text(max_size=60)
maybe = st.none


def _renames(kind: type[MemberRenameFlow] | type[TeamRenameFlow], key: str
             ) -> st.SearchStrategy[FlowState]:
    return st.one_of(
        st.builds(kind, **{key: ids}),
        st.builds(kind, **{key: ids}, step=st.just(RenameStep.CONFIRM), new_name=texts),
    )


audiences = st.one_of(
    st.builds(ToProvince, codes), st.builds(ToCommune, codes), st.builds(ToTeam, ids),
    st.builds(ToRole, st.sampled_from(Role), maybe() | codes),
)
states: st.SearchStrategy[FlowState] = st.one_of(
    st.builds(LogFlow, id=flow_ids, step=st.sampled_from(LogStep), category=maybe() | ids,
              citizens=maybe() | ids, day=maybe() | st.dates(), note=maybe() | texts,
              photo=maybe() | texts, masked=st.booleans(), replaces=maybe() | ids),
    st.builds(BroadcastFlow, id=flow_ids, audience=audiences, label=texts,
              text=maybe() | texts),
    st.builds(BroadcastFlow, id=flow_ids, audience=audiences, label=texts,
              step=st.just(BroadcastStep.CONFIRM), text=texts),
    st.builds(JoinFlow, code=texts),
    st.just(MemberAddFlow()),
    st.builds(MemberAddFlow, step=st.just(MemberAddStep.TEAM), person=texts,
              phone=maybe() | texts),
    _renames(MemberRenameFlow, "member_id"),
    st.builds(TeamAddFlow, team_name=texts),
    _renames(TeamRenameFlow, "team_id"),
    st.just(ImportFlow()),
    st.builds(ForgetFlow, id=flow_ids, member_id=ids, own=st.booleans()),
)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner,
                                                               max_size=4),
    max_leaves=12,
)


@given(states)
def test_a_state_reads_back_as_itself(state: FlowState) -> None:
    name, step, data = flows.encode(state)
    assert flows.decode(name, step, data) == state


@given(states)
def test_a_state_is_read_only_as_its_own_kind(state: FlowState) -> None:
    _, step, data = flows.encode(state)
    for name, kind in flows.KINDS.items():
        found = flows.decode(name, step, data)
        assert found is None or isinstance(found, kind)
    assert flows.decode("no_such_flow", step, data) is None


@given(st.text(max_size=20), st.text(max_size=20), st.text(max_size=200))
def test_any_row_is_read_without_error(name: str, step: str, data: str) -> None:
    flows.decode(name, step, data)
    for kind in flows.KINDS:
        flows.decode(kind, step, data)


@given(st.sampled_from(sorted(flows.KINDS)), st.text(max_size=12), json_values)
def test_any_json_is_read_without_error_and_what_is_read_is_a_state(
        name: str, step: str, value: Any) -> None:
    found = flows.decode(name, step, json.dumps(value))
    if found is not None:
        assert flows.decode(*flows.encode(found)) == found


@given(states, st.data())
def test_a_stored_state_with_a_key_missing_is_no_flow(state: FlowState, data: st.DataObject
                                                      ) -> None:
    name, step, text = flows.encode(state)
    stored = json.loads(text)
    if not stored:
        return  # nothing to take away ({} is the whole of the flow)
    key = data.draw(st.sampled_from(sorted(stored)))
    del stored[key]
    assert flows.decode(name, step, json.dumps(stored)) is None


@given(states, st.data())
def test_a_stored_state_with_a_value_of_another_type_is_no_flow(state: FlowState,
                                                                data: st.DataObject) -> None:
    name, step, text = flows.encode(state)
    stored = json.loads(text)
    keys = sorted(k for k, v in stored.items() if v is not None)
    if not keys:
        return
    key = data.draw(st.sampled_from(keys))
    # Something of another JSON type than what was stored (an int for a text, a text for a
    # bool, a list for anything...).
    stored[key] = data.draw(st.one_of(st.lists(st.integers(), max_size=2), st.just({"x": 1}),
                                      st.just(1.5))
                            | (st.text(max_size=5) if not isinstance(stored[key], str)
                               else st.integers()))
    assert flows.decode(name, step, json.dumps(stored)) is None


@pytest.mark.parametrize(("name", "step", "data"), [
    ("log", "summary", "not json"),
    ("log", "summary", "[1, 2]"),
    ("log", "summary", "null"),
    ("log", "summary", '"text"'),
    ("log", "summary", "[" * 100_000),                                # deeper than json can go
    ("log", "nowhere", '{"id": "c0ffee", "cat": null, "n": null, "day": null, "note": null,'
                       ' "photo": null, "masked": false, "replaces": null}'),
    ("log", "count", '{"id": "C0FFEE!", "cat": null, "n": null, "day": null, "note": null,'
                     ' "photo": null, "masked": false, "replaces": null}'),
    ("log", "count", '{"id": "c0ffee", "cat": true, "n": null, "day": null, "note": null,'
                     ' "photo": null, "masked": false, "replaces": null}'),
    ("log", "count", '{"id": "c0ffee", "cat": -3, "n": null, "day": null, "note": null,'
                     ' "photo": null, "masked": false, "replaces": null}'),
    ("log", "count", '{"id": "c0ffee", "cat": "2", "n": null, "day": null, "note": null,'
                     ' "photo": null, "masked": false, "replaces": null}'),
    ("log", "summary", '{"id": "c0ffee", "cat": 1, "n": 2, "day": "2026-02-31", "note": null,'
                       ' "photo": null, "masked": false, "replaces": null}'),
    ("log", "summary", '{"id": "c0ffee", "cat": 1, "n": 2, "day": "2026-11-20", "note": null,'
                       ' "photo": null, "masked": "no", "replaces": null}'),
    ("broadcast", "confirm", '{"id": "0a1b2c3d", "aud": "p:93", "label": "x", "text": null}'),
    ("broadcast", "text", '{"id": "0a1b2c3d", "aud": "x:93", "label": "x", "text": null}'),
    ("broadcast", "text", '{"id": "0a1b2c3d", "aud": "r:king:-", "label": "x", "text": null}'),
    ("broadcast", "text", '{"id": "0a1b2c3d", "aud": "t:١٢", "label": "x", "text": null}'),
    ("broadcast", "text", '{"id": "0a1b2c3d", "aud": "c:", "label": "x", "text": null}'),
    ("member_add", "team", "{}"),
    ("member_rename", "confirm", '{"member_id": 12}'),
    ("member_rename", "name", '{"member_id": "12"}'),
    ("team_rename", "name", '{"member_id": 12}'),
    ("forget", "confirm", '{"id": "deadbeef", "member_id": 12, "own": 1}'),
    ("join", "name", '{"code": null}'),
    ("import", "confirm", "{}"),
])
def test_a_damaged_or_foreign_row_is_no_flow(name: str, step: str, data: str) -> None:
    assert flows.decode(name, step, data) is None


def test_a_state_that_cannot_be_is_refused_when_built() -> None:
    """A bug, caught where the state is made rather than when someone presses Confirm."""
    with pytest.raises(ValueError, match="text"):
        BroadcastFlow(id="0a1b2c3d", audience=ToTeam(1), label="x", step=BroadcastStep.CONFIRM)
    with pytest.raises(ValueError, match="name"):
        MemberRenameFlow(member_id=1, step=RenameStep.CONFIRM)
    with pytest.raises(ValueError, match="name"):
        TeamRenameFlow(team_id=1, new_name="Ấp 2")
    with pytest.raises(ValueError, match="named"):
        MemberAddFlow(step=MemberAddStep.TEAM)


def test_the_log_flow_asks_for_the_first_thing_missing() -> None:
    assert LogFlow(id="c0ffee", citizens=3).ahead().step is LogStep.CATEGORY
    assert LogFlow(id="c0ffee", category=1).ahead().step is LogStep.COUNT
    assert LogFlow(id="c0ffee", category=1, citizens=3).ahead().step is LogStep.DAY
    complete = LogFlow(id="c0ffee", step=LogStep.DATE, category=1, citizens=3,
                       day=date(2026, 11, 23))
    assert complete.ahead().step is LogStep.SUMMARY
    assert complete.filled() == (1, 3, date(2026, 11, 23))
    assert LogFlow(id="c0ffee", category=1, citizens=3).filled() is None
