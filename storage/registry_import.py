"""Applying a validated registry plan: all-or-nothing, upserting on natural keys.

Re-importing the same file changes nothing: teams are matched by (commune, name without
diacritics), members by phone number or else by (team, name). A dry run goes through exactly
the same steps inside a transaction that is then rolled back, so its counts are the real ones.
"""

from __future__ import annotations

from datetime import datetime

import aiosqlite
from pydantic import BaseModel

from bot.core.registry.validate import MemberRecord, RegistryPlan, RowError
from storage.db import Database
from storage.geography import load_official_geography
from storage.repos import Repos
from storage.target_import import apply_targets


class ImportSummary(BaseModel):
    applied: bool = False
    teams_new: int = 0
    teams_changed: int = 0
    members_new: int = 0
    members_changed: int = 0
    roles_new: int = 0
    unchanged: int = 0
    #: Targets set, changed or removed by the file's targets sheet.
    targets: int = 0
    #: Members who got a new role: their command menus need refreshing.
    promoted: list[int] = []
    errors: list[RowError] = []

    @property
    def changes(self) -> int:
        return (self.teams_new + self.teams_changed + self.members_new + self.members_changed
                + self.roles_new + self.targets)


class _DryRun(Exception):
    """Raised to roll back a dry run after counting."""


class _Rejected(Exception):
    """Raised to roll back when rows fail against the database (unknown team or category)."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__(len(errors))
        self.errors = errors


async def import_plan(db: Database, plan: RegistryPlan, *, province_code: str, now: datetime,
                      actor: int | None = None, dry_run: bool = False,
                      source: str = "") -> ImportSummary:
    if not plan.ok:
        return ImportSummary(errors=plan.errors)
    summary = ImportSummary()
    try:
        async with db.write() as conn:
            await _apply(conn, plan, summary, province_code, now)
            if plan.targets:
                summary.targets, errors = await apply_targets(Repos(conn), plan.targets,
                                                              province_code, now, actor)
                if errors:
                    raise _Rejected(errors)
            if dry_run:
                raise _DryRun
            await Repos(conn).audit.record(
                actor=actor, action="registry.import", target=source or None, now=now,
                teams_new=summary.teams_new, teams_changed=summary.teams_changed,
                members_new=summary.members_new, members_changed=summary.members_changed,
                roles_new=summary.roles_new, targets=summary.targets,
            )
    except _DryRun:
        return summary
    except _Rejected as rejected:
        return ImportSummary(errors=rejected.errors)
    summary.applied = True
    return summary


async def _apply(conn: aiosqlite.Connection, plan: RegistryPlan, summary: ImportSummary,
                 province_code: str, now: datetime) -> None:
    repos = Repos(conn)
    await load_official_geography(conn, province_code)
    team_ids: dict[tuple[str, str], int] = {}
    for team in plan.teams:
        upserted_id, change = await repos.teams.upsert(
            commune_code=team.commune_code, name=team.name, kind=team.kind,
            former_district=team.former_district, former_commune=team.former_commune, now=now,
        )
        team_ids[team.key] = upserted_id
        summary.teams_new += change == "new"
        summary.teams_changed += change == "changed"
        summary.unchanged += change == "same"
    for record in plan.members:
        team_id: int | None = team_ids[record.team_key] if record.team_key else None
        member_id = await _upsert_member(repos, record, team_id, summary, now)
        if await repos.access.grant_role(
            member_id=member_id, role=record.role, team_id=team_id,
            commune_code=record.commune_code, province_code=province_code, granted_by=None,
            now=now,
        ):
            summary.roles_new += 1
            summary.promoted.append(member_id)


async def _upsert_member(repos: Repos, record: MemberRecord, team_id: int | None,
                         summary: ImportSummary, now: datetime) -> int:
    existing = (await repos.members.by_phone(record.phone) if record.phone
                else await repos.members.by_name_in_team(team_id, record.full_name))
    if existing is None:
        summary.members_new += 1
        return await repos.members.create(full_name=record.full_name, team_id=team_id,
                                          phone=record.phone, language=record.language, now=now)
    if await repos.members.update_fields(existing.id, full_name=record.full_name,
                                         team_id=team_id, phone=record.phone,
                                         language=record.language, now=now):
        summary.members_changed += 1
    else:
        summary.unchanged += 1
    return existing.id
