"""The permission table, checked for every role × scope × action against an explicit spec."""

from __future__ import annotations

import pytest

from bot.core.permissions import Action, Grant, Scope, can, can_invite, lowest_role_for
from bot.core.roles import Role

A = Action
PROVINCE, OTHER_PROVINCE = "92", "79"
COMMUNE, OTHER_COMMUNE = "31441", "31321"
TEAM, SAME_COMMUNE_TEAM, OTHER_COMMUNE_TEAM = 10, 11, 20

TARGETS = {
    "own team": Scope(PROVINCE, COMMUNE, TEAM),
    "another team, same commune": Scope(PROVINCE, COMMUNE, SAME_COMMUNE_TEAM),
    "a team in another commune": Scope(PROVINCE, OTHER_COMMUNE, OTHER_COMMUNE_TEAM),
    "own commune": Scope(PROVINCE, COMMUNE),
    "another commune": Scope(PROVINCE, OTHER_COMMUNE),
    "the province": Scope(PROVINCE),
    "another province": Scope(OTHER_PROVINCE),
}

GRANTS = {
    Role.MEMBER: Grant(Role.MEMBER, Scope(PROVINCE, COMMUNE, TEAM)),
    Role.TEAM_LEADER: Grant(Role.TEAM_LEADER, Scope(PROVINCE, COMMUNE, TEAM)),
    Role.COMMUNE_COORDINATOR: Grant(Role.COMMUNE_COORDINATOR, Scope(PROVINCE, COMMUNE)),
    Role.PROVINCE_COORDINATOR: Grant(Role.PROVINCE_COORDINATOR, Scope(PROVINCE)),
    Role.ADMIN: Grant(Role.ADMIN, Scope.everywhere()),
}

# The spec, written out by hand: what each role may do ...
MEMBER = {A.VIEW_PROFILE, A.LOG_SESSION, A.VIEW_OWN_ACTIVITY, A.PAUSE_REMINDERS}
LEADER = MEMBER | {A.VIEW_TEAM, A.INVITE_MEMBER, A.PAUSE_MEMBER, A.REVIEW_SESSIONS}
COMMUNE_COORD = LEADER | {A.INVITE_TEAM_LEADER, A.VIEW_DIGEST, A.VIEW_STATS, A.EXPORT,
                          A.BROADCAST, A.MANAGE_PEOPLE, A.APPROVE_MONTH}
PROVINCE_COORD = COMMUNE_COORD | {A.INVITE_COMMUNE_COORDINATOR, A.VIEW_AUDIT, A.SET_TARGETS,
                                  A.REOPEN_MONTH}
ALLOWED_ACTIONS = {
    Role.MEMBER: MEMBER,
    Role.TEAM_LEADER: LEADER,
    Role.COMMUNE_COORDINATOR: COMMUNE_COORD,
    Role.PROVINCE_COORDINATOR: PROVINCE_COORD,
    Role.ADMIN: set(Action),
}
# ... and where.
REACH = {
    Role.MEMBER: {"own team"},
    Role.TEAM_LEADER: {"own team"},
    Role.COMMUNE_COORDINATOR: {"own team", "another team, same commune", "own commune"},
    Role.PROVINCE_COORDINATOR: set(TARGETS) - {"another province"},
    Role.ADMIN: set(TARGETS),
}


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("target", list(TARGETS))
@pytest.mark.parametrize("action", list(Action))
def test_every_role_scope_and_action(role: Role, target: str, action: Action) -> None:
    expected = action in ALLOWED_ACTIONS[role] and target in REACH[role]
    assert can([GRANTS[role]], action, TARGETS[target]) is expected


def test_a_commune_coordinator_sees_only_their_commune() -> None:
    grants = [GRANTS[Role.COMMUNE_COORDINATOR]]
    assert can(grants, A.EXPORT, TARGETS["own commune"])
    assert not can(grants, A.EXPORT, TARGETS["another commune"])
    assert not can(grants, A.EXPORT, TARGETS["the province"])


def test_grants_add_up() -> None:
    # A team leader who is also the commune's coordinator may export for the commune.
    grants = [GRANTS[Role.TEAM_LEADER], GRANTS[Role.COMMUNE_COORDINATOR]]
    assert can(grants, A.EXPORT, TARGETS["another team, same commune"])
    assert not can([GRANTS[Role.TEAM_LEADER]], A.EXPORT, TARGETS["own team"])


def test_nobody_without_grants_can_do_anything() -> None:
    assert not any(can([], action, Scope.everywhere()) for action in Action)


@pytest.mark.parametrize(("inviter", "invitee", "allowed"), [
    (Role.MEMBER, Role.MEMBER, False),
    (Role.TEAM_LEADER, Role.MEMBER, True),
    (Role.TEAM_LEADER, Role.TEAM_LEADER, False),
    (Role.COMMUNE_COORDINATOR, Role.TEAM_LEADER, True),
    (Role.COMMUNE_COORDINATOR, Role.COMMUNE_COORDINATOR, False),
    (Role.PROVINCE_COORDINATOR, Role.COMMUNE_COORDINATOR, True),
    (Role.PROVINCE_COORDINATOR, Role.PROVINCE_COORDINATOR, False),
    (Role.ADMIN, Role.ADMIN, True),
])
def test_nobody_invites_above_their_station(inviter: Role, invitee: Role, allowed: bool) -> None:
    assert can_invite([GRANTS[inviter]], invitee, TARGETS["own team"]) is allowed


def test_a_refusal_names_the_least_role_that_could() -> None:
    assert lowest_role_for(A.LOG_SESSION) is Role.MEMBER
    assert lowest_role_for(A.INVITE_MEMBER) is Role.TEAM_LEADER
    assert lowest_role_for(A.EXPORT) is Role.COMMUNE_COORDINATOR
    assert lowest_role_for(A.VIEW_AUDIT) is Role.PROVINCE_COORDINATOR
    assert lowest_role_for(A.IMPORT_REGISTRY) is Role.ADMIN
    assert lowest_role_for(A.PAUSE_REMINDERS) is Role.MEMBER
    assert lowest_role_for(A.SET_TARGETS) is Role.PROVINCE_COORDINATOR
    assert lowest_role_for(A.MANAGE_ALLOWANCE) is Role.ADMIN


def test_targets_reach_only_as_far_as_the_coordinators_province() -> None:
    province = [GRANTS[Role.PROVINCE_COORDINATOR]]
    assert can(province, A.SET_TARGETS, TARGETS["a team in another commune"])
    assert not can(province, A.SET_TARGETS, TARGETS["another province"])
    assert not can([GRANTS[Role.COMMUNE_COORDINATOR]], A.SET_TARGETS, TARGETS["own commune"])
    assert not can(province, A.MANAGE_ALLOWANCE, TARGETS["the province"])
