"""The web dashboard's figures: who may read what, and each page's numbers, channel-neutral.

The web layer (``bot.app.web.dashboard``) parses the URL and renders; everything that decides
(the reader's scope, whether an id in a URL lies inside it) and every figure is here, read by
the same code as the chat's /stats, digests and /export (``handlers.steering.figures``, the
roll-up repositories, ``bot.core.completeness`` and ``bot.core.allowance``) — the dashboard
adds no arithmetic of its own.

Scope is checked on every read: an id outside the reader's place is "not found" (None), never
"forbidden", so a URL edited by hand says nothing about what exists elsewhere.

A past month's approvals (:func:`month_approvals`) are read from the same records and by the
same rules as the chat's /approve; approving stays in the chat. What the plausibility flags add
belongs beside :class:`Overview` as further fields.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.core import calendar as periods
from bot.core.approval import is_over
from bot.core.calendar import Period
from bot.core.completeness import Completeness, by_commune, is_stale, ranked
from bot.core.models import Category, Member, Team
from bot.core.natural_sort import natural_key
from bot.core.permissions import Action, Scope
from bot.core.steering_text import TargetProgress
from bot.core.web_access import DOWNLOAD, OPEN_DASHBOARD, DashboardPeriod, may_open
from handlers.kit.caller import load_caller
from handlers.kit.context import Caller, Services
from handlers.kit.scope import name_of_place, team_scope, widest_scopes
from handlers.render.steering_sheets import team_blocks
from handlers.steering.figures import (
    allowance_months,
    completeness,
    judged_on,
    target_progress,
)

# The web layer names places in URLs with the same codes as the chat's buttons.
from handlers.steering.place_codes import place_code as place_code
from storage.repos import Repos
from storage.repos.approvals import Approval
from storage.repos.tallies import Tally, summed


async def reader_of(services: Services, member_id: int) -> Caller | None:
    """The person behind a browser session, if they may still open the dashboard (an erased,
    deactivated or demoted person may not: the session ends)."""
    member = await services.read.members.get(member_id)
    if member is None or not member.active:
        return None
    caller = await load_caller(services, member, services.settings.default_language)
    return caller if may_open(caller.grants) else None


def home_scopes(caller: Caller, province: str, action: Action = OPEN_DASHBOARD) -> list[Scope]:
    """The places the reader may see, widest first; "everywhere" is this bot's province."""
    return sorted(widest_scopes(caller, province, action),
                  key=lambda s: (s.commune is not None, s.team is not None))


async def place(services: Services, caller: Caller, code: str) -> Scope | None:
    """The place a URL names, if it exists in this province and the reader may see it."""
    province = services.settings.province_code
    scope: Scope | None = None
    if code == "p":
        scope = Scope(province)
    elif code[:1] == "c" and code[1:].isdigit() and len(code) <= 11:
        commune = await services.read.geo.commune(code[1:])
        if commune is not None and commune.province_code == province:
            scope = Scope(province, commune.code)
    elif code[:1] == "t" and code[1:].isdigit() and len(code) <= 13:
        team = await services.read.teams.get(int(code[1:]))
        if team is not None and team.province_code == province:
            scope = Scope(province, team.commune_code, team.id)
    if scope is None or not caller.can(OPEN_DASHBOARD, scope):
        return None
    return scope


def may_download(caller: Caller, scope: Scope) -> bool:
    return caller.can(DOWNLOAD, scope)


def may_read_feed(caller: Caller, province: str) -> bool:
    """The feed covers the whole province: its coordinators and admins."""
    return caller.can(DOWNLOAD, Scope(province))


async def member_in_scope(services: Services, caller: Caller, member_id: int
                          ) -> tuple[Member, Team] | None:
    """An active member of a team the reader may see."""
    member = await services.read.members.get(member_id)
    if member is None or not member.active or member.team_id is None:
        return None
    team = await services.read.teams.get(member.team_id)
    if team is None or team.province_code != services.settings.province_code:
        return None
    if not caller.can(OPEN_DASHBOARD, team_scope(team)):
        return None
    return member, team


async def name_of(services: Services, scope: Scope, lang: str) -> str:
    return await name_of_place(services, lang, scope, gone="?")


@dataclass(frozen=True)
class Crumb:
    code: str
    name: str


async def breadcrumbs(services: Services, caller: Caller, scope: Scope, lang: str
                      ) -> list[Crumb]:
    """The places from the widest the reader may see down to this one."""
    province = services.settings.province_code
    chain = [Scope(province)]
    if scope.commune is not None:
        chain.append(Scope(province, scope.commune))
    if scope.team is not None:
        chain.append(scope)
    out: list[Crumb] = []
    for step in chain:
        if caller.can(OPEN_DASHBOARD, step):
            name = await name_of(services, step, lang)
            if step.team is not None:
                team = await services.read.teams.get(step.team)
                name = team.name if team else name
            out.append(Crumb(place_code(step), name))
    return out


