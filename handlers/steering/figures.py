"""Gathering completeness and target progress for a place: the reads behind steering_text.

Wiring, not rules: it reads through ``services.read`` (the figure queries of
:mod:`storage.repos.activity`) and hands the numbers to the pure rules of
:mod:`bot.core.completeness` and :mod:`bot.core.targets`.

Dates: ``day`` is the last day the figures cover (the end of the period shown, or today), and
``today`` the real local date. Targets are those of the month and quarter holding ``day``, and
judged as of the day after ``day`` (or as of today if that is earlier).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, timedelta
from typing import Literal

from bot.core.calendar import Period, month
from bot.core.completeness import Completeness, TeamActivity, by_commune, ranked, summarise
from bot.core.natural_sort import natural_key
from bot.core.permissions import Scope
from bot.core.steering_text import DigestSteering, TargetProgress
from bot.core.targets import Status, expected_by_now, status
from handlers.kit.context import Services
from handlers.render.steering_sheets import AllowanceMonth, SignOff
from storage.repos import Repos
from storage.repos.targets import Target, TargetScope


def scope_key(scope: Scope, province: str) -> tuple[TargetScope, str]:
    if scope.team is not None:
        return "team", str(scope.team)
    if scope.commune is not None:
        return "commune", scope.commune
    return "province", scope.province or province


def judged_on(day: date, today: date) -> date:
    """The date progress is judged on: the day after the last day shown, never after today."""
    return min(today, day + timedelta(days=1))


async def completeness(services: Services, scope: Scope, name: str, start: date, end: date,
                       today: date, *, on_time: bool = True,
                       latest: Mapping[int, date] | None = None
                       ) -> tuple[Completeness, list[TeamActivity]]:
    """The place's completeness over [start, end], silence measured to ``today`` (capped).

    ``on_time=False``: the sessions on time are left at 0, not read, for a view that does not
    show them (a province's on-time read was ~11 ms a month). ``latest``: each team's latest
    session up to ``end``, when already read for another period ending on the same day or
    later (no session is dated after today)."""
    teams = await services.read.activity.team_activity(
        scope, start, end, services.settings.on_time_days if on_time else None, latest=latest)
    return summarise(name, teams, judged_on(end, today)), teams


def communes_of(teams: Iterable[TeamActivity], end: date, today: date, *,
                silent: bool = True) -> list[Completeness]:
    """Each commune's completeness; ``silent=False`` for a ranking, which never names them."""
    return by_commune(teams, judged_on(end, today), silent=silent)


async def _labels(services: Services, lang: str) -> dict[int | None, str]:
    labels: dict[int | None, str] = {
        c.id: f"{c.emoji} {c.label(lang)}".strip() for c in await services.read.categories.all()}
    labels[None] = services.t(lang, "steering.all_categories")
    return labels


def _value(tallies: dict[tuple[str, int], int], place: str, category: int | None) -> int:
    return sum(v for (key, cat), v in tallies.items()
               if key == place and (category is None or cat == category))


def target_scope(target: Target, province: str) -> Scope:
    if target.scope_kind == "team":
        return Scope(province, None, int(target.scope_id))
    if target.scope_kind == "commune":
        return Scope(province, target.scope_id)
    return Scope(target.scope_id)


async def place_names(services: Services, targets: Iterable[Target], *,
                      short: bool = False) -> dict[tuple[str, str], str]:
    """(scope kind, scope id) → the place's name ("Ấp 1, Xã Vị Thủy"; "Ấp 1" when short)."""
    read = services.read
    out: dict[tuple[str, str], str] = {}
    for target in targets:
        key = (target.scope_kind, target.scope_id)
        if key in out:
            continue
        if target.scope_kind == "team":
            team = await read.teams.get(int(target.scope_id))
            name = (team.name if short else f"{team.name}, {team.commune_name}") if team else "?"
        elif target.scope_kind == "commune":
            commune = await read.geo.commune(target.scope_id)
            name = commune.name if commune else target.scope_id
        else:
            province = await read.geo.province(target.scope_id)
            name = province.name if province else target.scope_id
        out[key] = name
    return out


async def progress_of(services: Services, targets: list[Target], lang: str, day: date,
                      today: date, *, short: bool = False) -> list[TargetProgress]:
    """Each target with its value up to ``day``, judged on the day after (see the module)."""
    if not targets:
        return []
    read = services.read
    province = services.settings.province_code
    labels = await _labels(services, lang)
    names = await place_names(services, targets, short=short)
    on = judged_on(day, today)
    groups: dict[tuple[str, date, str], list[Target]] = {}
    for target in targets:
        groups.setdefault((target.scope_kind, target.period_start, target.period_kind),
                          []).append(target)
    values: dict[int, int] = {}
    for (kind, _start, _kind), group in groups.items():
        period = group[0].period
        end = min(period.end, day)
        if len(group) == 1 or kind == "province":  # one place: ask for just that place
            for target in group:
                tallies = await read.tallies.citizens_by_place(
                    target_scope(target, province), "scope", period.start, end)
                values[target.id] = _value(tallies, "", target.category_id)
            continue
        level: Literal["commune", "team"] = "team" if kind == "team" else "commune"
        tallies = await read.tallies.citizens_by_place(Scope(province), level, period.start,
                                                        end)
        for target in group:
            values[target.id] = _value(tallies, target.scope_id, target.category_id)
    out = [_progress(t, values[t.id], names[(t.scope_kind, t.scope_id)],
                     labels.get(t.category_id, "?"), on) for t in targets]
    return out


def _progress(target: Target, value: int, place: str, label: str,
              on: date) -> TargetProgress:
    period = target.period
    return TargetProgress(place=place, category=label, period=period, target=target.citizens,
                          value=value, expected=expected_by_now(target.citizens, period, on),
                          status=status(target.citizens, value, period, on))


async def target_progress(services: Services, scope: Scope, lang: str, day: date,
                          today: date) -> list[TargetProgress]:
    """Progress of the place's own targets for the month and quarter holding ``day``."""
    kind, key = scope_key(scope, services.settings.province_code)
    mine = [t for t in await services.read.targets.covering(day)
            if t.scope_kind == kind and t.scope_id == key]
    return await progress_of(services, mine, lang, day, today)


async def children_progress(services: Services, scope: Scope, lang: str, day: date,
                            today: date) -> list[TargetProgress]:
    """The targets one level down (a province's communes, a commune's teams) with progress,
    places in natural order: what a supervisor drills down to."""
    if scope.team is not None:
        return []
    read = services.read
    province = scope.province or services.settings.province_code
    # The places as the registry was on ``day``, so a past period lists its own teams.
    if scope.commune is None:
        kind = "commune"
        places = await read.history.places_with_teams_on(day, province=province)
    else:
        kind = "team"
        places = await read.history.places_with_teams_on(day, commune=scope.commune)
    wanted = [t for t in await read.targets.covering(day)
              if t.scope_kind == kind and t.scope_id in places]
    found = await progress_of(services, wanted, lang, day, today, short=True)
    return sorted(found, key=lambda p: (natural_key(p.place), p.period.kind))


def behind(progress: Iterable[TargetProgress]) -> list[str]:
    """The places with at least one target behind, once each, in order."""
    seen: list[str] = []
    for p in progress:
        if p.status is Status.BEHIND and p.place not in seen:
            seen.append(p.place)
    return seen


async def digest_steering(services: Services, scope: Scope, name: str,
                          teams: Sequence[TeamActivity], through: date, today: date,
                          lang: str) -> DigestSteering:
    """A digest's completeness (of ``teams``, the place's teams over the digest's period, which
    the digest has read anyway), the place's targets, the places one level down behind theirs,
    and (for the province) the communes ranked by completeness."""
    found = summarise(name, teams, judged_on(through, today))
    mine = await target_progress(services, scope, lang, through, today)
    below = await children_progress(services, scope, lang, through, today)
    ranking = (tuple(ranked(communes_of(teams, through, today, silent=False)))
               if scope.commune is None
               else ())
    return DigestSteering(completeness=found, targets=tuple(mine), behind=tuple(behind(below)),
                          ranking=ranking)


async def allowance_months(read: Repos, scope: Scope, period: Period,
                           today: date) -> list[AllowanceMonth]:
    """An allowance record for each whole calendar month of the period (a week or part of a
    month is not what an allowance is paid on); the running month is marked as such. ``read``:
    the repositories of the connection to read on (an export's own)."""
    out: list[AllowanceMonth] = []
    for first in period.months():
        last = month(first.year, first.month).end
        if first < period.start or last > period.end or first > today:
            continue
        signed: dict[str, SignOff] = {}
        for code, approval in (await read.approvals.communes_of_month(first)).items():
            commune = await read.geo.commune(code)
            if commune is not None:
                signed[commune.name] = SignOff(by=approval.by_name or "?",
                                               on=approval.approved_at.date())
        out.append(AllowanceMonth(
            month=first, rows=await read.activity.duty_month(scope, first, last),
            rule=await read.allowance.for_month(first),
            through=today if today <= last else None, approvals=signed))
    return out
