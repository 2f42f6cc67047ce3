"""Applying the registry file's targets, inside the import's transaction.

The rows were checked on their own (bot/core/registry/targets_sheet.py); here what needs the
database: the category (code, label or alias, any diacritics) and the team (of this file or
already registered) must exist. Any row that does not fit fails the whole import, like every
other registry error.
"""

from __future__ import annotations

from datetime import datetime

from bot.core.registry.plan import RowError
from bot.core.registry.targets_sheet import TargetRecord
from bot.core.targets import TargetPeriod
from bot.core.text import fold
from storage.repos import Repos
from storage.repos.targets import TargetScope


async def apply_targets(repos: Repos, targets: list[TargetRecord], province_code: str,
                        now: datetime, actor: int | None) -> tuple[int, list[RowError]]:
    """(targets set, changed or removed; the rows that could not be applied)."""
    words: dict[str, int] = {}
    for category in sorted(await repos.categories.all(), key=lambda c: not c.active):
        for phrase in (category.code, *category.aliases, category.label_vi, category.label_en):
            words.setdefault(fold(phrase), category.id)
    changed = 0
    errors: list[RowError] = []
    for record in targets:
        category_id = words.get(fold(record.category)) if record.category else None
        if record.category and category_id is None:
            errors.append(RowError(sheet=record.sheet, row=record.row, column=None,
                                   code="registry.error.target_unknown_category",
                                   params={"value": record.category}))
            continue
        kind: TargetScope
        if record.commune_code is None:
            kind, scope_id = "province", province_code
        elif record.team_name is None:
            kind, scope_id = "commune", record.commune_code
        else:
            team = await repos.teams.find(record.commune_code, record.team_name)
            if team is None or not team.active:
                commune = await repos.geo.commune(record.commune_code)
                errors.append(RowError(sheet=record.sheet, row=record.row, column=None,
                                       code="registry.error.target_unknown_team",
                                       params={"team": record.team_name,
                                               "commune": commune.name if commune
                                               else record.commune_code}))
                continue
            kind, scope_id = "team", str(team.id)
        previous = await repos.targets.set(
            scope_kind=kind, scope_id=scope_id, category_id=category_id,
            period=TargetPeriod(record.period_start, record.period_kind),
            citizens=record.citizens, by=actor, now=now)
        changed += previous != record.citizens
    return changed, errors
