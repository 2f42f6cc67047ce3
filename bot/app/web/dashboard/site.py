"""The dashboard's routes: login by a link from the chat, the pages, downloads, sessions.

    /web/login/<token>                  a one-time link from /web: opens a session, then /web/
    /web/                               the reader's own place, this month
    /web/{overview|places|trends|downloads}/<place>?p=<period>
                                        <place>: p (province), c<commune code>, t<team id>
                                        <period>: m2026-11, w2026-11-16, q2026-4
    /web/members/<id>?p=<period>        a member's figures
    /web/workbook/<place>?p=<period>    the /export workbook of that place and period
    /web/feed.csv, /web/feed.json       the feed (province coordinators and admins)
    /web/sessions                       the reader's open sessions (POST …/<id>/end to end one)
    /web/logout                         POST: end this session

Every page checks, on the server and on each request, that the session is live (not idle for
:data:`~bot.core.web_access.IDLE_TIMEOUT`), that its person still may open the dashboard (a lost
role or an erasure ends it) and that the place or member asked for lies in their scope; anything
else is the same 404 page, whatever exists. POSTs carry the session's CSRF token.
"""

from __future__ import annotations

import hmac
import logging
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Any

from aiohttp import web

from bot.app.web.dashboard import charts
from bot.app.web.dashboard.feed_http import attachment, feed_response
from bot.app.web.dashboard.render import STATIC_DIR, download, markup, page
from bot.app.web.dashboard.totals import AllowanceTotals, NotServing
from bot.app.web.dashboard.visit import Asking, Visit, client_address
from bot.app.web.responses import starting
from bot.core.calendar import local_today
from bot.core.completeness import percent
from bot.core.permissions import Scope
from bot.core.web_access import (
    IDLE_TIMEOUT,
    DashboardPeriod,
    LoginLimiter,
    current,
    device_label,
    last_months,
    last_weeks,
    neighbours,
    parse_period,
)
from handlers.kit.context import Services
from handlers.steering import dashboard as figures
from handlers.steering import feed
from handlers.steering.export import workbook_file
from handlers.steering.web_login import LOGIN_PATH
from storage.file_links import token_hash
from storage.repos import Repos

log = logging.getLogger(__name__)

