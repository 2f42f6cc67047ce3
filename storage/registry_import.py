"""Applying a validated registry plan: all-or-nothing, upserting on natural keys.

Re-importing the same file changes nothing: teams are matched by (commune, name without
diacritics), members by phone number or else by (team, name). A dry run goes through exactly
the same steps inside a transaction that is then rolled back, so its counts are the real ones.
"""

from __future__ import annotations

from datetime import datetime

import aiosqlite
from pydantic import BaseModel

from bot.core.registry.plan import RegistryPlan, RowError
from storage import registry_bulk
from storage.db import Database
from storage.geography import load_official_geography
from storage.repos import Repos
from storage.target_import import apply_targets


class ImportSummary(BaseModel):
    applied: bool = False
    #: The pending import was already applied (or cancelled): nothing was done this time.
    already_applied: bool = False
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


class _AlreadyApplied(Exception):
    """Raised to roll back when the confirmed pending import is no longer there."""


class _DryRun(Exception):
    """Raised to roll back a dry run after counting."""


class _Rejected(Exception):
    """Raised to roll back when rows fail against the database (unknown team or category)."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__(len(errors))
        self.errors = errors


async def import_plan(db: Database, plan: RegistryPlan, *, province_code: str, now: datetime,
                      actor: int | None = None, dry_run: bool = False,
                      source: str = "", pending_token: str | None = None) -> ImportSummary:
    """Apply (or with ``dry_run`` only count) a checked registry, in one transaction.

    ``pending_token``: the confirmed pending import this applies; it is taken in the same
    transaction, so a crash leaves both the import and its pending confirmation, or neither,
    and a second Confirm (a double tap, a replay after a restart) finds it gone and applies
    nothing (``summary.already_applied``).
    """
    if not plan.ok:
        return ImportSummary(errors=plan.errors)
    summary = ImportSummary()
    try:
        async with db.write() as conn:
            if pending_token is not None and not await Repos(conn).pending_imports.take(
                    pending_token):
                raise _AlreadyApplied
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
    except _AlreadyApplied:
        return ImportSummary(already_applied=True)
    except _Rejected as rejected:
        return ImportSummary(errors=rejected.errors)
    summary.applied = True
    return summary


async def _apply(conn: aiosqlite.Connection, plan: RegistryPlan, summary: ImportSummary,
                 province_code: str, now: datetime) -> None:
    await load_official_geography(conn, province_code)
    counts = registry_bulk.Counts()
    team_ids = await registry_bulk.upsert_teams(conn, plan.teams, now, counts)
    summary.promoted = await registry_bulk.upsert_members(conn, plan.members, team_ids,
                                                          province_code, now, counts)
    summary.teams_new, summary.teams_changed = counts.teams_new, counts.teams_changed
    summary.members_new, summary.members_changed = counts.members_new, counts.members_changed
    summary.roles_new, summary.unchanged = counts.roles_new, counts.unchanged
