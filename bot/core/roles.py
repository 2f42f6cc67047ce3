"""Roles a person can hold, ordered by rank."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    MEMBER = "member"
    TEAM_LEADER = "team_leader"
    COMMUNE_COORDINATOR = "commune_coordinator"
    PROVINCE_COORDINATOR = "province_coordinator"
    ADMIN = "admin"

    @property
    def rank(self) -> int:
        return _RANK[self]


_RANK = {role: i for i, role in enumerate(Role)}
