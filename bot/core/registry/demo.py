"""A deterministic demo registry of the former Hậu Giang province: 525 teams, 3,740 members.

The figures are those Hậu Giang published in January 2024. The teams are spread over the 28
communes/wards of Cần Thơ that were Hậu Giang; names and phone numbers are invented (the phone
numbers are random but well-formed, so do not message them).

For any other province (``province_code``) the same generator spreads a demo of the same size
(or ``team_total`` teams) over every commune/ward of its official list, naming teams as that part
of the country does: ấp and khu phố in the South, thôn and tổ dân phố in the North and Centre,
bản in the north-western mountains.
"""

from __future__ import annotations

import io
import random
import zipfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict

from bot.core.i18n import Language
from bot.core.registry.demo_shape import (
    HAU_GIANG_NAMING,
    Naming,
    demo_communes,
    demo_size,
    naming_of,
)
from bot.core.registry.demo_shape import (
    MEMBER_COUNT as MEMBER_COUNT,  # re-exported: the demo's size
)
from bot.core.registry.demo_shape import TEAM_COUNT as TEAM_COUNT
from bot.core.registry.demo_shape import TEAMS_PER_COMMUNE as TEAMS_PER_COMMUNE
from bot.core.registry.demo_shape import DemoSizeError as DemoSizeError
from bot.core.registry.geo import CAN_THO, Commune
from bot.core.registry.phones import is_valid
from bot.core.registry.provinces import province_info
from bot.core.registry.raw_sheet import CANONICAL_HEADERS, Field
from bot.core.roles import Role

TEAM_SIZE = (4, 9)
PHONE_SHARE = 0.85
FIXED_TIME = datetime(2024, 1, 24, 8, 0, 0)
MEMBERS_SHEET = "Thành viên"
TEAMS_SHEET = "Tổ"
PERSONA_COMMUNE = "31441"  # Xã Vị Thủy
PROVINCE_SEAT = "31321"  # Phường Vị Thanh, the former provincial capital

MEMBER_COLUMNS = (Field.COMMUNE_CODE, Field.COMMUNE_NAME, Field.TEAM, Field.FULL_NAME,
                  Field.PHONE, Field.ROLE, Field.LANGUAGE)
TEAM_COLUMNS = (Field.COMMUNE_CODE, Field.COMMUNE_NAME, Field.TEAM, Field.TEAM_KIND,
                Field.FORMER_DISTRICT)

ROLE_LABELS: dict[Role, str] = {
    Role.MEMBER: "thành viên",
    Role.TEAM_LEADER: "tổ trưởng",
    Role.COMMUNE_COORDINATOR: "điều phối xã",
    Role.PROVINCE_COORDINATOR: "điều phối tỉnh",
    Role.ADMIN: "quản trị",
}
KIND_LABELS = {"hamlet": "ấp", "area": "khu vực", "commune": "xã"}

# Weighted like reality (share of the population, in percent, roughly).
FAMILY_NAMES: tuple[tuple[str, float], ...] = (
    ("Nguyễn", 36), ("Trần", 11), ("Lê", 9.5), ("Phạm", 6), ("Huỳnh", 5), ("Võ", 4.5),
    ("Phan", 4.5), ("Trương", 2), ("Bùi", 2), ("Đặng", 2), ("Đỗ", 1.5), ("Ngô", 1.5),
    ("Hồ", 1.5), ("Dương", 1), ("Lý", 1), ("Lâm", 1), ("Châu", 0.8), ("Thái", 0.6),
    ("Mai", 0.6), ("Đinh", 0.5), ("Tô", 0.5), ("Cao", 0.5), ("Lưu", 0.4), ("Quách", 0.4),
    ("La", 0.3), ("Danh", 0.3), ("Thạch", 0.3), ("Kim", 0.3),
)
MALE_MIDDLE = ("Văn", "Văn", "Văn", "Minh", "Hoàng", "Thanh", "Quốc", "Hữu", "Công", "Đức",
               "Tấn", "Ngọc", "Trọng", "Phước")
FEMALE_MIDDLE = ("Thị", "Thị", "Thị", "Ngọc", "Thanh", "Kim", "Thu", "Mỹ", "Bích", "Hồng",
                 "Thúy", "Phương")
MALE_GIVEN = ("Hùng", "Dũng", "Tuấn", "Phúc", "Tài", "Lộc", "Thành", "Hải", "Nam", "Khang",
              "Long", "Bình", "Sơn", "Trung", "Hiếu", "Nghĩa", "Tâm", "Toàn", "Phong", "Vinh",
              "Cường", "Hậu", "Tú", "Quang", "Thắng", "Khoa", "Duy", "Nhân", "Trí", "Đạt",
              "Hòa", "Lợi", "Út", "Tính", "Thuận", "Kiệt", "Hưng", "Luân", "Phát", "Sang")
