"""Validation of a raw registry into a plan of teams and members, with every row error collected.

The plan is pure data; the storage layer upserts it by natural keys:

* a team by ``(commune_code, fold(name))``;
* a member by phone when there is one, else by ``(commune_code, fold(team_name), fold(full_name))``.

Records are only produced from rows without errors; an import should refuse to apply a plan whose
``errors`` is not empty, and show them (``render_error``) so the sender can fix the file.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal, Protocol

from pydantic import BaseModel, ConfigDict

from bot.core.i18n import Language
from bot.core.names import MAX_PERSON_NAME, MAX_TEAM_NAME, person_name
from bot.core.registry.geo import (
    Commune,
    CommuneIndex,
    CommuneLookupError,
    UnknownCommune,
    commune_anywhere,
    name_key,
    national_index,
    normalize_code,
)
from bot.core.registry.phones import InvalidPhone, normalize_phone
from bot.core.registry.provinces import province_info
from bot.core.registry.reader import (
    Field,
    RawRegistry,
    RawRow,
    RawSheet,
    RegistryFileError,
    read_registry,
)
from bot.core.registry.targets_sheet import TargetRecord, TargetsSheet, read_targets
from bot.core.roles import Role
from bot.core.text import fold, tidy

TeamKind = Literal["hamlet", "area", "commune"]


#: Roles that must belong to a team; a commune coordinator needs a commune; others need nothing.
_NEEDS_TEAM = {Role.MEMBER, Role.TEAM_LEADER}


class TeamRecord(BaseModel):
    model_config = ConfigDict(frozen=True)

    commune_code: str
    name: str
    kind: TeamKind
    former_district: str | None = None
    former_commune: str | None = None

    @property
    def key(self) -> tuple[str, str]:
        return (self.commune_code, fold(self.name))


class MemberRecord(BaseModel):
    """One person. ``commune_code``/``team_name`` are None only for coordinators and admins."""

    model_config = ConfigDict(frozen=True)

    row: int
    sheet: str
    commune_code: str | None
    team_name: str | None
    full_name: str
    phone: str | None
    role: Role
    language: Language | None

    @property
    def key(self) -> str | tuple[str, str, str]:
        if self.phone:
            return self.phone
        return (self.commune_code or "", fold(self.team_name or ""), fold(self.full_name))

    @property
    def team_key(self) -> tuple[str, str] | None:
        if self.commune_code is None or self.team_name is None:
            return None
        return (self.commune_code, fold(self.team_name))


class RowError(BaseModel):
    """A problem in one row (``row`` 0 and ``sheet`` "" for a problem with the whole file).

    ``column`` is the header as typed in the file; ``code`` a message key; ``params`` its
    placeholders.
    """

    model_config = ConfigDict(frozen=True)

    sheet: str
    row: int
    column: str | None
    code: str
    params: dict[str, str] = {}


class RegistryPlan(BaseModel):
    model_config = ConfigDict(frozen=True)

    teams: list[TeamRecord]
    members: list[MemberRecord]
    errors: list[RowError]
    #: From the "Chỉ tiêu" (Targets) sheet, if the file has one.
    targets: list[TargetRecord] = []

    @property
    def ok(self) -> bool:
        return not self.errors


# ---------------------------------------------------------------- value parsing

def _aliases(table: dict[str, tuple[str, ...]]) -> dict[str, str]:
    return {fold(alias): value for value, aliases in table.items() for alias in aliases}


_ROLES: dict[str, Role] = {
    key: Role(value) for key, value in _aliases({
        Role.MEMBER.value: ("thành viên", "member", "tv", "thành viên tổ", "tổ viên"),
        Role.TEAM_LEADER.value: ("tổ trưởng", "team leader", "leader", "team_leader", "tt"),
        Role.COMMUNE_COORDINATOR.value: (
            "điều phối xã", "điều phối phường", "điều phối xã/phường", "điều phối cấp xã",
            "commune coordinator", "commune_coordinator", "ward coordinator",
        ),
        Role.PROVINCE_COORDINATOR.value: (
            "điều phối tỉnh", "điều phối thành phố", "điều phối cấp tỉnh", "điều phối tp",
            "province coordinator", "province_coordinator", "city coordinator",
        ),
        Role.ADMIN.value: ("quản trị", "quản trị viên", "admin", "administrator"),
    }).items()
}

_LANGUAGES: dict[str, str] = _aliases({
    "vi": ("vi", "vie", "vn", "tiếng việt", "việt", "vietnamese"),
    "en": ("en", "eng", "english", "tiếng anh", "anh"),
})

_KINDS: dict[str, str] = _aliases({
    "hamlet": ("ấp", "hamlet", "thôn", "bản", "ấp/thôn", "village"),
    "area": ("khu vực", "kv", "area", "khóm", "khu phố", "tổ dân phố", "tdp", "neighbourhood",
             "neighborhood"),
    "commune": ("xã", "phường", "xã/phường", "phường/xã", "cấp xã", "commune", "ward",
                "đặc khu"),
})

# A team name's leading words (folded) → (kind, canonical prefix or None to keep as typed).
_TEAM_PREFIXES: tuple[tuple[tuple[str, ...], TeamKind, str | None], ...] = (
    (("khu", "vuc"), "area", "Khu vực"),
    (("kv",), "area", "Khu vực"),
    (("khu", "pho"), "area", None),
    (("to", "dan", "pho"), "area", None),
    (("khom",), "area", None),
    (("ap",), "hamlet", "Ấp"),
    (("thon",), "hamlet", None),
    (("ban",), "hamlet", None),
)
_GLUED = re.compile(r"^(kv|ap)\.?\s*(\d.*)$")
_TEAM_NOISE = re.compile(
    r"^t[oổ]\s+(c[oô]ng\s+ngh[eệ]\s+s[oố](\s+c[oộ]ng\s+[dđ][oồ]ng)?|cns)\s*", re.IGNORECASE)
_COMMUNE_TEAM_WORDS = {"xa", "phuong", "to xa", "to phuong", "cap xa", "to cap xa", "commune"}


def parse_role(value: str) -> Role | None:
    """Role from typed text ("To truong" → TEAM_LEADER); blank is MEMBER; None if unknown."""
    key = fold(value)
    if not key:
        return Role.MEMBER
    return _ROLES.get(key)


def parse_language(value: str) -> tuple[bool, Language | None]:
    """(recognised, language); blank → (True, None)."""
    key = fold(value)
    if not key:
        return True, None
    found = _LANGUAGES.get(key)
    if found == "vi":
        return True, "vi"
    if found == "en":
        return True, "en"
    return False, None


def parse_kind(value: str) -> tuple[bool, TeamKind | None]:
    key = fold(value)
    if not key:
        return True, None
    found = _KINDS.get(key)
    if found == "hamlet":
        return True, "hamlet"
    if found == "area":
        return True, "area"
    if found == "commune":
        return True, "commune"
    return False, None


def _capitalise(rest: str) -> str:
    # Keep the user's casing unless everything was typed in lower case.
    return rest.title() if rest == rest.lower() else rest


@lru_cache(maxsize=1 << 14)
def split_team_name(name: str) -> tuple[TeamKind | None, str | None, str]:
    """(kind from prefix, canonical prefix, rest): "kv3" → ("area", "Khu vực", "3").

    A leading "Tổ CNS"/"Tổ công nghệ số (cộng đồng)" is dropped. With no recognised prefix the
    result is (None, None, name).
    """
    text = _TEAM_NOISE.sub("", tidy(name)).strip()
    folded_text = fold(text)
    glued = _GLUED.match(folded_text)
    if glued and len(folded_text) == len(text):
        glued_kind: TeamKind = "area" if glued.group(1) == "kv" else "hamlet"
        return (glued_kind, "Khu vực" if glued_kind == "area" else "Ấp",
                _capitalise(text[glued.start(2):]))
    words = text.split(" ")
    folded = [fold(word).rstrip(".") for word in words]
    if len(words) > 1 and folded[0] == "to":
        if folded[1] in ("ap", "khu", "kv", "khom", "thon", "ban"):
            return split_team_name(" ".join(words[1:]))  # "Tổ ấp Thạnh Lợi"
        if folded[1][:1].isdigit():
            return "area", "Tổ", " ".join(words[1:])  # "Tổ 5": a tổ dân phố
    for prefix, kind, canonical in _TEAM_PREFIXES:
        n = len(prefix)
        if len(words) > n and tuple(folded[:n]) == prefix:
            typed = " ".join(words[:n])
            shown = canonical if canonical is not None else typed[0].upper() + typed[1:]
            return kind, shown, _capitalise(" ".join(words[n:]))
    return None, None, text


@lru_cache(maxsize=1 << 14)
def team_display_name(name: str, kind: TeamKind, commune: Commune) -> str:
    """The canonical team name: "ap thanh loi" → "Ấp Thạnh Lợi", "3" (area) → "Khu vực 3"."""
    if kind == "commune":
        return commune.name
    _, prefix, rest = split_team_name(name)
    if prefix is None:
        prefix = "Ấp" if kind == "hamlet" else "Khu vực"
        rest = _capitalise(rest)
    return f"{prefix} {rest}"


def _looks_like_commune_team(name: str, commune: Commune) -> bool:
    key = fold(name)
    return key in _COMMUNE_TEAM_WORDS or name_key(name) == name_key(commune.name)


# ---------------------------------------------------------------- validation


@dataclass
class _TeamDraft:
    commune_code: str
    name: str
    kind: TeamKind
    former_district: str | None
    former_commune: str | None
    sheet: str
    row: int


@dataclass
class _State:
    index: CommuneIndex
    errors: list[RowError] = field(default_factory=list)
    teams: dict[tuple[str, str], _TeamDraft] = field(default_factory=dict)
    phones: dict[str, tuple[str, int]] = field(default_factory=dict)
    people: dict[tuple[str, str, str], tuple[str, int]] = field(default_factory=dict)
    members: list[MemberRecord] = field(default_factory=list)
    #: Rows whose commune lies in another province, by that province's code.
    elsewhere: Counter[str] = field(default_factory=Counter)
    #: Rows whose commune is one of the province's own.
    at_home: int = 0


class _Row:
    """Helpers bound to one row: reading values and recording errors."""

    def __init__(self, state: _State, sheet: RawSheet, raw: RawRow) -> None:
        self.state = state
        self.sheet = sheet
        self.raw = raw
        self.failed = False

    def get(self, name: Field) -> str:
        return tidy(self.raw.get(name))

    def error(self, key: str, column: Field | None = None, /, **params: str) -> None:
        self.failed = True
        header = self.sheet.headers.get(column) if column is not None else None
        self.state.errors.append(RowError(sheet=self.raw.sheet, row=self.raw.row, column=header,
                                          code=f"registry.error.{key}", params=params))

    def where(self, sheet: str, row: int) -> str:
        return str(row) if sheet == self.raw.sheet else f"{row} ({sheet})"

    def commune(self) -> Commune | None:
        """The commune of the row (None, without error, when both columns are blank)."""
        found = self._commune()
        self.state.at_home += found is not None
        return found

    def _commune(self) -> Commune | None:
        code_text = self.get(Field.COMMUNE_CODE)
        name_text = self.get(Field.COMMUNE_NAME)
        index = self.state.index
        if code_text:
            normalized = normalize_code(code_text)
            by_code = index.by_code(normalized) if normalized else None
            if by_code is None:
                if normalized is None and not name_text:
                    # A name typed in the code column: be forgiving.
                    return self._by_name(code_text, Field.COMMUNE_CODE)
                elsewhere = commune_anywhere(normalized) if normalized else None
                if elsewhere is not None and index.province is not None:
                    self.state.elsewhere[elsewhere.province_code] += 1
                    self.error("other_province", Field.COMMUNE_CODE, value=code_text,
                               commune=elsewhere.name,
                               province=province_info(elsewhere.province_code).name,
                               ours=index.province.name)
                    return None
                self.error("unknown_commune", Field.COMMUNE_CODE, value=code_text)
                return None
            if name_text and by_code not in index.find(name_text):
                self.error("code_name_mismatch", Field.COMMUNE_NAME, code=code_text,
                           name=name_text)
                return None
            return by_code
        if name_text:
            return self._by_name(name_text, Field.COMMUNE_NAME)
        return None

    def _by_name(self, text: str, column: Field) -> Commune | None:
        try:
            return self.state.index.resolve(text)
        except UnknownCommune as exc:
            if not self._named_elsewhere(text, column):
                self._lookup_error(exc, column)
            return None
        except CommuneLookupError as exc:
            self._lookup_error(exc, column)
            return None

    def _named_elsewhere(self, text: str, column: Field) -> bool:
        """A name found only in other provinces: say which, rather than "not found"."""
        ours = self.state.index.province
        if ours is None:
            return False
        codes = sorted({c.province_code for c in national_index().find(text)} - {ours.code})
        if not codes:
            return False
        if len(codes) == 1:
            self.state.elsewhere[codes[0]] += 1
        self.error("other_province_name", column, value=tidy(text), ours=ours.name,
                   provinces=", ".join(province_info(code).name for code in codes))
        return True

    def _lookup_error(self, exc: CommuneLookupError, column: Field) -> None:
        self.failed = True
        header = self.sheet.headers.get(column)
        self.state.errors.append(RowError(sheet=self.raw.sheet, row=self.raw.row,
                                          column=header, code=exc.code, params=exc.params))

    def team(self, commune: Commune) -> _TeamDraft | None:
        """Parse the team columns of the row and register the team; None on error."""
        typed = self.get(Field.TEAM)
        kind_text = self.get(Field.TEAM_KIND)
        known, kind = parse_kind(kind_text)
        if not known:
            self.error("unknown_kind", Field.TEAM_KIND, value=kind_text)
            return None
        prefix_kind, _, rest = split_team_name(typed)
        if not rest:
            self.error("missing_team", Field.TEAM)
            return None
        if kind is None:
            if prefix_kind is not None:
                kind = prefix_kind
            elif _looks_like_commune_team(typed, commune):
                kind = "commune"
            else:
                kind = "area" if commune.division_type == "phường" else "hamlet"
        elif kind != "commune" and prefix_kind is not None and prefix_kind != kind:
            self.error("kind_mismatch", Field.TEAM_KIND, kind=kind_text, name=typed)
            return None
        name = team_display_name(typed, kind, commune)
        if len(name) > MAX_TEAM_NAME:
            self.error("team_name_too_long", Field.TEAM, max=str(MAX_TEAM_NAME))
            return None
        draft = _TeamDraft(
            commune_code=commune.code, name=name, kind=kind,
            former_district=self.get(Field.FORMER_DISTRICT) or None,
            former_commune=self.get(Field.FORMER_COMMUNE) or None,
            sheet=self.raw.sheet, row=self.raw.row,
        )
        key = (commune.code, fold(name))
        existing = self.state.teams.get(key)
        if existing is None:
            self.state.teams[key] = draft
            return draft
        conflicts = existing.kind != draft.kind or any(
            mine is not None and theirs is not None and fold(mine) != fold(theirs)
            for mine, theirs in (
                (draft.former_district, existing.former_district),
                (draft.former_commune, existing.former_commune),
            )
        )
        if conflicts:
            self.error("team_conflict", Field.TEAM, team=existing.name,
                       other_row=self.where(existing.sheet, existing.row))
            return None
        existing.former_district = existing.former_district or draft.former_district
        existing.former_commune = existing.former_commune or draft.former_commune
        return existing


def _team_row(state: _State, sheet: RawSheet, raw: RawRow) -> None:
    row = _Row(state, sheet, raw)
    commune = row.commune()
    if commune is None:
        if not row.failed:
            row.error("missing_commune", Field.COMMUNE_NAME)
        if not row.get(Field.TEAM):
            row.error("missing_team", Field.TEAM)
        return
    row.team(commune)


def _member_row(state: _State, sheet: RawSheet, raw: RawRow) -> None:
    row = _Row(state, sheet, raw)
    typed = row.get(Field.FULL_NAME)
    full_name = person_name(typed)
    if not typed:
        row.error("missing_name", Field.FULL_NAME)
    elif len(typed) > MAX_PERSON_NAME:
        row.error("name_too_long", Field.FULL_NAME, max=str(MAX_PERSON_NAME))
    elif full_name is None:
        row.error("bad_name", Field.FULL_NAME, value=typed)

    role_text = row.get(Field.ROLE)
    role = parse_role(role_text)
    if role is None:
        row.error("unknown_role", Field.ROLE, value=role_text)

    language_text = row.get(Field.LANGUAGE)
    known, language = parse_language(language_text)
    if not known:
        row.error("unknown_language", Field.LANGUAGE, value=language_text)

    phone: str | None = None
    try:
        phone = normalize_phone(row.get(Field.PHONE))
    except InvalidPhone as exc:
        row.error("bad_phone", Field.PHONE, value=exc.value)

    commune = row.commune()
    commune_failed = row.failed and commune is None and bool(
        row.get(Field.COMMUNE_CODE) or row.get(Field.COMMUNE_NAME))
    team: _TeamDraft | None = None
    if row.get(Field.TEAM):
        if commune is not None:
            team = row.team(commune)
        elif not commune_failed:
            row.error("missing_commune", Field.COMMUNE_NAME)
    elif role is None or role in _NEEDS_TEAM:
        row.error("missing_team", Field.TEAM)
    if role == Role.COMMUNE_COORDINATOR and commune is None and not commune_failed \
            and not row.get(Field.TEAM):
        row.error("missing_commune", Field.COMMUNE_NAME)

    if phone is not None:
        first = state.phones.get(phone)
        if first is None:
            state.phones[phone] = (raw.sheet, raw.row)
        else:
            row.error("duplicate_phone", Field.PHONE, value=phone,
                      other_row=row.where(*first))
    elif full_name and commune is not None and team is not None:
        person = (commune.code, fold(team.name), fold(full_name))
        first = state.people.get(person)
        if first is None:
            state.people[person] = (raw.sheet, raw.row)
        else:
            row.error("duplicate_member", Field.FULL_NAME, name=full_name,
                      other_row=row.where(*first))

    if row.failed or role is None or full_name is None:
        return
    state.members.append(MemberRecord(
        row=raw.row, sheet=raw.sheet,
        commune_code=commune.code if commune is not None else None,
        team_name=team.name if team is not None else None,
        full_name=full_name, phone=phone, role=role, language=language,
    ))


def validate(raw: RawRegistry, index: CommuneIndex) -> RegistryPlan:
    """Check every row of a read registry against the communes of ``index`` (the official list
    of the bot's province); collect all errors, and the teams and members."""
    state = _State(index=index)
    # Teams sheets first: their spelling of a team name is the one kept.
    for sheet in sorted(raw.sheets, key=lambda s: s.kind != "teams"):
        for raw_row in sheet.rows:
            if sheet.kind == "teams":
                _team_row(state, sheet, raw_row)
            else:
                _member_row(state, sheet, raw_row)
    teams = [
        TeamRecord(commune_code=d.commune_code, name=d.name, kind=d.kind,
                   former_district=d.former_district, former_commune=d.former_commune)
        for d in state.teams.values()
    ]
    if index.province is not None and sum(state.elsewhere.values()) >= max(1, state.at_home):
        # As many rows elsewhere as at home: most likely another province's registry (or two
        # merged). Say so once, before the rows; a stray row or two only gets its row error.
        state.errors.append(RowError(
            sheet="", row=0, column=None, code="registry.error.wrong_province",
            params={"count": str(sum(state.elsewhere.values())), "ours": index.province.name,
                    "provinces": ", ".join(province_info(code).name
                                           for code, _ in state.elsewhere.most_common())}))
    errors = sorted(state.errors, key=lambda e: (
        [s.name for s in raw.sheets].index(e.sheet) if e.sheet in
        [s.name for s in raw.sheets] else -1, e.row))
    return RegistryPlan(teams=teams, members=state.members, errors=errors)


def plan_from_file(data: bytes, filename: str, province_code: str) -> RegistryPlan:
    """Read and validate against the province's communes; a file-level problem becomes the
    plan's only error (row 0).

    A targets sheet comes along (bot/core/registry/targets_sheet.py); a file holding only
    targets is fine.
    """
    index = CommuneIndex.official(province_code)
    targets = read_targets(data, index)
    try:
        raw = read_registry(data, filename)
    except RegistryFileError as exc:
        if targets.found and exc.code in ("registry.error.no_header", "registry.error.no_rows"):
            return RegistryPlan(teams=[], members=[], errors=_target_errors(targets),
                                targets=targets.records)
        return RegistryPlan(teams=[], members=[], errors=[file_error(exc)])
    plan = validate(raw, index)
    return RegistryPlan(teams=plan.teams, members=plan.members, targets=targets.records,
                        errors=[*plan.errors, *_target_errors(targets)])


def _target_errors(targets: TargetsSheet) -> list[RowError]:
    return [RowError(sheet=sheet, row=row, column=column, code=code, params=params)
            for sheet, row, column, code, params in targets.problems]


def file_error(exc: RegistryFileError) -> RowError:
    return RowError(sheet=exc.params.get("sheet", ""), row=0, column=None, code=exc.code,
                    params=exc.params)


# ---------------------------------------------------------------- rendering


class Translate(Protocol):
    def __call__(self, lang: str | None, key: str, /, **params: object) -> str: ...


def _localised_params(translate: Translate, lang: str | None,
                      params: dict[str, str]) -> dict[str, str]:
    out = dict(params)
    if "columns" in out:
        out["columns"] = ", ".join(
            translate(lang, f"registry.column.{name}") for name in out["columns"].split(",")
            if name)
    return out


def render_error(translate: Translate, lang: str | None,
                 err: RowError | RegistryFileError) -> str:
    """One error as a sentence: "Thành viên, dòng 14: số điện thoại «0123» không hợp lệ..."."""
    if isinstance(err, RegistryFileError):
        err = file_error(err)
    message = translate(lang, err.code, **_localised_params(translate, lang, err.params))
    if err.row <= 0:
        return message
    prefix = translate(lang, "registry.error.row_prefix", sheet=err.sheet, row=str(err.row))
    return f"{prefix} {message}"


__all__ = [
    "MemberRecord",
    "RegistryPlan",
    "RowError",
    "TeamRecord",
    "Translate",
    "UnknownCommune",
    "file_error",
    "parse_kind",
    "parse_language",
    "parse_role",
    "plan_from_file",
    "render_error",
    "split_team_name",
    "team_display_name",
    "validate",
]
