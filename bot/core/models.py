"""Rows as pydantic models: what repositories return."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from bot.core.flows import FlowState
from bot.core.permissions import ScopeKind
from bot.core.roles import Role

Channel = Literal["telegram", "zalo"]
TeamKind = Literal["hamlet", "area", "commune"]


class _Row(BaseModel):
    model_config = ConfigDict(frozen=True)


class Province(_Row):
    code: str
    name: str


class Commune(_Row):
    code: str
    province_code: str
    name: str
    division_type: str
    former_district: str | None = None


class Team(_Row):
    id: int
    commune_code: str
    commune_name: str
    province_code: str
    name: str
    kind: TeamKind
    former_district: str | None = None
    former_commune: str | None = None
    active: bool = True


class Member(_Row):
    id: int
    team_id: int | None
    full_name: str
    phone: str | None
    language: Literal["vi", "en"] | None
    active: bool
    created_at: datetime


class Identity(_Row):
    channel: Channel
    external_id: str
    member_id: int
    chat_id: str
    linked_at: datetime


class RoleGrant(_Row):
    member_id: int
    role: Role
    scope_kind: ScopeKind
    scope_id: str


class Invitation(_Row):
    code: str
    role: Role
    team_id: int | None
    commune_code: str | None
    province_code: str | None
    member_id: int | None
    max_uses: int | None
    uses: int
    expires_at: datetime | None
    created_by: int | None
    created_at: datetime
    revoked_at: datetime | None


class AuditEntry(_Row):
    id: int
    at: datetime
    actor_member_id: int | None
    actor_name: str | None
    action: str
    target: str | None
    details: dict[str, Any]


class ChatFlow(_Row):
    """A chat's flow in progress: its stored name, and its state when that name and data are a
    flow of this bot (None: unknown or damaged, answered as an expired flow)."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    channel: Channel
    chat_id: str
    name: str
    state: FlowState | None
    updated_at: datetime


class Category(_Row):
    id: int
    code: str
    label_vi: str
    label_en: str
    emoji: str
    aliases: tuple[str, ...]
    position: int
    active: bool

    def label(self, lang: str) -> str:
        return self.label_en if lang == "en" else self.label_vi


class Session(_Row):
    """One logged assistance session (``deleted_at`` set once undone)."""

    id: int
    member_id: int
    team_id: int | None
    commune_code: str | None
    category_id: int
    citizens: int
    session_date: date
    note: str | None
    photo_ref: str | None
    channel: Channel
    created_at: datetime
    deleted_at: datetime | None
