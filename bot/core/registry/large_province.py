"""A province-sized registry and years of activity, for benchmarks and load tests.

Pure and deterministic (a seed gives the same data): the communes come from the official list
of the province (``vietnam-provinces``), teams and members are invented with the demo
province's name pools, and sessions are spread over the days of a period with the rhythm of
real logging (quiet Sundays, busy communes and quiet ones, a slow upward trend, a few undone).
:mod:`storage.bulk_load` writes it straight into SQLite; :func:`registry_csv` writes the same
registry as a file the ``import`` command takes.
"""

from __future__ import annotations

import csv
import io
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import accumulate

from bot.core.registry.demo import ROLE_LABELS, Phones, invented_full_name, spread, team_names
from bot.core.registry.geo import Commune, official_communes
from bot.core.registry.raw_sheet import CANONICAL_HEADERS, Field
from bot.core.roles import Role

HO_CHI_MINH_CITY = "79"   # 168 wards and communes after the 2025 reform
TEAMS = 5_000
MEMBERS = 35_000
TEAM_SIZE = (4, 10)
PHONE_SHARE = 0.85
#: Relative weights of the categories by code, as in the demo activity.
CATEGORY_WEIGHTS = {"cks": 30, "vneid": 25, "dvc": 18, "ttkdtm": 12, "kns": 8, "tmdt": 5,
                    "khac": 2}
#: Citizens helped in one session: mostly a few, sometimes a crowd (a market-day stand).
CITIZEN_WEIGHTS = (30, 22, 15, 10, 7, 5, 3, 2, 2, 1, 1, 1, 0.5, 0.5)
#: Monday..Sunday: how busy each weekday is.
WEEKDAY_WEIGHTS = (1.1, 1.1, 1.05, 1.05, 1.0, 0.55, 0.15)
UNDONE_SHARE = 0.01

MEMBER_COLUMNS = (Field.COMMUNE_CODE, Field.COMMUNE_NAME, Field.TEAM, Field.FULL_NAME,
                  Field.PHONE, Field.ROLE)


@dataclass(frozen=True)
class GenTeam:
    commune: Commune
    name: str
    kind: str                   # 'hamlet' | 'area'


@dataclass(frozen=True)
class GenMember:
    team: int                   # index into Registry.teams
    full_name: str
    phone: str | None
    role: Role


@dataclass(frozen=True)
class Registry:
    province_code: str
    communes: list[Commune]
    teams: list[GenTeam]
    members: list[GenMember]


def generate_registry(province_code: str = HO_CHI_MINH_CITY, *, teams: int = TEAMS,
                      members: int = MEMBERS, seed: int = 2026) -> Registry:
    """Teams spread over every commune of the province, members over the teams; one leader
    per team, one coordinator per commune, a province coordinator and an admin."""
    rng = random.Random(seed)
    phones = Phones(rng)
    communes = official_communes(province_code)
    average = teams / len(communes)   # some communes busier than others; with fewer teams
    per_commune = spread(rng, len(communes), teams, int(average / 2),  # than communes, some
                          int(average * 1.5) + 1)                       # communes have none
    made: list[GenTeam] = []
    for commune, count in zip(communes, per_commune, strict=True):
        names = team_names(rng, commune, count) if count <= 40 else \
            [f"Khu phố {n}" for n in range(1, count + 1)]
        made += [GenTeam(commune, name, "area" if commune.division_type == "phường"
                         else "hamlet") for name in names]
    sizes = spread(rng, len(made), members, *TEAM_SIZE)
    people: list[GenMember] = []
    first_of_commune: dict[str, int] = {}
    for index, size in enumerate(sizes):
        taken: set[str] = set()
        for position in range(size):
            name = invented_full_name(rng)
            while name in taken:
                name = invented_full_name(rng)
            taken.add(name)
            leader = position == 0
            role = Role.TEAM_LEADER if leader else Role.MEMBER
            if position == 1 and made[index].commune.code not in first_of_commune:
                first_of_commune[made[index].commune.code] = len(people)
                role = Role.COMMUNE_COORDINATOR
            has_phone = leader or role is not Role.MEMBER or rng.random() < PHONE_SHARE
            people.append(GenMember(index, name, phones.new() if has_phone else None, role))
    for position, role in ((2, Role.PROVINCE_COORDINATOR), (3, Role.ADMIN)):
        person = people[position]
        people[position] = GenMember(person.team, person.full_name,
                                     person.phone or phones.new(), role)
    return Registry(province_code, communes, made, people)


def registry_csv(registry: Registry) -> bytes:
    """The registry as the CSV an admin would import (UTF-8 with a BOM, like Excel saves)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([CANONICAL_HEADERS[f] for f in MEMBER_COLUMNS])
    for person in registry.members:
        team = registry.teams[person.team]
        writer.writerow([team.commune.code, team.commune.name, team.name, person.full_name,
                         person.phone or "", ROLE_LABELS[person.role]])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


# ---------------------------------------------------------------------------- activity

@dataclass(frozen=True)
class Logger:
    """Someone who logs sessions: the member and where they are."""

    member_id: int
    team_id: int
    commune_code: str


SessionRow = tuple[int, int, str, int, int, str, str, str, str, str | None]


def session_rows(loggers: Sequence[Logger], categories: Sequence[tuple[int, str]], *,
                 total: int, first_day: date, last_day: date, seed: int = 7,
                 key_prefix: str = "gen") -> Iterator[SessionRow]:
    """``total`` sessions from ``first_day`` to ``last_day``, day by day (so date indexes fill
    in order): (member, team, commune, category id, citizens, date, channel, key, created_at,
    deleted_at). Busy members log more; busy communes more than quiet ones."""
    rng = random.Random(seed)
    days = (last_day - first_day).days + 1
    commune_pace: dict[str, float] = {}
    weights = []
    for logger in loggers:
        pace = commune_pace.setdefault(logger.commune_code, 0.4 + rng.random())
        weights.append(pace * rng.choice((0.3, 0.7, 1, 1, 1.3, 1.8)))
    member_cum = list(accumulate(weights))
    cat_ids = [c for c, _ in categories]
    cat_cum = list(accumulate(CATEGORY_WEIGHTS.get(code, 5) for _, code in categories))
    citizen_values = list(range(1, len(CITIZEN_WEIGHTS) + 1))
    citizen_cum = list(accumulate(CITIZEN_WEIGHTS))
    # Each day's share: its weekday, and a trend from 0.8 to 1.2 over the period.
    shares = [WEEKDAY_WEIGHTS[(first_day + timedelta(d)).weekday()] * (0.8 + 0.4 * d / days)
              for d in range(days)]
    scale = total / sum(shares)
    counts = [int(s * scale) for s in shares]
    counts[-1] += total - sum(counts)
    serial = 0
    for offset, count in enumerate(counts):
        day = (first_day + timedelta(days=offset)).isoformat()
        created = f"{day}T03:00:00.000000Z"
        who = rng.choices(loggers, cum_weights=member_cum, k=count)
        cats = rng.choices(cat_ids, cum_weights=cat_cum, k=count)
        citizens = rng.choices(citizen_values, cum_weights=citizen_cum, k=count)
        for logger, cat, n in zip(who, cats, citizens, strict=True):
            serial += 1
            undone = created if rng.random() < UNDONE_SHARE else None
            yield (logger.member_id, logger.team_id, logger.commune_code, cat, n, day,
                   "zalo" if serial % 5 == 0 else "telegram", f"{key_prefix}:{serial:010d}",
                   created, undone)
