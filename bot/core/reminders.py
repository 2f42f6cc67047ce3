"""Who is reminded of what in a week — one message per person, at most once a week.

* A member who has logged nothing this week gets a nudge, unless they paused reminders.
* A team leader hears which of their members are silent (and which are paused — on leave, not
  silent).
* A commune coordinator hears which of their commune's teams are silent: no member logged
  anything, and at least one member is not paused.

Everything a person is told goes into one message (a leader who is silent themselves gets the
nudge and the list together), and anyone already reminded this week is skipped, so nobody is
nudged twice in a week. A paused person gets nothing at all.

Pure: the figures come in, ``today`` is passed in.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from datetime import date

from bot.core.natural_sort import natural_key
from bot.core.pause import is_paused


@dataclass(frozen=True)
class Person:
    member_id: int
    name: str
    team_id: int | None
    paused_until: date | None = None


@dataclass(frozen=True)
class TeamInfo:
    team_id: int
    name: str
    commune_code: str


@dataclass(frozen=True)
class TeamNote:
    team_id: int
    team_name: str
    silent: tuple[str, ...]
    paused: tuple[tuple[str, date], ...]


@dataclass(frozen=True)
class CommuneNote:
    commune_code: str
    silent_teams: tuple[str, ...]   # natural order
    teams: int                      # teams with members


@dataclass(frozen=True)
class Reminder:
    member_id: int
    nudge: bool
    teams: tuple[TeamNote, ...] = ()
    communes: tuple[CommuneNote, ...] = ()

    @property
    def only_nudge(self) -> bool:
        """A plain nudge: dropped if the member logs before it goes (quiet hours)."""
        return self.nudge and not self.teams and not self.communes


def plan_week(members: Sequence[Person], logged: AbstractSet[int],
              leaders: Iterable[tuple[int, int]], coordinators: Iterable[tuple[int, str]],
              teams: Mapping[int, TeamInfo], today: date,
              already: AbstractSet[int] = frozenset()) -> list[Reminder]:
    """``leaders``: (member id, team id); ``coordinators``: (member id, commune code) — a pair
    given twice (one row per linked chat) counts once; ``already``: members reminded earlier
    this week. In order of member id."""
    paused = {m.member_id for m in members if is_paused(m.paused_until, today)}
    by_team: dict[int, list[Person]] = {}
    for member in members:
        if member.team_id is not None:
            by_team.setdefault(member.team_id, []).append(member)

    team_notes: dict[int, list[TeamNote]] = {}
    for leader_id, team_id in dict.fromkeys(leaders):
        own = [m for m in by_team.get(team_id, []) if m.member_id != leader_id]
        silent = tuple(m.name for m in own
                       if m.member_id not in logged and m.member_id not in paused)
        if silent and team_id in teams:
            team_notes.setdefault(leader_id, []).append(TeamNote(
                team_id, teams[team_id].name, silent,
                tuple((m.name, m.paused_until) for m in own
                      if m.member_id in paused and m.paused_until is not None)))

    commune_notes: dict[int, list[CommuneNote]] = {}
    for coordinator_id, commune in dict.fromkeys(coordinators):
        staffed = [t for t in teams.values()
                   if t.commune_code == commune and by_team.get(t.team_id)]
        silent_teams = [t.name for t in staffed if _silent(by_team[t.team_id], logged, paused)]
        if silent_teams:
            commune_notes.setdefault(coordinator_id, []).append(CommuneNote(
                commune, tuple(sorted(silent_teams, key=natural_key)), len(staffed)))

    nudged = {m.member_id for m in members
              if m.team_id is not None and m.member_id not in logged}
    everyone = sorted(nudged | set(team_notes) | set(commune_notes))
    return [
        Reminder(member_id, member_id in nudged,
                 tuple(sorted(team_notes.get(member_id, []),
                              key=lambda n: natural_key(n.team_name))),
                 tuple(commune_notes.get(member_id, [])))
        for member_id in everyone
        if member_id not in paused and member_id not in already
    ]


def _silent(team: list[Person], logged: AbstractSet[int], paused: set[int]) -> bool:
    """Nobody logged, and somebody could have (a team all on leave is not silent)."""
    return (not any(m.member_id in logged for m in team)
            and any(m.member_id not in paused for m in team))
