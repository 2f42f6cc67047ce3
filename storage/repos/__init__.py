"""Repositories: small classes bound to one connection, returning pydantic models.

Reads use ``Repos(db.reader)``; writes run inside ``async with db.write() as conn`` with
``Repos(conn)``, so several repository calls commit or roll back together.
"""

from __future__ import annotations

from functools import cached_property

import aiosqlite

from storage.repos.access import AccessRepo
from storage.repos.activity import ActivityRepo
from storage.repos.allowance import AllowanceRuleRepo
from storage.repos.approvals import ApprovalRepo
from storage.repos.audit import AuditRepo
from storage.repos.categories import CategoryRepo
from storage.repos.chats import ChatRepo
from storage.repos.erasure import ErasureRepo
from storage.repos.evidence import EvidenceRepo
from storage.repos.file_links import FileLinkRepo
from storage.repos.geo import GeoRepo
from storage.repos.history import HistoryRepo
from storage.repos.inbox import InboxRepo
from storage.repos.invitations import InvitationRepo
from storage.repos.join_guard import JoinGuardRepo
from storage.repos.members import MemberRepo
from storage.repos.outbox import OutboxRepo
from storage.repos.pauses import PauseRepo
from storage.repos.pending_imports import PendingImportRepo
from storage.repos.plausibility import PlausibilityRepo
from storage.repos.retention import RetentionRepo
from storage.repos.schedules import ScheduleRepo
from storage.repos.sessions import SessionRepo
from storage.repos.tallies import TallyRepo
from storage.repos.targets import TargetRepo
from storage.repos.teams import TeamRepo
from storage.repos.web_access import WebAccessRepo
from storage.repos.zalo import ZaloRepo

__all__ = ["Repos"]


class Repos:
    """The repositories of one connection, each built on first use: a handler touches two or
    three of them, and building all of them on every ``services.read`` showed in profiles."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self.conn = conn

    @cached_property
    def geo(self) -> GeoRepo:
        return GeoRepo(self.conn)

    @cached_property
    def teams(self) -> TeamRepo:
        return TeamRepo(self.conn)

    @cached_property
    def members(self) -> MemberRepo:
        return MemberRepo(self.conn)

    @cached_property
    def access(self) -> AccessRepo:
        return AccessRepo(self.conn)

    @cached_property
    def invitations(self) -> InvitationRepo:
        return InvitationRepo(self.conn)

    @cached_property
    def audit(self) -> AuditRepo:
        return AuditRepo(self.conn)

    @cached_property
    def chats(self) -> ChatRepo:
        return ChatRepo(self.conn)

    @cached_property
    def inbox(self) -> InboxRepo:
        return InboxRepo(self.conn)

    @cached_property
    def categories(self) -> CategoryRepo:
        return CategoryRepo(self.conn)

    @cached_property
    def sessions(self) -> SessionRepo:
        return SessionRepo(self.conn)

    @cached_property
    def tallies(self) -> TallyRepo:
        return TallyRepo(self.conn)

    @cached_property
    def activity(self) -> ActivityRepo:
        return ActivityRepo(self.conn)

    @cached_property
    def outbox(self) -> OutboxRepo:
        return OutboxRepo(self.conn)

    @cached_property
    def schedules(self) -> ScheduleRepo:
        return ScheduleRepo(self.conn)

    @cached_property
    def pending_imports(self) -> PendingImportRepo:
        return PendingImportRepo(self.conn)

    @cached_property
    def zalo(self) -> ZaloRepo:
        return ZaloRepo(self.conn)

    @cached_property
    def erasure(self) -> ErasureRepo:
        return ErasureRepo(self.conn)

    @cached_property
    def join_guard(self) -> JoinGuardRepo:
        return JoinGuardRepo(self.conn)

    @cached_property
    def retention(self) -> RetentionRepo:
        return RetentionRepo(self.conn)

    @cached_property
    def targets(self) -> TargetRepo:
        return TargetRepo(self.conn)

    @cached_property
    def allowance(self) -> AllowanceRuleRepo:
        return AllowanceRuleRepo(self.conn)

    @cached_property
    def pauses(self) -> PauseRepo:
        return PauseRepo(self.conn)

    @cached_property
    def file_links(self) -> FileLinkRepo:
        return FileLinkRepo(self.conn)

    @cached_property
    def web(self) -> WebAccessRepo:
        return WebAccessRepo(self.conn)

    @cached_property
    def history(self) -> HistoryRepo:
        return HistoryRepo(self.conn)

    @cached_property
    def approvals(self) -> ApprovalRepo:
        return ApprovalRepo(self.conn)

    @cached_property
    def plausibility(self) -> PlausibilityRepo:
        return PlausibilityRepo(self.conn)

    @cached_property
    def evidence(self) -> EvidenceRepo:
        return EvidenceRepo(self.conn)
