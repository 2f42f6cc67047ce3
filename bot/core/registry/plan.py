"""The plan a registry validates into: teams, members, targets and every row error.

The plan is pure data; the storage layer upserts it by natural keys (see each record's ``key``).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

from bot.core.i18n import Language
from bot.core.registry.raw_sheet import RegistryFileError
from bot.core.registry.targets_sheet import TargetRecord
from bot.core.roles import Role
from bot.core.text import fold

TeamKind = Literal["hamlet", "area", "commune"]


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


def file_error(exc: RegistryFileError) -> RowError:
    return RowError(sheet=exc.params.get("sheet", ""), row=0, column=None, code=exc.code,
                    params=exc.params)
