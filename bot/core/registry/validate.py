"""Validation of a raw registry into a plan of teams and members, with every row error collected.

The plan is pure data; the storage layer upserts it by natural keys:

* a team by ``(commune_code, fold(name))``;
* a member by phone when there is one, else by ``(commune_code, fold(team_name), fold(full_name))``.

Records are only produced from rows without errors; an import should refuse to apply a plan whose
``errors`` is not empty, and show them (``render_error``, in :mod:`bot.core.registry.error_text`)
so the sender can fix the file. The records are in :mod:`bot.core.registry.plan`, the reading
of roles, languages, team kinds and team names in :mod:`bot.core.registry.cell_values`.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from bot.core.names import MAX_PERSON_NAME, MAX_TEAM_NAME, person_name
from bot.core.registry.cell_values import (
    looks_like_commune_team,
    parse_kind,
    parse_language,
    parse_role,
    split_team_name,
    team_display_name,
)
from bot.core.registry.geo import (
    Commune,
    CommuneIndex,
    CommuneLookupError,
    UnknownCommune,
    commune_anywhere,
    national_index,
    normalize_code,
)
from bot.core.registry.phones import InvalidPhone, normalize_phone
from bot.core.registry.plan import (
    MemberRecord,
    RegistryPlan,
    RowError,
    TeamKind,
    TeamRecord,
    file_error,
)
from bot.core.registry.provinces import province_info
from bot.core.registry.raw_sheet import Field, RawRegistry, RawRow, RawSheet, RegistryFileError
from bot.core.registry.reader import read_registry
from bot.core.registry.targets_sheet import TargetsSheet, read_targets
from bot.core.roles import Role
from bot.core.text import fold, tidy

#: Roles that must belong to a team; a commune coordinator needs a commune; others need nothing.
_NEEDS_TEAM = {Role.MEMBER, Role.TEAM_LEADER}

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
            elif looks_like_commune_team(typed, commune):
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


__all__ = [
    "plan_from_file",
    "validate",
]
