"""The plausibility rules and the reading of /rules, pure."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from bot.core.plausibility import (
    DEFAULT_RULES,
    Candidate,
    History,
    Rule,
    Rules,
    RulesInputError,
    evaluate,
    from_rows,
    parse_change,
)

NOW = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)
DAY = date(2026, 11, 23)


def _rules(hits: object) -> set[Rule]:
    assert isinstance(hits, tuple)
    return {h.rule for h in hits}


def test_an_ordinary_session_breaks_nothing() -> None:
    assert evaluate(DEFAULT_RULES, Candidate(1, 5, DAY), History(day_citizens=20), NOW) == ()


def test_each_rule_and_its_figures() -> None:
    hits = evaluate(DEFAULT_RULES, Candidate(1, 150, DAY), History(day_citizens=60), NOW)
    assert [(h.rule, h.limit, h.value) for h in hits] == [
        (Rule.SESSION, 100, 150), (Rule.DAY, 200, 210)]
    assert _rules(evaluate(DEFAULT_RULES, Candidate(1, 3, DAY), History(same_sessions=1),
                           NOW)) == {Rule.REPEAT}
    recent = tuple(NOW - timedelta(minutes=m) for m in (1, 2, 3, 4))
    assert _rules(evaluate(DEFAULT_RULES, Candidate(1, 3, DAY), History(recent_logged=recent),
                           NOW)) == {Rule.BURST}
    older = tuple(NOW - timedelta(minutes=m) for m in (1, 2, 3, 40))
    assert evaluate(DEFAULT_RULES, Candidate(1, 3, DAY), History(recent_logged=older), NOW) == ()
    paused = History(pause=(DAY - timedelta(days=2), DAY))
    assert _rules(evaluate(DEFAULT_RULES, Candidate(1, 3, DAY), paused, NOW)) == {Rule.PAUSED}
    assert evaluate(DEFAULT_RULES, Candidate(1, 3, DAY + timedelta(days=1)), paused, NOW) == ()


def test_a_category_has_its_own_limit_and_zero_turns_a_rule_off() -> None:
    rules = from_rows([("session", 3, 10), ("day", None, 0), ("repeat", None, 0)])
    assert rules.session_limit(3) == 10
    assert rules.session_limit(1) == 100
    assert _rules(evaluate(rules, Candidate(3, 11, DAY), History(day_citizens=900,
                                                                 same_sessions=2), NOW)) == {
        Rule.SESSION}
    off = Rules(session={None: 0}, day=0, repeat=False, burst_sessions=0, paused=False)
    assert evaluate(off, Candidate(1, 10_000, DAY), History(day_citizens=10_000,
                    same_sessions=5, pause=(DAY, DAY)), NOW) == ()


@pytest.mark.parametrize(("typed", "rows"), [
    ("session 50", (("session", None, 50),)),
    ("buổi cks 30", (("session", "cks", 30),)),
    ("session cks default", (("session", "cks", -1),)),
    ("ngày 1.000", (("day", None, 1000),)),
    ("repeat off", (("repeat", None, 0),)),
    ("trùng bật", (("repeat", None, 1),)),
    ("burst 5 10", (("burst", None, 5), ("burst_minutes", None, 10))),
    ("burst off", (("burst", None, 0),)),
    ("paused on", (("paused", None, 1),)),
])
def test_rules_typed_by_an_admin(typed: str, rows: tuple[tuple[str, str | None, int], ...]
                                 ) -> None:
    assert parse_change(typed, ["cks", "vneid"]).rows == rows


@pytest.mark.parametrize(("typed", "problem"), [
    ("", "usage"), ("speed 3", "usage"), ("session lots", "number"),
    ("session 999999", "number"), ("repeat maybe", "on_off"), ("burst 1 10", "burst"),
    ("burst 5", "burst"), ("session xyz 3", "category"),
])
def test_what_is_refused(typed: str, problem: str) -> None:
    with pytest.raises(RulesInputError) as raised:
        parse_change(typed, ["cks"])
    assert raised.value.code == problem
