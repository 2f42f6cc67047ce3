"""The export's steering sheets: completeness for the period, and one allowance sheet a month.

The allowance sheet is the record a province pays its teams on, so an auditor must be able to
recompute every amount from what is on it: the rule in force that month (who set it, from
when), the method step by step, then per member the days on duty (distinct days with at least
one session), sessions and citizens, and the parts of their amount; per team its totals and its
own part. Amounts are whole đồng (:mod:`bot.core.allowance`).

Pure apart from writing: rows already read come in, rows go out to the streaming workbook
(:mod:`bot.core.xlsx_stream`), a chunk at a time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from bot.core.allowance import AllowanceRule, TeamAmount, team_amount
from bot.core.completeness import Completeness, TeamActivity
from bot.core.xlsx_stream import (
    BOLD,
    BOLD_DONG,
    BOLD_PERCENT,
    DONG,
    PERCENT,
    PLAIN,
    StreamingWorkbook,
)
from storage.repos.activity import DutyRow
from storage.repos.allowance import StoredRule

Label = Callable[..., str]
Money = Callable[[int], str]

#: How many rows a writer writes between two reports of its progress.
CHUNK = 5_000


@dataclass(frozen=True)
class SignOff:
    """Who approved a commune's month, and when (the month is locked while it stands)."""

    by: str
    on: date


@dataclass(frozen=True)
class AllowanceMonth:
    month: date                    # the first day
    rows: Sequence[DutyRow]        # in sheet order: commune, team, member (natural order)
    rule: StoredRule | None
    through: date | None = None    # the month is still running: figures up to this day
    #: Commune name → its standing approval; a commune of the rows not in it is not approved.
    approvals: Mapping[str, SignOff] = field(default_factory=dict)


@dataclass(frozen=True)
class TeamBlock:
    """A team's members (in order) and what the rule makes of their month."""

    rows: tuple[DutyRow, ...]
    amount: TeamAmount | None


def team_blocks(rows: Sequence[DutyRow], rule: AllowanceRule | None) -> list[TeamBlock]:
    """Consecutive rows of one team make a block; each block is computed on its own."""
    groups: list[list[DutyRow]] = []
    for row in rows:
        if groups and groups[-1][0].team_id == row.team_id:
            groups[-1].append(row)
        else:
            groups.append([row])
    return [TeamBlock(tuple(g), team_amount(rule, [r.days for r in g], [r.monthly for r in g])
                      if rule else None)
            for g in groups]


def rule_lines(label: Label, money: Money, rule: AllowanceRule) -> list[str]:
    """The rule in words, one part a line (used by /allowance too)."""
    lines = []
    if rule.per_team:
        lines.append(label("allowance.part_team", amount=money(rule.per_team)))
    if rule.per_member:
        lines.append(label("allowance.part_member", amount=money(rule.per_member)))
    if rule.per_day:
        lines.append(label("allowance.part_day", amount=money(rule.per_day)))
    if rule.cap is not None:
        lines.append(label("allowance.part_cap", amount=money(rule.cap)))
    return lines


# ------------------------------------------------------------------------------ allowance sheet

def approval_lines(data: AllowanceMonth, label: Label,
                   date_text: Callable[[date], str]) -> list[str]:
    """Per commune on the sheet: approved by whom and when, or plainly not approved."""
    communes: list[str] = []
    for row in data.rows:
        if not communes or communes[-1] != row.commune_name:
            communes.append(row.commune_name)
    lines = []
    for name in communes:
        signed = data.approvals.get(name)
        lines.append(label("approve.sheet_approved", commune=name, who=signed.by,
                           when=date_text(signed.on)) if signed is not None
                     else label("approve.sheet_not_approved", commune=name))
    return lines


