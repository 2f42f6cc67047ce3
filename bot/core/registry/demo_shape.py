"""What a demo registry of a province looks like: its communes, its size, how it names teams.

The demo of Cần Thơ (92) is the former Hậu Giang province as it published itself in January
2024 — 525 teams, 3,740 members over 28 communes/wards. A demo of any other province spreads as
many teams (or ``team_total``) over all of its communes/wards, named as that part of the country
names them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from bot.core.registry.geo import CAN_THO, Commune, hau_giang_communes, official_communes
from bot.core.registry.provinces import province_info

TEAM_COUNT = 525
MEMBER_COUNT = 3_740
TEAMS_PER_COMMUNE = (12, 25)

#: A demo of another province: at least two teams per commune (a coordinator's and another).
MIN_TEAMS_PER_COMMUNE = 2
MAX_TEAMS_PER_COMMUNE = 60


class DemoSizeError(ValueError):
    """A team count the province's communes cannot hold plausibly."""


@dataclass(frozen=True)
class Naming:
    """How a province names its teams: the hamlet word, the urban area word, named hamlets."""

    hamlet: str
    area: str
    named_hamlets: bool


#: The Hậu Giang demo: "Ấp Thạnh Lợi", "Ấp 3A", "Khu vực 2".
HAU_GIANG_NAMING = Naming("Ấp", "Khu vực", named_hamlets=True)
_SOUTH = Naming("Ấp", "Khu phố", named_hamlets=True)
_MOUNTAINS = Naming("Bản", "Tổ dân phố", named_hamlets=False)
_NORTH_AND_CENTRE = Naming("Thôn", "Tổ dân phố", named_hamlets=False)
_SOUTHERN_PROVINCES = {"75", "79", "80", "82", "86", "91", "96"}
_NORTH_WEST = {"11", "12", "14"}  # Điện Biên, Lai Châu, Sơn La


def naming_of(province_code: str) -> Naming:
    code = province_info(province_code).code
    if code == CAN_THO:
        return HAU_GIANG_NAMING
    if code in _SOUTHERN_PROVINCES:
        return _SOUTH
    return _MOUNTAINS if code in _NORTH_WEST else _NORTH_AND_CENTRE


def demo_communes(province_code: str) -> list[Commune]:
    """The communes a demo covers: Cần Thơ's former Hậu Giang part, or all of a province's."""
    if province_info(province_code).code == CAN_THO:
        return hau_giang_communes()
    return official_communes(province_code)


def demo_size(province_code: str, communes: int, team_total: int | None,
              ) -> tuple[int, tuple[int, int], int]:
    """(teams, teams per commune (low, high), members) of a demo over ``communes``."""
    if province_info(province_code).code == CAN_THO:
        if team_total not in (None, TEAM_COUNT):
            raise DemoSizeError("the Cần Thơ demo is the former Hậu Giang province: 525 teams")
        return TEAM_COUNT, TEAMS_PER_COMMUNE, MEMBER_COUNT
    teams = TEAM_COUNT if team_total is None else team_total
    low, high = MIN_TEAMS_PER_COMMUNE * communes, MAX_TEAMS_PER_COMMUNE * communes
    if not low <= teams <= high:
        raise DemoSizeError(f"{teams} teams for {communes} communes/wards: expected {low}–{high} "
                            f"({MIN_TEAMS_PER_COMMUNE}–{MAX_TEAMS_PER_COMMUNE} per commune)")
    average = teams / communes
    per_commune = (max(MIN_TEAMS_PER_COMMUNE, math.floor(average * 0.6)),
                   math.ceil(average * 1.4))
    return teams, per_commune, round(teams * MEMBER_COUNT / TEAM_COUNT)