# --- the overview ----------------------------------------------------------------------------

@dataclass(frozen=True)
class CategoryFigure:
    category: Category
    sessions: int
    citizens: int


@dataclass(frozen=True)
class Overview:
    name: str
    totals: Tally
    categories: list[CategoryFigure]
    completeness: Completeness
    targets: list[TargetProgress]
    #: The allowance of the month holding the period's end, by the rule in force (None: no
    #: rule for that month, or a team's page: allowances are paid per team but set province-
    #: wide, shown from the commune up).
    allowance: int | None
    allowance_month: Period
    allowance_running: bool


async def categories_of(services: Services, scope: Scope, start: date, end: date
                        ) -> list[CategoryFigure]:
    tallies = await services.read.tallies.by_category(scope, start, end)
    out: list[CategoryFigure] = []
    for category in await services.read.categories.all():
        tally = tallies.get(category.id)
        if tally is None and not category.active:
            continue
        out.append(CategoryFigure(category, tally.sessions if tally else 0,
                                  tally.citizens if tally else 0))
    return out


async def allowance_total(read: Repos, scope: Scope, month: Period, today: date
                          ) -> int | None:
    """The month's allowance of the place's teams under the rule in force, as the /export
    allowance sheet computes it; None when no rule applies (nothing is read then). ``read``:
    the repositories of the connection to read on."""
    if await read.allowance.for_month(month.start) is None:
        return None
    total: int | None = None
    for found in await allowance_months(read, scope, month, today):
        if found.rule is not None:
            total = sum(block.amount.total for block in team_blocks(
                found.rows, found.rule.rule) if block.amount is not None)
    return total


async def overview(services: Services, scope: Scope, shown: DashboardPeriod, lang: str,
                   today: date, *, allowance: bool = True) -> Overview:
    """The overview; ``allowance`` False leaves the allowance total to the caller (a province's
    takes a second or more to add up: the web layer computes it aside and keeps it a while)."""
    name = await name_of(services, scope, lang)
    start, end = shown.start, shown.end
    found, _teams = await completeness(services, scope, name, start, end, today)
    figures = await categories_of(services, scope, start, end)
    totals = summed({f.category.id: Tally(sessions=f.sessions, citizens=f.citizens)
                     for f in figures})
    day = min(end, today)
    targets = await target_progress(services, scope, lang, day, today)
    the_month = allowance_month(shown, today)
    total = (await allowance_total(services.read, scope, the_month, today)
             if allowance and scope.team is None else None)
    return Overview(name=name, totals=totals, categories=figures, completeness=found,
                    targets=targets, allowance=total, allowance_month=the_month,
                    allowance_running=today <= the_month.end)


def allowance_month(shown: DashboardPeriod, today: date) -> Period:
    """The month whose allowance the overview shows: the one holding the period's last day
    (up to today)."""
    return periods.this_month(min(shown.end, today))


# --- approvals of a past month -------------------------------------------------------------------

@dataclass(frozen=True)
class CommuneApproval:
    code: str
    name: str
    approval: Approval | None      # the standing approval, None: not approved (yet)


@dataclass(frozen=True)
class MonthApprovals:
    """Whether a month that has ended is signed off: each commune of the place (the province's
    communes with teams, or the one commune), and the province's own approval on its page."""

    month: Period
    communes: list[CommuneApproval]
    province: Approval | None
    #: The reader may approve it (in the chat: /approve), under the chat's permission rule.
    may_approve: bool

    @property
    def approved(self) -> int:
        return sum(1 for c in self.communes if c.approval is not None)


async def month_approvals(services: Services, caller: Caller, scope: Scope,
                          shown: DashboardPeriod, today: date) -> MonthApprovals | None:
    """The approvals of the month shown, if it is a whole month that has ended (only those can
    be approved, as in the chat)."""
    if shown.kind != "month" or not is_over(shown.period, today):
        return None
    read, province = services.read, services.settings.province_code
    approved = await read.approvals.communes_of_month(shown.start)
    if scope.commune is not None:
        commune = await read.geo.commune(scope.commune)
        found = [CommuneApproval(scope.commune, commune.name if commune else "?",
                                 approved.get(scope.commune))]
        return MonthApprovals(shown.period, found, None, caller.can(
            Action.APPROVE_MONTH, Scope(province, scope.commune)))
    communes = await read.geo.communes_with_teams(province)
    return MonthApprovals(
        shown.period, [CommuneApproval(c.code, c.name, approved.get(c.code)) for c in communes],
        await read.approvals.standing("province", province, shown.start),
        caller.can(Action.APPROVE_MONTH, Scope(province)))