def allowance_sheet(workbook: StreamingWorkbook, data: AllowanceMonth, title: str, label: Label,
                    money: Money, date_text: Callable[[date], str]) -> Iterator[int]:
    """Write the month's allowance sheet, yielding the rows written after each chunk."""
    rule = data.rule.rule if data.rule else None
    preamble: list[str] = []
    if data.rule is None or rule is None:
        preamble.append(label("allowance.sheet_no_rule"))
    else:
        preamble.append(label("allowance.sheet_rule", parts="; ".join(
            rule_lines(label, money, rule))))
        preamble.append(label("allowance.sheet_rule_from", month=f"{data.rule.from_month:%m/%Y}",
                              who=data.rule.set_by_name or label("audit.system"),
                              when=date_text(data.rule.set_at.date())))
        preamble += [label(f"allowance.method_{step}") for step in (1, 2, 3, 4)]
    preamble.append(label("allowance.sheet_days"))
    preamble += approval_lines(data, label, date_text)
    if data.through is not None:
        preamble.append(label("allowance.sheet_partial", day=date_text(data.through)))
    header_row = 1 + len(preamble) + 2  # the title, the preamble, a blank line, the header
    out = workbook.sheet(label("allowance.sheet", month=f"{data.month:%Y-%m}"),
                         widths=[22, 16, 26, 12, 10, 12, 14, 14, 16, 14, 16], freeze=header_row)
    out.title(title)
    for line in preamble:
        out.append([line])
    out.append([])
    header = [label("export.col.commune"), label("export.col.team"), label("export.col.member"),
              label("allowance.col.days"), label("allowance.col.sessions"),
              label("export.col.citizens")]
    if rule is not None:
        header += [label("allowance.col.monthly"), label("allowance.col.daily"),
                   label("allowance.col.adjustment"), label("allowance.col.team_part"),
                   label("allowance.col.amount")]
    out.header(header)
    # The amounts (from the 7th column) in whole đồng with thousands separators.
    plain = [PLAIN] * 6 + [DONG] * (len(header) - 6)
    bold = [BOLD] * 6 + [BOLD_DONG] * (len(header) - 6)
    grand = [0] * (len(header) - 3)
    written = 0
    for block in team_blocks(data.rows, rule):
        numbers: list[int] = [sum(r.days for r in block.rows),
                              sum(r.sessions for r in block.rows),
                              sum(r.citizens for r in block.rows)]
        if block.amount is not None:
            members = block.amount.members
            numbers += [sum(m.monthly for m in members), sum(m.daily for m in members),
                        sum(m.adjustment for m in members), block.amount.team_part,
                        block.amount.total]
        for index, row in enumerate(block.rows):
            cells: list[object] = [row.commune_name, row.team_name, row.member_name, row.days,
                                   row.sessions, row.citizens]
            if block.amount is not None:
                part = block.amount.members[index]
                cells += [part.monthly, part.daily, part.adjustment, None, part.total]
            out.styled(cells, plain)
        first = block.rows[0]
        out.styled([first.commune_name, first.team_name,
                     label("allowance.team_total", members=len(block.rows)), *numbers], bold)
        grand = [g + v for g, v in zip(grand, numbers, strict=True)]
        written += len(block.rows)
        if written >= CHUNK:
            yield written
            written = 0
    if data.rows:
        out.styled(["", "", label("export.col.total"), *grand], bold)
    yield written


# ------------------------------------------------------------------------------ completeness

def completeness_sheet(workbook: StreamingWorkbook, communes: Sequence[Completeness], title: str,
                       label: Label, on_time_days: int = 3,
                       teams: Sequence[TeamActivity] = ()) -> Iterator[int]:
    """One row per commune (natural order) and a total: teams expected and reporting, members
    and those active, the teams silent for two weeks or more and the sessions on time; then,
    below, one row per team with its members, sessions and sessions on time. Yields the rows
    written."""
    out = workbook.sheet(label("steering.sheet"),
                         widths=[22, 12, 12, 10, 12, 12, 10, 12, 60, 12, 12, 10], freeze=3)
    out.title(title)
    out.append([label("steering.sheet_note", days=on_time_days)])
    out.header([label("export.col.commune"), label("steering.col.teams_expected"),
                label("steering.col.teams_reported"), label("steering.col.teams_share"),
                label("steering.col.members"), label("steering.col.members_active"),
                label("steering.col.members_share"), label("steering.col.silent_count"),
                label("steering.col.silent_teams"), label("steering.col.sessions"),
                label("steering.col.on_time"), label("steering.col.on_time_share")])
    # The shares (4th, 7th and 12th columns) in percent.
    plain = [PLAIN, PLAIN, PLAIN, PERCENT, PLAIN, PLAIN, PERCENT, PLAIN, PLAIN, PLAIN, PLAIN,
             PERCENT]
    for c in communes:
        out.styled(_completeness_cells(c), plain)
    if len(communes) > 1:
        total = Completeness(
            name=label("export.col.total"),
            teams_expected=sum(c.teams_expected for c in communes),
            teams_reported=sum(c.teams_reported for c in communes),
            members=sum(c.members for c in communes),
            members_active=sum(c.members_active for c in communes),
            silent_teams=(), sessions=sum(c.sessions for c in communes),
            on_time=sum(c.on_time for c in communes))
        cells = _completeness_cells(total)
        cells[7] = sum(len(c.silent_teams) for c in communes)
        out.styled(cells, [BOLD_PERCENT if s == PERCENT else BOLD for s in plain])
    yield len(communes)
    if not teams:
        return
    out.append([])
    out.styled([label("export.col.commune"), label("export.col.team"),
                label("steering.col.members"), label("steering.col.members_active"),
                label("steering.col.sessions"), label("steering.col.on_time"),
                label("steering.col.on_time_share")], [BOLD] * 7)
    team_style = [PLAIN] * 6 + [PERCENT]
    for written, t in enumerate(teams, start=1):
        out.styled([t.commune_name, t.team_name, t.members, t.active_members, t.sessions,
                    t.on_time, t.on_time / t.sessions if t.sessions else 0], team_style)
        if written % CHUNK == 0:
            yield CHUNK
    yield len(teams) % CHUNK


def _completeness_cells(c: Completeness) -> list[object]:
    return [c.name, c.teams_expected, c.teams_reported,
            c.teams_reported / c.teams_expected if c.teams_expected else 0,
            c.members, c.members_active, c.members_active / c.members if c.members else 0,
            len(c.silent_teams), ", ".join(c.silent_teams), c.sessions, c.on_time,
            c.on_time / c.sessions if c.sessions else 0]
