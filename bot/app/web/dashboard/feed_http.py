"""The feed and the dashboard's files over HTTP: what the dashboard's download and the
collectors' API (:mod:`bot.app.web.dashboard.api`) both answer with."""

from __future__ import annotations

from datetime import date, datetime

from aiohttp import web

from bot.app.web.dashboard.render import download
from bot.app.web.responses import content_disposition
from bot.core.web_access import current
from handlers.kit.context import Services
from handlers.steering import feed


def attachment(filename: str) -> str:
    return content_disposition("attachment", filename)


def _month(text: str | None) -> date | None:
    if not text or len(text) != 7:
        return None
    try:
        return date(int(text[:4]), int(text[5:]), 1) if text[4] == "-" else None
    except ValueError:
        return None


async def feed_response(services: Services, request: web.Request, today: date,
                        now: datetime) -> web.StreamResponse:
    """The feed for ``?from=YYYY-MM&to=YYYY-MM`` (this month alone by default) in the format of
    the path's suffix; 400 for a malformed or future range."""
    this_month = today.replace(day=1)
    first = _month(request.query.get("from")) if "from" in request.query else this_month
    last = _month(request.query.get("to")) if "to" in request.query else first
    if first is None or last is None or last < first or last > this_month:
        return web.json_response({"error": "from/to: YYYY-MM, from <= to <= this month"},
                                 status=400, headers={"Cache-Control": "no-store"})
    months = feed.month_range(first, current("month", last).end)
    rows = await feed.feed_rows(services, months)
    stamp = now.strftime("%Y-%m-%dT%H:%M:%SZ")
    name = f"tocns-feed-v1-{services.settings.province_code}-{months[0]:%Y-%m}-{months[-1]:%Y-%m}"
    if request.path.endswith(".csv"):
        return download(feed.as_csv(rows), "text/csv; charset=utf-8", attachment(f"{name}.csv"))
    return download(feed.as_json(rows, months, stamp), "application/json",
                    f'inline; filename="{name}.json"')