# --- places ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class PlaceLine:
    """A commune, a team or a member on the places page."""

    code: str                 # where its link leads: "c31441", "t12", "m345"
    name: str
    sessions: int
    citizens: int
    teams_expected: int = 0
    teams_reported: int = 0
    members: int = 0
    members_active: int = 0
    silent: bool = False      # nothing logged for two weeks (as of the period's end)
    paused: bool = False      # a member who paused their reminders
    last_date: date | None = None
    #: Of ``on_time_of`` sessions (those of teams expected to report, as the chat counts them),
    #: how many were logged within ON_TIME_DAYS of their date.
    on_time: int = 0
    on_time_of: int = 0


@dataclass(frozen=True)
class Places:
    level: str                # what the lines are: "commune" | "team" | "member"
    lines: list[PlaceLine]


async def places(services: Services, scope: Scope, shown: DashboardPeriod, today: date
                 ) -> Places:
    """One level down from the place: communes ranked by completeness (most complete first),
    a commune's teams or a team's members in natural order."""
    start, end = shown.start, shown.end
    judged = judged_on(end, today)
    if scope.team is not None:
        people = await services.read.tallies.by_member(scope, start, end)
        paused = await services.read.pauses.current(today, [int(p.key) for p in people])
        return Places("member", [PlaceLine(
            code=f"m{p.key}", name=p.name, sessions=p.sessions, citizens=p.citizens,
            members=1, members_active=1 if p.sessions else 0,
            silent=is_stale(p.last_date, judged), paused=int(p.key) in paused,
            last_date=p.last_date) for p in people])
    teams = await services.read.activity.team_activity(scope, start, end)
    if scope.commune is not None:
        ordered = sorted(teams, key=lambda t: natural_key(t.team_name))
        return Places("team", [PlaceLine(
            code=f"t{t.team_id}", name=t.team_name, sessions=t.sessions, citizens=t.citizens,
            teams_expected=1 if t.members else 0,
            teams_reported=1 if t.members and t.sessions else 0, members=t.members,
            members_active=t.active_members, silent=bool(t.members) and is_stale(
                t.last_date, judged), last_date=t.last_date,
            on_time=t.on_time if t.members else 0, on_time_of=t.sessions if t.members else 0)
            for t in ordered])
    codes = {t.commune_name: t.commune_code for t in teams}
    sessions: dict[str, int] = {}
    for t in teams:
        sessions[t.commune_code] = sessions.get(t.commune_code, 0) + t.sessions
    communes = by_commune(teams, judged)
    first = ranked(communes)
    rest = [c for c in communes if c not in first]
    return Places("commune", [PlaceLine(
        code=f"c{codes[c.name]}", name=c.name, sessions=sessions.get(codes[c.name], 0),
        citizens=c.citizens, teams_expected=c.teams_expected, teams_reported=c.teams_reported,
        members=c.members, members_active=c.members_active,
        silent=bool(c.teams_expected) and len(c.silent_teams) == c.teams_expected,
        on_time=c.on_time, on_time_of=c.sessions)
        for c in [*first, *rest]])


@dataclass(frozen=True)
class MemberPage:
    name: str
    team: Team
    categories: list[CategoryFigure]
    totals: Tally
    paused_until: date | None


async def member_page(services: Services, member: Member, team: Team,
                      shown: DashboardPeriod, today: date) -> MemberPage:
    tallies = await services.read.tallies.member_by_category(member.id, shown.start, shown.end)
    figures = [CategoryFigure(c, tallies[c.id].sessions if c.id in tallies else 0,
                              tallies[c.id].citizens if c.id in tallies else 0)
               for c in await services.read.categories.all() if c.active or c.id in tallies]
    paused = await services.read.pauses.current(today, [member.id])
    return MemberPage(name=member.full_name, team=team, categories=figures,
                      totals=summed(tallies), paused_until=paused.get(member.id))


# --- trends ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Trend:
    """Citizens helped per category over consecutive periods (oldest first)."""

    periods: list[Period]
    series: list[tuple[Category, list[int]]]

    @property
    def totals(self) -> list[int]:
        return [sum(values[i] for _c, values in self.series) for i in range(len(self.periods))]


async def trends(services: Services, scope: Scope, *bucketings: list[Period]) -> list[Trend]:
    """Each list of consecutive periods as a trend, from one read of the place's days."""
    first = min(b[0].start for b in bucketings)
    last = max(b[-1].end for b in bucketings)
    days = sorted(await services.read.tallies.by_day_category(scope, first, last),
                  key=lambda r: r.day)
    categories = await services.read.categories.all()
    index = {c.id: i for i, c in enumerate(categories)}
    out: list[Trend] = []
    for buckets in bucketings:
        values = [[0] * len(buckets) for _ in categories]
        b = 0
        for row in days:
            if row.day < buckets[0].start or row.day > buckets[-1].end:
                continue
            while row.day > buckets[b].end:
                b += 1
            if row.category_id in index:
                values[index[row.category_id]][b] += row.citizens
        out.append(Trend(buckets, [(c, values[i]) for i, c in enumerate(categories)
                                   if c.active or any(values[i])]))
    return out
