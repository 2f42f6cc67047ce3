"""The allowance rule a province pays its teams by, and what it comes to, in whole đồng.

A rule is any combination of four numbers, as People's Councils write them:

* ``per_team`` — a monthly amount for each team (Hà Tĩnh: 600,000 đ/team/month);
* ``per_member`` — a monthly amount for each member (Bình Dương: 60,000 đ/person/month);
* ``per_day`` — an amount per member per day on duty (Bình Dương: 150,000 đ/person/day);
* ``cap`` — the most a team receives in a month, members' parts included (Đà Nẵng:
  300,000 đ/team/month, of which 50,000 đ/person/day worked: per_team 300,000, per_day 50,000,
  cap 300,000).

How a team's month is computed (this is what the sheet prints for the auditor):

1. each member: ``per_member + per_day × days on duty`` (a day on duty: a day with at least one
   session logged in this team); a member who moved in the month is listed under each team
   with their days there, and gets ``per_member`` once, under the team they ended the month in;
2. if the members' total is above the cap, each member's part is multiplied by
   cap ÷ total and rounded down to the đồng; the đồng left over by rounding go one each to the
   members with the largest remainders (earlier on the sheet first when equal), so the parts
   add up to the cap exactly;
3. the team's own part is ``per_team``, but no more than what the cap leaves after the members;
4. the team's amount is its own part plus its members' parts.

Pure: integers in, integers out; no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from bot.core.text import fold

#: No single amount of a rule is above this: a longer number is a typing mistake.
MAX_AMOUNT = 100_000_000


@dataclass(frozen=True)
class AllowanceRule:
    per_team: int = 0
    per_member: int = 0
    per_day: int = 0
    cap: int | None = None

    @property
    def empty(self) -> bool:
        return not (self.per_team or self.per_member or self.per_day)


@dataclass(frozen=True)
class MemberAmount:
    monthly: int        # per_member
    daily: int          # per_day × days on duty
    adjustment: int     # ≤ 0: what the cap took off

    @property
    def total(self) -> int:
        return self.monthly + self.daily + self.adjustment


@dataclass(frozen=True)
class TeamAmount:
    members: tuple[MemberAmount, ...]
    team_part: int

    @property
    def total(self) -> int:
        return self.team_part + sum(m.total for m in self.members)


def shares(parts: Sequence[int], budget: int) -> list[int]:
    """``parts`` scaled to add up to ``budget`` exactly (largest remainders get the spare đồng).

    Only called when ``sum(parts) > budget``, so every share is at most its part.
    """
    total = sum(parts)
    scaled = [part * budget // total for part in parts]
    remainders = [part * budget % total for part in parts]
    spare = budget - sum(scaled)
    order = sorted(range(len(parts)), key=lambda i: (-remainders[i], i))
    for i in order[:spare]:
        scaled[i] += 1
    return scaled


def team_amount(rule: AllowanceRule, days_on_duty: Sequence[int],
                monthly: Sequence[bool] | None = None) -> TeamAmount:
    """One team's month: ``days_on_duty`` has one entry per member listed for the team;
    ``monthly`` says which of them get ``per_member`` here (all by default): a member who
    moved in the month is listed under each team but paid the monthly amount once."""
    paid = [True] * len(days_on_duty) if monthly is None else list(monthly)
    base = [(rule.per_member if gets else 0, rule.per_day * days)
            for days, gets in zip(days_on_duty, paid, strict=True)]
    parts = [monthly + daily for monthly, daily in base]
    total = sum(parts)
    if rule.cap is not None and total > rule.cap:
        capped = shares(parts, rule.cap)
        members = tuple(MemberAmount(monthly, daily, cut - part)
                        for (monthly, daily), part, cut in zip(base, parts, capped, strict=True))
        return TeamAmount(members, 0)
    room = rule.per_team if rule.cap is None else min(rule.per_team, rule.cap - total)
    return TeamAmount(tuple(MemberAmount(m, d, 0) for m, d in base), room)


# --------------------------------------------------------------------------- /allowance

class AllowanceInputError(ValueError):
    def __init__(self, code: str, **params: str | int) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


_KEYWORDS: dict[str, str] = {
    **dict.fromkeys(("team", "per team", "to", "moi to", "doi"), "per_team"),
    **dict.fromkeys(("member", "per member", "person", "per person", "nguoi", "moi nguoi",
                     "thanh vien", "moi thanh vien"), "per_member"),
    **dict.fromkeys(("day", "per day", "ngay", "moi ngay", "ngay cong", "ngay lam viec"),
                    "per_day"),
    **dict.fromkeys(("cap", "max", "maximum", "tran", "muc tran", "toi da"), "cap"),
}
_OFF = frozenset({"off", "none", "tat", "xoa", "khong", "huy"})
_UNIT = re.compile(r"^(.*?)(k|nghin|ngan|tr|trieu|d|dong|vnd)?$")


def parse_amount(word: str) -> int | None:
    """"600000", "600.000", "600,000", "600k", "1,5tr", "50000đ" → đồng; None if not one."""
    match = _UNIT.match(fold(word).replace("đ", "d"))
    if match is None:
        return None
    number, unit = str(match[1]), str(match[2] or "")
    multiplier: int = {"k": 1_000, "nghin": 1_000, "ngan": 1_000, "tr": 1_000_000,
                  "trieu": 1_000_000}.get(unit, 1)
    if re.fullmatch(r"\d{1,3}([.,]\d{3})+|\d+", number):
        return int(re.sub(r"[.,]", "", number)) * multiplier
    if multiplier > 1 and (decimal := re.fullmatch(r"(\d+)[.,](\d{1,3})", number)):
        whole, fraction = int(decimal[1]), str(decimal[2])
        scale: int = 10 ** len(fraction)
        if int(fraction) * multiplier % scale == 0:
            return whole * multiplier + int(fraction) * multiplier // scale
    return None


def parse_rule(text: str) -> AllowanceRule:
    """``team 600000`` · ``member 60k day 150k`` · ``day 50.000 cap 300.000`` · ``off``.

    Keywords in either language, before their amount; what is typed is the whole rule (parts
    not named are zero).
    """
    words = text.split()
    if len(words) == 1 and fold(words[0]) in _OFF:
        return AllowanceRule()
    found: dict[str, int] = {}
    pending: list[str] = []
    for word in words:
        for piece in filter(None, re.split(r"[=:]", word)):
            amount = parse_amount(piece)
            if amount is None:
                pending.append(piece)
                continue
            key = _KEYWORDS.get(fold(" ".join(pending)).strip("/ "))
            if key is None:
                raise AllowanceInputError("unknown_part", value=" ".join(pending)[:30] or piece)
            if key in found:
                raise AllowanceInputError("twice", value=" ".join(pending)[:30])
            if amount > MAX_AMOUNT:
                raise AllowanceInputError("too_large", limit=MAX_AMOUNT)
            found[key] = amount
            pending = []
    if pending:
        raise AllowanceInputError("missing_amount", value=" ".join(pending)[:30])
    if not found:
        raise AllowanceInputError("usage")
    cap = found.pop("cap", None)
    if cap == 0:
        raise AllowanceInputError("zero_cap")
    rule = AllowanceRule(cap=cap, **found)
    if rule.empty:
        raise AllowanceInputError("nothing_paid")
    return rule
