from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from bot.core.registry.demo import (
    MEMBER_COUNT,
    TEAM_COUNT,
    DemoRegistry,
    demo_xlsx_bytes,
    generate_demo_registry,
    write_demo_xlsx,
)
from bot.core.registry.geo import CommuneIndex, hau_giang_communes
from bot.core.registry.phones import normalize_phone
from bot.core.registry.reader import read_registry_file
from bot.core.registry.validate import validate
from bot.core.roles import Role


@pytest.fixture(scope="module")
def demo() -> DemoRegistry:
    return generate_demo_registry()


def test_counts(demo: DemoRegistry) -> None:
    assert TEAM_COUNT == len(demo.teams) == 525
    assert MEMBER_COUNT == len(demo.members) == 3740
    communes = {c.code for c in hau_giang_communes()}
    per_commune = Counter(t.commune_code for t in demo.teams)
    assert set(per_commune) == communes
    assert all(12 <= n <= 25 for n in per_commune.values())
    assert len({(t.commune_code, t.name) for t in demo.teams}) == 525


def test_teams_and_roles(demo: DemoRegistry) -> None:
    sizes = Counter((p.commune_code, p.team_name) for p in demo.members)
    assert len(sizes) == 525
    assert all(4 <= n <= 9 for n in sizes.values())
    leaders = Counter((p.commune_code, p.team_name) for p in demo.members
                      if p.role == Role.TEAM_LEADER)
    assert set(leaders) == set(sizes)
    assert set(leaders.values()) == {1}
    coordinators = Counter(p.commune_code for p in demo.members
                           if p.role == Role.COMMUNE_COORDINATOR)
    assert set(coordinators) == {c.code for c in hau_giang_communes()}
    assert set(coordinators.values()) == {1}
    roles = Counter(p.role for p in demo.members)
    assert roles[Role.PROVINCE_COORDINATOR] == 1
    assert roles[Role.ADMIN] == 1
    for team in demo.teams:
        prefix = "Khu vực " if team.commune_name.startswith("Phường") else "Ấp "
        assert team.name.startswith(prefix)
        assert team.kind == ("area" if prefix == "Khu vực " else "hamlet")


def test_people(demo: DemoRegistry) -> None:
    phones = [p.phone for p in demo.members if p.phone]
    assert len(phones) == len(set(phones))
    assert 0.8 < len(phones) / len(demo.members) < 0.9
    assert all(normalize_phone(phone) == phone for phone in phones)
    languages = Counter(p.language for p in demo.members)
    assert set(languages) == {None, "en"}
    assert 0 < languages["en"] < 100
    families = Counter(p.full_name.split()[0] for p in demo.members)
    assert families.most_common(1)[0][0] == "Nguyễn"
    assert all(len(p.full_name.split()) >= 3 for p in demo.members)


def test_personas(demo: DemoRegistry) -> None:
    personas = demo.personas
    assert list(personas) == ["admin", "province_coordinator", "commune_coordinator",
                              "team_leader", "member_1", "member_2"]
    assert all(p.phone for p in personas.values())
    assert personas["admin"].role == Role.ADMIN
    assert personas["province_coordinator"].role == Role.PROVINCE_COORDINATOR
    assert personas["commune_coordinator"].role == Role.COMMUNE_COORDINATOR
    leader = personas["team_leader"]
    assert leader.role == Role.TEAM_LEADER
    assert personas["commune_coordinator"].commune_code == leader.commune_code == "31441"
    for key in ("member_1", "member_2"):
        member = personas[key]
        assert member.role == Role.MEMBER
        assert (member.commune_code, member.team_name) == (leader.commune_code, leader.team_name)
    assert all(p in demo.members for p in personas.values())


def test_deterministic(demo: DemoRegistry) -> None:
    assert generate_demo_registry() == demo
    assert generate_demo_registry(7) != demo


def test_xlsx_round_trip(tmp_path: Path, demo: DemoRegistry) -> None:
    path = write_demo_xlsx(tmp_path / "demo.xlsx")
    assert path.read_bytes() == demo_xlsx_bytes(registry=demo)
    plan = validate(read_registry_file(path), CommuneIndex.official("92"))
    assert plan.errors == []
    assert len(plan.teams) == 525
    assert len(plan.members) == 3740
    assert Counter(m.role for m in plan.members) == Counter(p.role for p in demo.members)
    by_phone = {m.phone: m for m in plan.members if m.phone}
    leader = demo.personas["team_leader"]
    assert leader.phone is not None
    assert by_phone[leader.phone].team_name == leader.team_name
    formers = {t.former_district for t in plan.teams}
    assert None not in formers
    assert "Huyện Vị Thủy" in formers
