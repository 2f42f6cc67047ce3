"""Plausibility: which sessions a person should look at again before the province pays on them.

A session that breaks a rule is saved all the same (the member may well be right: a market day
can bring 80 people to one table) and *flagged*: the team leader or the commune coordinator
confirms or rejects it in /review. The limits are data an admin sets with /rules; these are the
rules themselves and the reading of /rules, pure: the caller reads what a rule needs (the
member's day so far, their recent sessions, their pause) and passes ``now``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum

from bot.core.text import fold


class Rule(StrEnum):
    #: Most citizens in one session (per category, or for every category).
    SESSION = "session"
    #: Most citizens one member helps in one day, all categories together.
    DAY = "day"
    #: The same session again: same day, category and number of citizens as one already saved.
    REPEAT = "repeat"
    #: Many sessions logged within a few minutes.
    BURST = "burst"
    #: A session dated on a day the member had paused their reminders (on leave).
    PAUSED = "paused"


#: What a limit of 0 means: the rule is off.
OFF = 0
#: Rules whose value is a number of citizens or sessions (the others are on/off).
NUMERIC = (Rule.SESSION, Rule.DAY, Rule.BURST)


@dataclass(frozen=True)
class Rules:
    """The limits in force. ``session`` maps a category id to its own limit; ``None`` keys the
    limit of every other category."""

    session: Mapping[int | None, int] = field(default_factory=lambda: {None: 100})
    day: int = 200
    repeat: bool = True
    burst_sessions: int = 5
    burst_minutes: int = 10
    paused: bool = True

    def session_limit(self, category_id: int) -> int:
        return self.session.get(category_id, self.session.get(None, OFF))


#: Defaults: generous enough that an honest busy day passes, tight enough that a typo (500
#: instead of 5) or a tap repeated by mistake is seen. One session of 100 citizens is a large
#: commune event; 200 a day is two of them; five sessions in ten minutes is faster than anyone
#: helps five groups of people, but what a member catching up on a week's paper notes does
#: (so it is a flag to look at, not a refusal).
DEFAULT_RULES = Rules()


@dataclass(frozen=True)
class Candidate:
    """The session being saved."""

    category_id: int
    citizens: int
    day: date


@dataclass(frozen=True)
class History:
    """What the rules need to know about the member, read before the session is saved."""

    #: Citizens of the member's other sessions of that day (all categories).
    day_citizens: int = 0
    #: How many of the member's other sessions of that day have the same category and count.
    same_sessions: int = 0
    #: When the member's latest sessions were logged (any order).
    recent_logged: Sequence[datetime] = ()
    #: The member's pause of reminders (first day, last day), if any.
    pause: tuple[date, date] | None = None


@dataclass(frozen=True)
class Hit:
    rule: Rule
    #: The figures a reviewer is shown: the limit and what the session did.
    limit: int
    value: int


def evaluate(rules: Rules, candidate: Candidate, history: History, now: datetime
             ) -> tuple[Hit, ...]:
    """The rules this session breaks (none: plausible)."""
    hits: list[Hit] = []
    per_session = rules.session_limit(candidate.category_id)
    if per_session and candidate.citizens > per_session:
        hits.append(Hit(Rule.SESSION, per_session, candidate.citizens))
    day_total = history.day_citizens + candidate.citizens
    if rules.day and day_total > rules.day:
        hits.append(Hit(Rule.DAY, rules.day, day_total))
    if rules.repeat and history.same_sessions:
        hits.append(Hit(Rule.REPEAT, 1, history.same_sessions + 1))
    if rules.burst_sessions and rules.burst_minutes:
        since = now - timedelta(minutes=rules.burst_minutes)
        within = 1 + sum(1 for at in history.recent_logged if since <= at <= now)
        if within >= rules.burst_sessions:
            hits.append(Hit(Rule.BURST, rules.burst_sessions, within))
    if rules.paused and history.pause is not None:
        first, last = history.pause
        if first <= candidate.day <= last:
            hits.append(Hit(Rule.PAUSED, 0, 0))
    return tuple(hits)


def recent_needed(rules: Rules) -> int:
    """How many of the member's latest sessions the burst rule looks at."""
    return max(rules.burst_sessions - 1, 0) if rules.burst_minutes else 0