FEMALE_GIVEN = ("Lan", "Hương", "Mai", "Hoa", "Thảo", "Trang", "Linh", "Ngân", "Nhung", "Hạnh",
                "Diễm", "Tuyết", "Yến", "Thủy", "Hằng", "Phượng", "Loan", "Cúc", "Nga", "Trinh",
                "Vy", "Hân", "Nhi", "Oanh", "Thúy", "Xuân", "Đào", "Huyền", "Như", "Tiên")
HAMLET_NAMES = (
    "Thạnh Lợi", "Long Hòa", "Tân Phú", "Tân Lợi", "Tân Long", "Tân Thạnh", "Tân Hiệp",
    "Tân Điền", "Phú Lợi", "Phú Hòa", "Phú Thạnh", "Phú Xuân", "Mỹ Hiệp", "Mỹ Phú", "Mỹ Lợi",
    "Hòa Bình", "Hòa Lợi", "Hòa Thạnh", "Bình Thạnh", "Bình Hòa", "Bình Lợi", "Thạnh Hưng",
    "Thạnh Mỹ", "Thạnh Phú", "Thạnh Xuân", "Thạnh Quới", "Vĩnh Lợi", "Vĩnh Hòa", "Vĩnh Thạnh",
    "Long Thạnh", "Long An", "Long Phú", "Long Trị", "Xẻo Cao", "Xẻo Môn", "Xẻo Vông",
    "Rạch Gòi", "Cái Sơn", "Cái Tắc", "Kinh Cùng", "Kênh Mới", "Cầu Xáng", "Bảy Ngàn",
    "Láng Hầm", "Nàng Mau", "Mái Dầm", "Đông Sơn", "Đông Lợi", "Đông An", "Nhơn Xuân",
    "Trường Hòa", "Hưng Điền", "Hiệp Lợi", "Phước Hòa", "Sóc Xoài", "Ba Liên", "Tầm Vu",
    "Ngọc Hòa", "Tân Thuận", "Thạnh An", "Mười Ngàn", "Xà No", "Cầu Đúc", "Thống Nhất",
)
MOBILE_PREFIXES = (
    "086", "096", "097", "098", "032", "033", "034", "035", "036", "037", "038", "039",
    "088", "091", "094", "081", "082", "083", "084", "085",
    "089", "090", "093", "070", "076", "077", "078", "079",
    "092", "056", "058", "099", "059",
)


class DemoTeam(BaseModel):
    model_config = ConfigDict(frozen=True)

    commune_code: str
    commune_name: str
    name: str
    kind: Literal["hamlet", "area", "commune"]
    former_district: str | None = None
    former_commune: str | None = None


class DemoPerson(BaseModel):
    model_config = ConfigDict(frozen=True)

    commune_code: str
    commune_name: str
    team_name: str
    full_name: str
    phone: str | None
    role: Role
    language: Language | None = None


class DemoRegistry(BaseModel):
    """The demo province, and the notable people the demo chat page offers as personas."""

    model_config = ConfigDict(frozen=True)

    seed: int
    province_code: str = CAN_THO
    teams: list[DemoTeam]
    members: list[DemoPerson]
    admin: DemoPerson
    province_coordinator: DemoPerson
    commune_coordinator: DemoPerson
    team_leader: DemoPerson
    team_members: tuple[DemoPerson, DemoPerson]

    @property
    def personas(self) -> dict[str, DemoPerson]:
        """Notable people by a stable key, most powerful first (all have a phone)."""
        return {
            "admin": self.admin,
            "province_coordinator": self.province_coordinator,
            "commune_coordinator": self.commune_coordinator,
            "team_leader": self.team_leader,
            "member_1": self.team_members[0],
            "member_2": self.team_members[1],
        }


@dataclass
class _Person:
    team: int
    full_name: str
    phone: str | None
    role: Role
    language: Language | None


def spread(rng: random.Random, n: int, total: int, low: int, high: int) -> list[int]:
    """n integers in [low, high] summing to total, varying plausibly."""
    values = [rng.randint(low, high) for _ in range(n)]
    current = sum(values)
    while current != total:
        i = rng.randrange(n)
        if current < total and values[i] < high:
            values[i] += 1
            current += 1
        elif current > total and values[i] > low:
            values[i] -= 1
            current -= 1
    return values