COOKIE = "tocns_web"
COOKIE_PATH = "/web"
_TOKEN_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
#: How often a session's "last seen" is written: not on every page, which would be a write each.
TOUCH_EVERY = timedelta(minutes=1)
PAGES = ("overview", "places", "trends", "downloads")
#: How long a province's trend charts are kept before they are read again.
KEEP_TRENDS = timedelta(minutes=10)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class Dashboard:
    """The dashboard's routes, serving the bot ``served`` gives: in the sandbox demo the routes
    exist (the sandbox listens) before the bot does; until then every page answers 503."""

    def __init__(self, served: Callable[[], Services | None]) -> None:
        self._served = served
        self.limiter = LoginLimiter()
        self.allowances = AllowanceTotals(served)
        self._kept_trends: dict[tuple[str, date],
                                tuple[datetime, tuple[figures.Trend, figures.Trend]]] = {}

    @property
    def services(self) -> Services:
        services = self._served()
        if services is None:
            raise NotServing
        return services

    @property
    def secure(self) -> bool:
        base = self.services.settings.web_base_url
        return base is not None and base.startswith("https://")

    def routes(self) -> list[web.RouteDef]:
        return [
            web.get(LOGIN_PATH + "{token}", self._safe(self._login)),
            web.get("/web", self._safe(self._home)),
            web.get("/web/", self._safe(self._home)),
            web.get("/web/static/dashboard.css", self._css),
            *(web.get(f"/web/{name}/{{place}}", self._guarded(getattr(self, f"_{name}")))
              for name in PAGES),
            web.get("/web/members/{member}", self._guarded(self._member)),
            web.get("/web/workbook/{place}", self._guarded(self._workbook)),
            web.get("/web/feed.{fmt:csv|json}", self._guarded(self._feed)),
            web.get("/web/sessions", self._guarded(self._sessions)),
            web.post("/web/sessions/{id}/end", self._guarded(self._end_session)),
            web.post("/web/logout", self._guarded(self._logout)),
        ]

    # --- sessions ------------------------------------------------------------------------------

    def _t(self, lang: str) -> Callable[..., str]:
        def t(key: str, **params: object) -> str:
            return self.services.t(lang, key, **params)
        return t

    def _bare(self, template: str, status: int, lang: str | None = None) -> web.Response:
        lang = lang or self.services.settings.default_language
        return page(template, {"lang": lang, "t": self._t(lang)}, status=status)

    def not_found(self, visit: Visit | None = None) -> web.Response:
        return self._bare("not_found.html", 404, visit.lang if visit else None)

    async def _login(self, request: web.Request) -> web.StreamResponse:
        now = self.services.clock()
        if not self.limiter.allow(client_address(request), now):
            return self._bare("login_refused.html", 429)
        token = request.match_info["token"]
        if len(token) != 43 or not set(token) <= _TOKEN_CHARS:
            return self._bare("login_refused.html", 404)
        async with self.services.db.write() as conn:
            member_id = await Repos(conn).web.use_link(token_hash(token), now)
        caller = await figures.reader_of(self.services, member_id) if member_id else None
        if member_id is None or caller is None:
            return self._bare("login_refused.html", 404)
        cookie = secrets.token_urlsafe(32)
        device = device_label(request.headers.get("User-Agent", ""))
        async with self.services.db.write() as conn:
            repos = Repos(conn)
            await repos.web.open_session(token_hash(cookie), secrets.token_urlsafe(24),
                                         member_id, now, device)
            await repos.audit.record(actor=member_id, action="web.login", target=None, now=now,
                                     device=device)
        log.info("dashboard login")
        response = web.Response(status=303, headers={
            "Location": "/web/", "Referrer-Policy": "no-referrer",
            "Cache-Control": "private, no-store"})
        # Sent to the dashboard's paths only (not to the webhooks, file links or the API).
        response.set_cookie(COOKIE, cookie, path=COOKIE_PATH, httponly=True, samesite="Lax",
                            secure=self.secure)
        return response

    async def _visit(self, request: web.Request) -> Visit | None:
        cookie = request.cookies.get(COOKIE, "")
        if not cookie or len(cookie) > 64:
            return None
        now = self.services.clock()
        found = await self.services.read.web.session(token_hash(cookie), now - IDLE_TIMEOUT)
        if found is None:
            return None
        caller = await figures.reader_of(self.services, found.member_id)
        if caller is None:  # erased, deactivated or no longer a team leader or above
            async with self.services.db.write() as conn:
                await Repos(conn).web.end_all(found.member_id)
            return None
        if now - found.last_seen_at >= TOUCH_EVERY:
            async with self.services.db.write() as conn:
                await Repos(conn).web.touch(found.id, now)
        return Visit(found, caller, caller.lang, local_today(now, self.services.settings.tz),
                     now)

    def _safe(self, handler: Handler) -> Handler:
        """No stack trace reaches a browser: an unexpected error is the error page, logged."""
        async def safe(request: web.Request) -> web.StreamResponse:
            try:
                return await handler(request)
            except web.HTTPException:
                raise
            except NotServing:
                return starting()
            except Exception:
                log.exception("dashboard page %s failed", request.path.split("/")[2:3])
                return self._bare("error.html", 500)
        return safe

    def _guarded(self, handler: Callable[[web.Request, Visit], Awaitable[web.StreamResponse]]
                 ) -> Handler:
        async def guarded(request: web.Request) -> web.StreamResponse:
            try:
                visit = await self._visit(request)
                if visit is None:
                    return self._bare("logged_out.html", 401)
                if request.method == "POST":
                    form = await request.post()
                    sent = str(form.get("csrf", ""))
                    if not hmac.compare_digest(sent.encode(), visit.session.csrf.encode()):
                        return self._bare("not_found.html", 403, visit.lang)
                return await handler(request, visit)
            except web.HTTPException:
                raise
            except NotServing:
                return starting()
            except Exception:
                log.exception("dashboard page %s failed", request.path.split("/")[2:3])
                return self._bare("error.html", 500)
        return guarded

    async def _home(self, request: web.Request) -> web.StreamResponse:
        visit = await self._visit(request)
        if visit is None:
            return self._bare("logged_out.html", 401)
        home = figures.home_scopes(visit.caller, self.services.settings.province_code)[0]
        raise web.HTTPSeeOther(f"/web/overview/{figures.place_code(home)}")

    async def _css(self, request: web.Request) -> web.StreamResponse:
        return web.FileResponse(STATIC_DIR / "dashboard.css", headers={
            "Cache-Control": "public, max-age=3600", "X-Content-Type-Options": "nosniff"})

    async def _sessions(self, request: web.Request, visit: Visit) -> web.StreamResponse:
        mine = await self.services.read.web.sessions_of(visit.session.member_id,
                                                        visit.now - IDLE_TIMEOUT)
        tz = self.services.settings.tz
        rows = [{"id": s.id, "device": s.device, "this": s.id == visit.session.id,
                 "since": self.services.t.datetime(visit.lang, s.created_at.astimezone(tz)),
                 "seen": self.services.t.datetime(visit.lang, s.last_seen_at.astimezone(tz))}
                for s in mine]
        return page("sessions.html", {**await self._frame(visit, None, None, "sessions"),
                                      "sessions": rows})

    async def _end_session(self, request: web.Request, visit: Visit) -> web.StreamResponse:
        raw = request.match_info["id"]
        if raw.isdigit():
            async with self.services.db.write() as conn:
                await Repos(conn).web.end_session(int(raw), visit.session.member_id)
        raise web.HTTPSeeOther("/web/sessions")

    async def _logout(self, request: web.Request, visit: Visit) -> web.StreamResponse:
        async with self.services.db.write() as conn:
            await Repos(conn).web.end_session(visit.session.id, visit.session.member_id)
        response = self._bare("logged_out.html", 200, visit.lang)
        response.del_cookie(COOKIE, path=COOKIE_PATH)
        return response

    # --- the frame every page shares --------------------------------------------------------------

    async def _frame(self, visit: Visit, scope: Scope | None, shown: DashboardPeriod | None,
                     tab: str) -> dict[str, Any]:
        services, lang = self.services, visit.lang
        context: dict[str, Any] = {
            "lang": lang, "t": self._t(lang), "tab": tab, "csrf": visit.session.csrf,
            "reader": visit.caller.member.full_name if visit.caller.member else "",
            "n": lambda value: services.t.number(lang, value),
            "pct": lambda part, whole: services.t.number(lang, percent(part, whole)),
            "bar": lambda part, whole: markup(charts.share_bar(part, whole)),
            "day": lambda value: services.t.date(lang, value) if value else "—",
            "crumbs": [], "place": None, "period": None, "periods": [], "step": None,
            "home": figures.place_code(figures.home_scopes(
                visit.caller, services.settings.province_code)[0]),
        }
        if scope is not None:
            context["place"] = figures.place_code(scope)
            context["crumbs"] = await figures.breadcrumbs(services, visit.caller, scope, lang)
            context["may_download"] = figures.may_download(visit.caller, scope)
        if shown is not None:
            before, after = neighbours(shown, visit.today)
            context["period"] = shown
            context["step"] = (before, after)
            context["periods"] = [current(kind, visit.today) for kind in
                                  ("week", "month", "quarter")]
        return context

    async def _place_and_period(self, request: web.Request, visit: Visit
                                ) -> tuple[Scope, DashboardPeriod] | None:
        scope = await figures.place(self.services, visit.caller, request.match_info["place"])
        shown = parse_period(request.query.get("p"), visit.today)
        if scope is None or shown is None:
            return None
        return scope, shown

    # --- pages ---------------------------------------------------------------------------------

    async def _overview(self, request: web.Request, visit: Visit) -> web.StreamResponse:
        found = await self._place_and_period(request, visit)
        if found is None:
            return self.not_found(visit)
        scope, shown = found
        aside = scope.commune is None  # a province's allowance: added up aside, kept a while
        data = await figures.overview(self.services, scope, shown, visit.lang, visit.today,
                                      allowance=not aside)
        pending = False
        if aside:
            total, pending = await self.allowances.total(
                scope, figures.allowance_month(shown, visit.today), visit.today, visit.now)
            data = replace(data, allowance=total)
        top = max((f.citizens for f in data.categories), default=0)
        approvals = await figures.month_approvals(self.services, visit.caller, scope, shown,
                                                  visit.today)
        return page("overview.html", {
            **await self._frame(visit, scope, shown, "overview"), "o": data, "top": top,
            "allowance_pending": pending, "approvals": approvals,
            "on_time_days": self.services.settings.on_time_days,
            "hbar": lambda value, most: markup(charts.value_bar(value, most))})

    async def _places(self, request: web.Request, visit: Visit) -> web.StreamResponse:
        found = await self._place_and_period(request, visit)
        if found is None:
            return self.not_found(visit)
        scope, shown = found
        data = await figures.places(self.services, scope, shown, visit.today)
        name = await figures.name_of(self.services, scope, visit.lang)
        return page("places.html", {**await self._frame(visit, scope, shown, "places"),
                                    "name": name, "places": data,
                                    "on_time_days": self.services.settings.on_time_days})

    async def _member(self, request: web.Request, visit: Visit) -> web.StreamResponse:
        raw = request.match_info["member"]
        shown = parse_period(request.query.get("p"), visit.today)
        found = (await figures.member_in_scope(self.services, visit.caller, int(raw))
                 if raw.isdigit() and len(raw) < 13 else None)
        if found is None or shown is None:
            return self.not_found(visit)
        member, team = found
        data = await figures.member_page(self.services, member, team, shown, visit.today)
        scope = Scope(team.province_code, team.commune_code, team.id)
        return page("member.html", {**await self._frame(visit, scope, shown, "places"),
                                    "m": data})

    async def _trends(self, request: web.Request, visit: Visit) -> web.StreamResponse:
        scope = await figures.place(self.services, visit.caller, request.match_info["place"])
        if scope is None:
            return self.not_found(visit)
        lang = visit.lang
        number = self._t(lang)
        weeks, months = await self._trends_of(scope, visit.today, visit.now)

        def chart(key: str, trend: figures.Trend, label: Callable[[Any], str]) -> Any:
            bars = [charts.Stack(label(p), [values[i] for _c, values in trend.series])
                    for i, p in enumerate(trend.periods)]
            return markup(charts.stacked_bars(number(key), bars,
                                              lambda v: self.services.t.number(lang, v)))

        name = await figures.name_of(self.services, scope, lang)
        return page("trends.html", {
            **await self._frame(visit, scope, None, "trends"), "name": name,
            "weeks": weeks, "months": months,
            "week_chart": chart("web.trend_weeks", weeks, lambda p: f"{p.start:%d/%m}"),
            "month_chart": chart("web.trend_months", months, lambda p: f"{p.start:%m/%y}"),
            "colour": charts.colour})

    async def _trends_of(self, scope: Scope, today: date, now: datetime
                         ) -> tuple[figures.Trend, figures.Trend]:
        """A year of days of the place by category; a province's (a third of a second and
        more on the largest) is kept :data:`KEEP_TRENDS`: its past weeks and months no
        longer change, and the running ones may lag that much."""
        key = (figures.place_code(scope), today)
        kept = self._kept_trends.get(key)
        if scope.commune is None and kept is not None and now - kept[0] < KEEP_TRENDS:
            return kept[1]
        weeks, months = await figures.trends(self.services, scope, last_weeks(today),
                                             last_months(today))
        if scope.commune is None:
            self._kept_trends = {key: (now, (weeks, months))}  # one province, one entry
        return weeks, months

    async def _downloads(self, request: web.Request, visit: Visit) -> web.StreamResponse:
        found = await self._place_and_period(request, visit)
        if found is None:
            return self.not_found(visit)
        scope, shown = found
        province = self.services.settings.province_code
        months = feed.month_range(shown.start, min(shown.end, visit.today))
        return page("downloads.html", {
            **await self._frame(visit, scope, shown, "downloads"),
            "name": await figures.name_of(self.services, scope, visit.lang),
            "feed": figures.may_read_feed(visit.caller, province),
            "feed_from": f"{months[0]:%Y-%m}", "feed_to": f"{months[-1]:%Y-%m}"})

    async def _workbook(self, request: web.Request, visit: Visit) -> web.StreamResponse:
        found = await self._place_and_period(request, visit)
        if found is None or not figures.may_download(visit.caller, found[0]):
            return self.not_found(visit)
        scope, shown = found
        name = await figures.name_of(self.services, scope, visit.lang)
        file = await workbook_file(Asking(self.services, visit.lang, visit.today), scope,
                                   shown.period, name)
        async with self.services.db.write() as conn:
            await Repos(conn).audit.record(
                actor=visit.session.member_id, action="export", target=name, now=visit.now,
                period=shown.code, format="xlsx", via="web")
        return download(file.content, file.mime_type, attachment(file.filename))

    async def _feed(self, request: web.Request, visit: Visit) -> web.StreamResponse:
        if not figures.may_read_feed(visit.caller, self.services.settings.province_code):
            return self.not_found(visit)
        return await feed_response(self.services, request, visit.today, visit.now)