# --- the rules as stored: (rule, category id or None, value) -----------------------------------

StoredRow = tuple[str, int | None, int]


def from_rows(rows: Sequence[StoredRow]) -> Rules:
    """The rules from their stored rows over the defaults (a row overrides its default)."""
    session: dict[int | None, int] = dict(DEFAULT_RULES.session)
    values: dict[str, int] = {}
    for name, category_id, value in rows:
        if name == Rule.SESSION:
            session[category_id] = value
        else:
            values[name] = value
    d = DEFAULT_RULES
    return Rules(
        session=session,
        day=values.get(Rule.DAY, d.day),
        repeat=bool(values.get(Rule.REPEAT, int(d.repeat))),
        burst_sessions=values.get(Rule.BURST, d.burst_sessions),
        burst_minutes=values.get("burst_minutes", d.burst_minutes),
        paused=bool(values.get(Rule.PAUSED, int(d.paused))),
    )


# --- /rules: what an admin types -----------------------------------------------------------------

class RulesInputError(ValueError):
    def __init__(self, problem: str, **params: object) -> None:
        super().__init__(problem)
        self.code = problem
        self.params = params


@dataclass(frozen=True)
class RuleChange:
    """One change: rows to write as (rule, category code or None, value)."""

    rule: Rule
    rows: tuple[tuple[str, str | None, int], ...]


_ON = {"on", "bat", "co", "yes", "1"}
_OFF = {"off", "tat", "khong", "no", "0"}
_NAMES: dict[str, Rule] = {
    "session": Rule.SESSION, "buoi": Rule.SESSION, "phien": Rule.SESSION,
    "day": Rule.DAY, "ngay": Rule.DAY,
    "repeat": Rule.REPEAT, "trung": Rule.REPEAT, "lap": Rule.REPEAT,
    "burst": Rule.BURST, "don": Rule.BURST, "nhanh": Rule.BURST,
    "paused": Rule.PAUSED, "pause": Rule.PAUSED, "nghi": Rule.PAUSED, "tamnghi": Rule.PAUSED,
}
MAX_LIMIT = 100_000


def _number(word: str) -> int:
    folded = fold(word)
    if folded in _OFF:
        return OFF
    digits = word.replace(".", "").replace(",", "")
    if not digits.isdigit() or int(digits) > MAX_LIMIT:
        raise RulesInputError("number", value=word)
    return int(digits)


def parse_change(text: str, category_codes: Sequence[str]) -> RuleChange:
    """``session 50``, ``session cks 30``, ``day 200``, ``repeat off``, ``burst 5 10`` (five
    sessions within ten minutes), ``paused on``; 0 or ``off`` turns a limit off. A category
    code names one category; ``session cks default`` gives it back the common limit."""
    words = text.split()
    if not words or fold(words[0]) not in _NAMES:
        raise RulesInputError("usage")
    rule, args = _NAMES[fold(words[0])], words[1:]
    if rule in (Rule.REPEAT, Rule.PAUSED):
        if len(args) != 1 or fold(args[0]) not in _ON | _OFF:
            raise RulesInputError("on_off", rule=rule.value)
        return RuleChange(rule, ((rule.value, None, int(fold(args[0]) in _ON)),))
    if rule is Rule.BURST:
        if len(args) == 1 and fold(args[0]) in _OFF:
            return RuleChange(rule, ((rule.value, None, OFF),))
        if len(args) != 2:
            raise RulesInputError("burst")
        sessions, minutes = _number(args[0]), _number(args[1])
        if sessions == 1 or (sessions and not 1 <= minutes <= 24 * 60):
            raise RulesInputError("burst")
        return RuleChange(rule, ((rule.value, None, sessions), ("burst_minutes", None, minutes)))
    category: str | None = None
    if rule is Rule.SESSION and len(args) == 2:
        code = args[0].lower()
        if code not in category_codes:
            raise RulesInputError("category", category=args[0])
        category, args = code, args[1:]
        if fold(args[0]) in {"default", "macdinh", "chung"}:
            return RuleChange(rule, ((rule.value, category, -1),))  # -1: remove the override
    if len(args) != 1:
        raise RulesInputError("usage")
    return RuleChange(rule, ((rule.value, category, _number(args[0])),))
