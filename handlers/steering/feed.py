"""The feed for the level above: the province's figures per commune × category × month, as CSV
and JSON with a versioned schema (docs/feed-v1.md). Places and categories by their codes and
names; nobody's name or chat id, ever.

Read from the same roll-ups and the same completeness code as the chat's /stats and /export:
``teams_expected``, ``members`` and the communes listed are the registry of each month (teams
and memberships of that month, not today's). ``on_time_share`` is the commune's month's share of
sessions logged within ON_TIME_DAYS of their date (all categories: the same on each of its
rows); null when the commune logged nothing that month — "not measured", never 0.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from typing import Any

from bot.core import calendar as periods
from bot.core.completeness import Completeness, TeamActivity, summarise
from bot.core.permissions import Scope
from handlers.kit.context import Services

SCHEMA = "tocns-feed/1"
#: The columns, in order (CSV header, JSON keys of each row).
COLUMNS = ("month", "province_code", "commune_code", "commune_name", "category_code",
           "sessions", "citizens", "teams_reporting", "teams_expected", "members_active",
           "members", "on_time_share")
#: The most months one request may ask for.
MAX_MONTHS = 24


def month_range(first: date, last: date) -> list[date]:
    """The first days of the months from ``first`` to ``last`` (both included, at most
    :data:`MAX_MONTHS`)."""
    return periods.Period(first.replace(day=1), last, "range").months()[:MAX_MONTHS]


async def feed_rows(services: Services, months: list[date]) -> list[dict[str, Any]]:
    """Every commune with teams in the month × every category × each month, zeros included."""
    read = services.read
    province = services.settings.province_code
    categories = await read.categories.all()
    rows: list[dict[str, Any]] = []
    for first in months:
        month = periods.month(first.year, first.month)
        cells = {(c.commune_code, c.category_id): c
                 for c in await read.tallies.feed_cells(province, month.start, month.end)}
        teams = await read.activity.team_activity(Scope(province), month.start, month.end,
                                                  services.settings.on_time_days)
        for code, commune in sorted(_communes(teams, month.end).items()):
            share = (round(commune.on_time / commune.sessions, 4) if commune.sessions
                     else None)
            for category in categories:
                cell = cells.get((code, category.id))
                if cell is None and not category.active:
                    continue
                rows.append({
                    "month": f"{first:%Y-%m}", "province_code": province,
                    "commune_code": code, "commune_name": commune.name,
                    "category_code": category.code,
                    "sessions": cell.sessions if cell else 0,
                    "citizens": cell.citizens if cell else 0,
                    "teams_reporting": cell.teams_reporting if cell else 0,
                    "teams_expected": commune.teams_expected,
                    "members_active": cell.members_active if cell else 0,
                    "members": commune.members,
                    "on_time_share": share,
                })
    return rows


def _communes(teams: list[TeamActivity], end: date) -> dict[str, Completeness]:
    """Each commune's completeness of the month, by code (as the chat sums it per commune)."""
    grouped: dict[str, list[TeamActivity]] = {}
    for team in teams:
        grouped.setdefault(team.commune_code, []).append(team)
    return {code: summarise(group[0].commune_name, group, end)
            for code, group in grouped.items()}


def as_json(rows: list[dict[str, Any]], months: list[date], generated_at: str) -> bytes:
    body = {"schema": SCHEMA, "generated_at": generated_at,
            "months": [f"{m:%Y-%m}" for m in months], "columns": list(COLUMNS), "rows": rows}
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def as_csv(rows: list[dict[str, Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow(["" if row[c] is None else row[c] for c in COLUMNS])
    # A BOM so that a spreadsheet opens the Vietnamese commune names as UTF-8.
    return ("\ufeff" + out.getvalue()).encode("utf-8")
