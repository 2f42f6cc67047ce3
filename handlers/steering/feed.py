"""The feed for the level above: the province's figures per commune × category × month, as CSV
and JSON with a versioned schema (docs/feed-v1.md). Places and categories by their codes and
names; nobody's name or chat id, ever.

Read from the same roll-ups as every figure. ``teams_expected`` and ``members`` are the registry
as it stands when the feed is read (the registry keeps no history yet). ``on_time_share`` is
null until the records carry a deadline to be on time for; a consumer must read null as "not
measured", never as 0.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from typing import Any

from bot.core import calendar as periods
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
    """Every commune with active teams × every category × each month, zeros included."""
    read = services.read
    province = services.settings.province_code
    communes = await read.teams.commune_rolls(province)
    categories = await read.categories.all()
    rows: list[dict[str, Any]] = []
    for first in months:
        month = periods.month(first.year, first.month)
        cells = {(c.commune_code, c.category_id): c
                 for c in await read.tallies.feed_cells(province, month.start, month.end)}
        for commune in communes:
            for category in categories:
                cell = cells.get((commune.code, category.id))
                if cell is None and not category.active:
                    continue
                rows.append({
                    "month": f"{first:%Y-%m}", "province_code": province,
                    "commune_code": commune.code, "commune_name": commune.name,
                    "category_code": category.code,
                    "sessions": cell.sessions if cell else 0,
                    "citizens": cell.citizens if cell else 0,
                    "teams_reporting": cell.teams_reporting if cell else 0,
                    "teams_expected": commune.teams_expected,
                    "members_active": cell.members_active if cell else 0,
                    "members": commune.members,
                    "on_time_share": None,
                })
    return rows


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
