"""Who may do what, where: one table drives every command.

A person's rights are a set of grants (role + scope). Plain membership of a team is a grant of
``Role.MEMBER`` on that team. An action is allowed when some grant's role lists the action and
the grant's scope contains the target: a commune coordinator's scope (province 92, commune
31441) contains every team of that commune and nothing else. Pure: no I/O, no telegram.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

from bot.core.roles import Role


class Action(StrEnum):
    VIEW_PROFILE = "view_profile"
    LOG_SESSION = "log_session"
    VIEW_OWN_ACTIVITY = "view_own_activity"
    VIEW_TEAM = "view_team"
    INVITE_MEMBER = "invite_member"
    INVITE_TEAM_LEADER = "invite_team_leader"
    INVITE_COMMUNE_COORDINATOR = "invite_commune_coordinator"
    INVITE_PROVINCE_COORDINATOR = "invite_province_coordinator"
    INVITE_ADMIN = "invite_admin"
    VIEW_DIGEST = "view_digest"
    VIEW_STATS = "view_stats"
    EXPORT = "export"
    BROADCAST = "broadcast"
    MANAGE_PEOPLE = "manage_people"
    IMPORT_REGISTRY = "import_registry"
    MANAGE_SCHEDULE = "manage_schedule"
    MANAGE_CATEGORIES = "manage_categories"
    VIEW_AUDIT = "view_audit"
    #: Erasing someone else's personal data on their request (everyone may erase their own).
    ERASE_PERSONAL_DATA = "erase_personal_data"
    PAUSE_REMINDERS = "pause_reminders"
    #: Pausing (and resuming) someone else's reminders: a leader's member on sick leave.
    PAUSE_MEMBER = "pause_member"
    SET_TARGETS = "set_targets"
    MANAGE_ALLOWANCE = "manage_allowance"
    VIEW_STATUS = "view_status"  # the bot's health (/status): admins only
    #: Signing off a past month of a commune (its coordinator) or of the province.
    APPROVE_MONTH = "approve_month"
    #: Lifting an approval (and so the lock on the month), with a reason.
    REOPEN_MONTH = "reopen_month"
    #: Confirming or rejecting flagged sessions of one's team or commune (/review).
    REVIEW_SESSIONS = "review_sessions"
    #: The plausibility limits (/rules) and which categories ask for a photo.
    MANAGE_RULES = "manage_rules"


_MEMBER = frozenset({Action.VIEW_PROFILE, Action.LOG_SESSION, Action.VIEW_OWN_ACTIVITY,
                     Action.PAUSE_REMINDERS})
_LEADER = _MEMBER | {Action.VIEW_TEAM, Action.INVITE_MEMBER, Action.PAUSE_MEMBER,
                     Action.REVIEW_SESSIONS}
_COMMUNE = _LEADER | {
    Action.INVITE_TEAM_LEADER, Action.VIEW_DIGEST, Action.VIEW_STATS, Action.EXPORT,
    Action.BROADCAST, Action.MANAGE_PEOPLE, Action.APPROVE_MONTH,
}
_PROVINCE = _COMMUNE | {Action.INVITE_COMMUNE_COORDINATOR, Action.VIEW_AUDIT,
                        Action.SET_TARGETS, Action.REOPEN_MONTH}
_ADMIN = frozenset(Action)

#: The table. Each role's actions, valid within the scope of the grant that carries the role.
PERMISSIONS: dict[Role, frozenset[Action]] = {
    Role.MEMBER: _MEMBER,
    Role.TEAM_LEADER: _LEADER,
    Role.COMMUNE_COORDINATOR: _COMMUNE,
    Role.PROVINCE_COORDINATOR: _PROVINCE,
    Role.ADMIN: _ADMIN,
}

#: Inviting someone with a role is its own action, so the same table decides it.
INVITE_ACTION: dict[Role, Action] = {
    Role.MEMBER: Action.INVITE_MEMBER,
    Role.TEAM_LEADER: Action.INVITE_TEAM_LEADER,
    Role.COMMUNE_COORDINATOR: Action.INVITE_COMMUNE_COORDINATOR,
    Role.PROVINCE_COORDINATOR: Action.INVITE_PROVINCE_COORDINATOR,
    Role.ADMIN: Action.INVITE_ADMIN,
}


@dataclass(frozen=True)
class Scope:
    """A place in the hierarchy. ``None`` fields are "any": ``Scope()`` is everywhere."""

    province: str | None = None
    commune: str | None = None
    team: int | None = None

    def contains(self, other: Scope) -> bool:
        return all(
            mine is None or mine == theirs
            for mine, theirs in (
                (self.province, other.province),
                (self.commune, other.commune),
                (self.team, other.team),
            )
        )

    @classmethod
    def everywhere(cls) -> Scope:
        return cls()


@dataclass(frozen=True)
class Grant:
    role: Role
    scope: Scope


def can(grants: Iterable[Grant], action: Action, target: Scope) -> bool:
    return any(action in PERMISSIONS[g.role] and g.scope.contains(target) for g in grants)


def can_somewhere(grants: Iterable[Grant], action: Action) -> bool:
    """Whether the action is open to this person at all (for menus and /help)."""
    return any(action in PERMISSIONS[g.role] for g in grants)


def lowest_role_for(action: Action) -> Role:
    """The least role that may do this: a refusal says who can."""
    return min((role for role, actions in PERMISSIONS.items() if action in actions),
               key=lambda role: role.rank)


def highest_role(grants: Iterable[Grant]) -> Role | None:
    roles = [g.role for g in grants]
    return max(roles, key=lambda role: role.rank) if roles else None


def can_invite(grants: Iterable[Grant], role: Role, target: Scope) -> bool:
    return can(grants, INVITE_ACTION[role], target)


# --- roles and the places they are granted on ------------------------------------------------

ScopeKind = Literal["team", "commune", "province", "all"]


def grant_scope(role: Role, *, team_id: int | None, commune_code: str | None,
                province_code: str | None) -> tuple[ScopeKind, str] | None:
    """How a role is stored as a grant: (scope kind, id). None for a member, whose membership
    of a team is the grant."""
    if role is Role.MEMBER:
        return None
    if role is Role.TEAM_LEADER:
        return ("team", str(team_id))
    if role is Role.COMMUNE_COORDINATOR:
        return ("commune", str(commune_code))
    if role is Role.PROVINCE_COORDINATOR:
        return ("province", str(province_code))
    return ("all", "*")


def role_target(role: Role, team: Scope | None, province: str) -> Scope | None:
    """Where ``role`` would apply for a person of ``team``; None if it cannot apply to them
    (a team leader or commune coordinator must belong to a team)."""
    if role is Role.MEMBER:
        return team if team is not None else Scope(province)
    if role in (Role.PROVINCE_COORDINATOR, Role.ADMIN):
        return Scope(province)
    if team is None:
        return None
    if role is Role.TEAM_LEADER:
        return team
    return Scope(team.province, team.commune)
