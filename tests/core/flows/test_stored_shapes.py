"""Flows saved by the previous release resume: each flow's stored row, exactly as the bot wrote it
before its states were typed, reads back as that state and is written back byte for byte.

The rows below are what ``json.dumps(data, ensure_ascii=False)`` of the old handlers' dicts gave
(handlers/log_steps.py, broadcast.py, joining.py, member_add.py, member_changes.py, teams.py,
admin_import.py, privacy.py before the change): a flow left open across an upgrade must go on,
and one written by the new release must still read in the old one after a rollback.
"""

from __future__ import annotations

from datetime import date

import pytest

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
    ReviewFlow,
    TeamAddFlow,
    TeamRenameFlow,
)
from bot.core.flows.broadcast import ToCommune, ToProvince, ToRole, ToTeam
from bot.core.roles import Role

#: (flow, step, data) as stored by the previous release → the state it stands for.
PREVIOUS_RELEASE: list[tuple[str, str, str, FlowState]] = [
    ("log", "category",
     '{"id": "c0ffee", "cat": null, "n": null, "day": null, "note": null, "photo": null, '
     '"masked": false, "replaces": null}',
     LogFlow(id="c0ffee")),
    ("log", "count",
     '{"id": "c0ffee", "cat": 2, "n": null, "day": null, "note": "họp chợ ấp 3", "photo": null, '
     '"masked": false, "replaces": null}',
     LogFlow(id="c0ffee", step=LogStep.COUNT, category=2, note="họp chợ ấp 3")),
    ("log", "date",
     '{"id": "0a1b2c", "cat": 1, "n": 12, "day": null, "note": null, "photo": null, '
     '"masked": false, "replaces": null}',
     LogFlow(id="0a1b2c", step=LogStep.DATE, category=1, citizens=12)),
    ("log", "summary",
     '{"id": "0a1b2c", "cat": 3, "n": 7, "day": "2026-11-20", "note": "SĐT ***", '
     '"photo": "AgACAgUAAxkBAAIB", "masked": true, "replaces": 41}',
     LogFlow(id="0a1b2c", step=LogStep.SUMMARY, category=3, citizens=7,
             day=date(2026, 11, 20), note="SĐT ***", photo="AgACAgUAAxkBAAIB", masked=True,
             replaces=41)),
    ("broadcast", "text",
     '{"id": "0a1b2c3d", "aud": "p:93", "label": "Mọi người — Cần Thơ", "text": null}',
     BroadcastFlow(id="0a1b2c3d", audience=ToProvince("93"), label="Mọi người — Cần Thơ")),
    ("broadcast", "confirm",
     '{"id": "0a1b2c3d", "aud": "c:31441", "label": "Xã Vị Thủy", "text": "Họp lúc 8 giờ"}',
     BroadcastFlow(id="0a1b2c3d", audience=ToCommune("31441"), label="Xã Vị Thủy",
                   step=BroadcastStep.CONFIRM, text="Họp lúc 8 giờ")),
    ("broadcast", "text",
     '{"id": "0a1b2c3d", "aud": "t:12", "label": "Ấp 1, Xã Vị Thủy", "text": "bản cũ"}',
     BroadcastFlow(id="0a1b2c3d", audience=ToTeam(12), label="Ấp 1, Xã Vị Thủy",
                   text="bản cũ")),
    ("broadcast", "text",
     '{"id": "0a1b2c3d", "aud": "r:team_leader:-", "label": "Tổ trưởng", "text": null}',
     BroadcastFlow(id="0a1b2c3d", audience=ToRole(Role.TEAM_LEADER, None), label="Tổ trưởng")),
    ("broadcast", "text",
     '{"id": "0a1b2c3d", "aud": "r:commune_coordinator:31441", "label": "x", "text": null}',
     BroadcastFlow(id="0a1b2c3d", audience=ToRole(Role.COMMUNE_COORDINATOR, "31441"),
                   label="x")),
    ("join", "name", '{"code": "K7M2QX9D"}', JoinFlow(code="K7M2QX9D")),
    ("member_add", "name", "{}", MemberAddFlow()),
    ("member_add", "team", '{"name": "Nguyễn Văn An", "phone": "0912345678"}',
     MemberAddFlow(step=MemberAddStep.TEAM, person="Nguyễn Văn An", phone="0912345678")),
    ("member_add", "team", '{"name": "Lê Thị Bình", "phone": null}',
     MemberAddFlow(step=MemberAddStep.TEAM, person="Lê Thị Bình")),
    ("member_rename", "name", '{"member_id": 12}', MemberRenameFlow(member_id=12)),
    ("member_rename", "confirm", '{"member_id": 12, "name": "Lê Thị Bình"}',
     MemberRenameFlow(member_id=12, step=RenameStep.CONFIRM, new_name="Lê Thị Bình")),
    ("team_add", "commune", '{"name": "Ấp 3"}', TeamAddFlow(team_name="Ấp 3")),
    ("team_rename", "name", '{"team_id": 5}', TeamRenameFlow(team_id=5)),
    ("team_rename", "confirm", '{"team_id": 5, "name": "Ấp Mới"}',
     TeamRenameFlow(team_id=5, step=RenameStep.CONFIRM, new_name="Ấp Mới")),
    ("import", "file", "{}", ImportFlow()),
    ("forget", "confirm", '{"id": "deadbeef", "member_id": 12, "own": true}',
     ForgetFlow(id="deadbeef", member_id=12, own=True)),
    ("forget", "confirm", '{"id": "deadbeef", "member_id": 12, "own": false}',
     ForgetFlow(id="deadbeef", member_id=12, own=False)),
    # New in this release (a rollback reads it as no flow: the reviewer presses again).
    ("review", "reason", '{"id": "a1b2c3", "flag_id": 7}', ReviewFlow(id="a1b2c3", flag_id=7)),
]


@pytest.mark.parametrize(("name", "step", "data", "state"), PREVIOUS_RELEASE)
def test_a_row_of_the_previous_release_reads_as_its_state(name: str, step: str, data: str,
                                                          state: FlowState) -> None:
    assert flows.decode(name, step, data) == state


@pytest.mark.parametrize(("name", "step", "data", "state"), PREVIOUS_RELEASE)
def test_a_state_is_stored_as_the_previous_release_stored_it(name: str, step: str, data: str,
                                                             state: FlowState) -> None:
    assert flows.encode(state) == (name, step, data)


def test_every_flow_of_the_bot_has_a_row_above() -> None:
    assert {name for name, *_ in PREVIOUS_RELEASE} == set(flows.KINDS)


def test_release_0_1s_half_finished_log_is_no_flow_any_more() -> None:
    """tests/fixtures/release-0.1.sqlite3 holds a log flow of the very first shape."""
    assert flows.decode("log", "citizens", '{"category": "cks"}') is None