def team_names(rng: random.Random, commune: Commune, count: int,
                naming: Naming = HAU_GIANG_NAMING) -> list[str]:
    if commune.division_type == "phường":
        return [f"{naming.area} {n}" for n in range(1, count + 1)]
    if not naming.named_hamlets or count > len(HAMLET_NAMES):
        return [f"{naming.hamlet} {n}" for n in range(1, count + 1)]
    if rng.random() < 0.35:
        # Numbered hamlets, a few split into A/B as they grew.
        names: list[str] = []
        n = 1
        while len(names) < count:
            if rng.random() < 0.12 and len(names) + 2 <= count:
                names += [f"Ấp {n}A", f"Ấp {n}B"]
            else:
                names.append(f"Ấp {n}")
            n += 1
        return names
    pool = rng.sample(HAMLET_NAMES, count)
    names = []
    for base in pool:
        if len(names) < count:
            if rng.random() < 0.1 and len(names) + 2 <= count:
                names += [f"Ấp {base} A", f"Ấp {base} B"]
            else:
                names.append(f"Ấp {base}")
    return names[:count]


def invented_full_name(rng: random.Random) -> str:
    family = rng.choices([f for f, _ in FAMILY_NAMES], weights=[w for _, w in FAMILY_NAMES])[0]
    if rng.random() < 0.5:
        middle, given = rng.choice(MALE_MIDDLE), rng.choice(MALE_GIVEN)
    else:
        middle, given = rng.choice(FEMALE_MIDDLE), rng.choice(FEMALE_GIVEN)
        if middle == "Thị" and rng.random() < 0.2:
            middle = f"Thị {rng.choice(('Ngọc', 'Kim', 'Thanh', 'Mỹ', 'Bích'))}"
    return f"{family} {middle} {given}"


class Phones:
    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._used: set[str] = set()

    def new(self) -> str:
        while True:
            number = self._rng.choice(MOBILE_PREFIXES) + f"{self._rng.randrange(10**7):07d}"
            if number not in self._used and is_valid(number):
                self._used.add(number)
                return number


def generate_demo_registry(seed: int = 2024, province_code: str = CAN_THO,
                           team_total: int | None = None) -> DemoRegistry:
    """A demo province; the same arguments always give the same registry.

    Cần Thơ (92, the default) gives the former Hậu Giang province (``team_total`` must then be
    None); another province gets invented teams spread over every commune/ward — as many as the
    Hậu Giang demo (525) unless ``team_total`` says otherwise — with members in the same
    proportion (about 7 a team), and the same roles.
    """
    code = province_info(province_code).code
    rng = random.Random(seed)
    phones = Phones(rng)
    communes = demo_communes(code)
    team_count, per_commune_range, member_count = demo_size(code, len(communes), team_total)
    naming = naming_of(code)
    per_commune = spread(rng, len(communes), team_count, *per_commune_range)
    teams: list[DemoTeam] = []
    for commune, count in zip(communes, per_commune, strict=True):
        for name in team_names(rng, commune, count, naming):
            teams.append(DemoTeam(
                commune_code=commune.code, commune_name=commune.name, name=name,
                kind="area" if commune.division_type == "phường" else "hamlet",
                former_district=commune.former_district,
            ))
    sizes = spread(rng, len(teams), member_count, *TEAM_SIZE)

    people: list[_Person] = []
    by_team: list[list[_Person]] = []
    for index, size in enumerate(sizes):
        names: set[str] = set()
        crew: list[_Person] = []
        for position in range(size):
            name = invented_full_name(rng)
            while name in names:
                name = invented_full_name(rng)
            names.add(name)
            leader = position == 0
            # Leaders always have a phone; overall about 85% of people do.
            has_phone = leader or rng.random() < (PHONE_SHARE * size - 1) / (size - 1)
            crew.append(_Person(
                team=index, full_name=name, phone=phones.new() if has_phone else None,
                role=Role.TEAM_LEADER if leader else Role.MEMBER,
                language="en" if rng.random() < 0.01 else None,
            ))
        people.extend(crew)
        by_team.append(crew)

    def promote(person: _Person, role: Role) -> _Person:
        person.role = role
        if person.phone is None:
            person.phone = phones.new()
        return person

    def teams_of(code: str) -> list[int]:
        return [i for i, team in enumerate(teams) if team.commune_code == code]

    # Personas: the first team of Xã Vị Thủy, its leader and two plain members.
    persona_commune = PERSONA_COMMUNE if teams_of(PERSONA_COMMUNE) else teams[0].commune_code
    persona_team = teams_of(persona_commune)[0]
    crew = by_team[persona_team]
    persona_leader, first, second = crew[0], crew[1], crew[2]
    for person in (first, second):
        promote(person, Role.MEMBER)
    first.language = None
    second.language = "en"

    # One commune coordinator per commune, a plain member of one of its teams.
    coordinators: dict[str, _Person] = {}
    for commune in communes:
        candidates = [i for i in teams_of(commune.code) if i != persona_team]
        team_index = rng.choice(candidates)
        plain = [p for p in by_team[team_index] if p.role == Role.MEMBER]
        coordinators[commune.code] = promote(rng.choice(plain), Role.COMMUNE_COORDINATOR)

    seat = PROVINCE_SEAT if teams_of(PROVINCE_SEAT) else communes[0].code
    seat_teams = rng.sample(teams_of(seat), 2)
    province = promote(rng.choice([p for p in by_team[seat_teams[0]] if p.role == Role.MEMBER]),
                       Role.PROVINCE_COORDINATOR)
    admin = promote(rng.choice([p for p in by_team[seat_teams[1]] if p.role == Role.MEMBER]),
                    Role.ADMIN)

    def freeze(person: _Person) -> DemoPerson:
        team = teams[person.team]
        return DemoPerson(commune_code=team.commune_code, commune_name=team.commune_name,
                          team_name=team.name, full_name=person.full_name, phone=person.phone,
                          role=person.role, language=person.language)

    return DemoRegistry(
        seed=seed, province_code=code, teams=teams, members=[freeze(p) for p in people],
        admin=freeze(admin), province_coordinator=freeze(province),
        commune_coordinator=freeze(coordinators[persona_commune]),
        team_leader=freeze(persona_leader), team_members=(freeze(first), freeze(second)),
    )


