"""Completeness of a hand-built week, and who is reminded of what (once, paused people never)."""

from __future__ import annotations

from datetime import date, timedelta

from bot.core.completeness import TeamActivity, by_commune, percent, ranked, summarise
from bot.core.reminders import CommuneNote, Person, Reminder, TeamInfo, TeamNote, plan_week

TODAY = date(2026, 11, 23)


def _team(team_id: int, name: str, members: int, active: int, sessions: int,
          last: date | None, commune: str = "Xã A") -> TeamActivity:
    return TeamActivity(team_id=team_id, team_name=name, commune_code=commune,
                        commune_name=commune, members=members, active_members=active,
                        sessions=sessions, citizens=sessions * 2, last_date=last)


def test_completeness_of_a_hand_built_week() -> None:
    teams = [
        _team(1, "Ấp 10", 3, 2, 4, TODAY - timedelta(days=1)),
        _team(2, "Ấp 2", 2, 0, 0, TODAY - timedelta(days=20)),   # silent 20 days
        _team(3, "Ấp 3", 0, 0, 0, None),                          # no members: not expected
        _team(4, "Ấp 1", 1, 0, 0, None),                          # never logged
        _team(5, "Ấp 5", 2, 0, 0, TODAY - timedelta(days=13)),    # quiet, not yet 2 weeks
    ]
    found = summarise("Xã A", teams, TODAY)
    assert (found.teams_reported, found.teams_expected) == (1, 4)
    assert (found.members_active, found.members) == (2, 8)
    assert found.silent_teams == ("Ấp 1", "Ấp 2")
    assert (found.teams_percent, found.members_percent) == (25, 25)
    assert found.citizens == 8


def test_communes_are_ranked_by_completeness_then_members_then_volume() -> None:
    teams = [
        _team(1, "Ấp 1", 2, 1, 1, TODAY, "Xã B"), _team(2, "Ấp 2", 2, 0, 0, None, "Xã B"),
        _team(3, "Ấp 1", 2, 2, 9, TODAY, "Xã C"),
        _team(4, "Ấp 1", 2, 1, 1, TODAY, "Xã D"), _team(5, "Ấp 2", 2, 1, 1, TODAY, "Xã D"),
        _team(6, "Ấp 1", 0, 0, 0, None, "Xã E"),                  # nobody expected: not ranked
    ]
    communes = by_commune(teams, TODAY)
    assert [c.name for c in communes] == ["Xã B", "Xã C", "Xã D", "Xã E"]
    # C: 1/1 teams, 2/2 members; D: 2/2 teams, 2/4 members; B: 1/2 teams.
    assert [c.name for c in ranked(communes)] == ["Xã C", "Xã D", "Xã B"]


def test_percentages_round_half_up_and_nothing_expected_is_zero() -> None:
    assert [percent(1, 3), percent(2, 3), percent(1, 8), percent(0, 0)] == [33, 67, 13, 0]


def test_one_message_per_person_paused_people_left_alone() -> None:
    until = TODAY + timedelta(days=10)
    members = [
        Person(1, "Lê Văn Lực", 1),                              # the leader, silent too
        Person(2, "Nguyễn Thị Mai", 1),                          # logged
        Person(3, "Lê Văn Sơn", 1),
        Person(4, "Phạm Thị Hoa", 1, paused_until=until),        # on leave
        Person(5, "Trần Văn Về", 1, paused_until=TODAY - timedelta(days=1)),  # back
        Person(6, "Võ Thị Nghỉ", 2, paused_until=until),          # team 2: all on leave
        Person(7, "Đỗ Văn Im", 3),
        Person(9, "Hồ Văn Lặng", 4),
    ]
    teams = {1: TeamInfo(1, "Ấp 1", "X"), 2: TeamInfo(2, "Ấp 3", "X"),
             3: TeamInfo(3, "Ấp 10", "X"), 4: TeamInfo(4, "Ấp 2", "X")}
    plan = plan_week(members, logged={2}, leaders=[(1, 1), (1, 1)],  # two chats, one leader
                     coordinators=[(8, "X"), (8, "X")],
                     teams=teams, today=TODAY, already={3})
    assert plan == [
        Reminder(1, nudge=True, teams=(TeamNote(1, "Ấp 1", ("Lê Văn Sơn", "Trần Văn Về"),
                                                (("Phạm Thị Hoa", until),)),)),
        Reminder(5, nudge=True),
        Reminder(7, nudge=True),
        Reminder(8, nudge=False, communes=(CommuneNote("X", ("Ấp 2", "Ấp 10"), 4),)),
        Reminder(9, nudge=True),
    ]
    assert plan[1].only_nudge
    assert not plan[0].only_nudge


def test_a_paused_leader_gets_nothing_not_even_their_teams_list() -> None:
    members = [Person(1, "Lê Văn Lực", 1, paused_until=TODAY), Person(2, "Mai", 1)]
    plan = plan_week(members, logged=set(), leaders=[(1, 1)], coordinators=[],
                     teams={1: TeamInfo(1, "Ấp 1", "X")}, today=TODAY)
    assert [r.member_id for r in plan] == [2]