# ---------------------------------------------------------------- XLSX


def _stable_zip(data: bytes) -> bytes:
    """Rewrite a zip with fixed timestamps, so the same workbook gives the same bytes."""
    out = io.BytesIO()
    stamp = FIXED_TIME.timetuple()[:6]
    with zipfile.ZipFile(io.BytesIO(data)) as source, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=stamp)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o600 << 16
            target.writestr(fixed, source.read(info.filename))
    return out.getvalue()


def demo_xlsx_bytes(seed: int = 2024, registry: DemoRegistry | None = None) -> bytes:
    """The demo registry as an XLSX workbook (sheets "Thành viên" and "Tổ"), byte-stable."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.writer.excel import ExcelWriter

    demo = registry if registry is not None else generate_demo_registry(seed)
    workbook = Workbook()
    workbook.properties.creator = "tocns-bot demo"
    workbook.properties.title = "Danh sách tổ công nghệ số cộng đồng (dữ liệu mẫu)"
    workbook.properties.created = FIXED_TIME
    workbook.properties.modified = FIXED_TIME
    bold = Font(bold=True)

    members = workbook.active
    members.title = MEMBERS_SHEET
    members.append([CANONICAL_HEADERS[f] for f in MEMBER_COLUMNS])
    for person in demo.members:
        members.append([person.commune_code, person.commune_name, person.team_name,
                        person.full_name, person.phone or "", ROLE_LABELS[person.role],
                        person.language or ""])
    teams = workbook.create_sheet(TEAMS_SHEET)
    teams.append([CANONICAL_HEADERS[f] for f in TEAM_COLUMNS])
    for team in demo.teams:
        teams.append([team.commune_code, team.commune_name, team.name, KIND_LABELS[team.kind],
                      team.former_district or ""])
    widths = {Field.COMMUNE_CODE: 9, Field.COMMUNE_NAME: 22, Field.TEAM: 20, Field.FULL_NAME: 28,
              Field.PHONE: 15, Field.ROLE: 16, Field.LANGUAGE: 10, Field.TEAM_KIND: 10,
              Field.FORMER_DISTRICT: 24}
    for sheet, columns in ((members, MEMBER_COLUMNS), (teams, TEAM_COLUMNS)):
        sheet.freeze_panes = "A2"
        for cell, column in zip(sheet[1], columns, strict=True):
            cell.font = bold
            sheet.column_dimensions[cell.column_letter].width = widths[column]
            if column in (Field.PHONE, Field.COMMUNE_CODE):
                for (value_cell,) in sheet.iter_rows(min_row=2, min_col=cell.column,
                                                     max_col=cell.column):
                    value_cell.number_format = "@"

    buffer = io.BytesIO()
    archive = zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, allowZip64=True)
    # ExcelWriter directly: openpyxl's save() would stamp "modified" with the current time.
    ExcelWriter(workbook, archive).save()
    return _stable_zip(buffer.getvalue())


def write_demo_xlsx(path: str | Path, seed: int = 2024, *, province_code: str = CAN_THO,
                    teams: int | None = None) -> Path:
    """Write a demo registry workbook; the same arguments always give the same file."""
    registry = generate_demo_registry(seed, province_code, teams)
    target = Path(path)
    target.write_bytes(demo_xlsx_bytes(registry=registry))
    return target
