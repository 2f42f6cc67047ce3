"""Repositories: small classes bound to one connection, returning pydantic models.

Reads use ``Repos(db.reader)``; writes run inside ``async with db.write() as conn`` with
``Repos(conn)``, so several repository calls commit or roll back together.
"""

from __future__ import annotations

import aiosqlite

from storage.repos.access import AccessRepo
from storage.repos.activity import ActivityRepo
from storage.repos.allowance import AllowanceRuleRepo
from storage.repos.audience import AudienceRepo
from storage.repos.audit import AuditRepo
from storage.repos.categories import CategoryRepo
from storage.repos.chats import ChatRepo
from storage.repos.exports import ExportRepo
from storage.repos.file_links import FileLinkRepo
from storage.repos.geo import GeoRepo
from storage.repos.health import HealthRepo
from storage.repos.inbox import InboxRepo
from storage.repos.invitations import InvitationRepo
from storage.repos.join_guard import JoinGuardRepo
from storage.repos.members import MemberRepo
from storage.repos.outbox import OutboxRepo
from storage.repos.pauses import PauseRepo
from storage.repos.pending_imports import PendingImportRepo
from storage.repos.people import PeopleRepo
from storage.repos.privacy import PrivacyRepo
from storage.repos.retention import RetentionRepo
from storage.repos.schedules import ScheduleRepo
from storage.repos.sessions import SessionRepo
from storage.repos.steering import SteeringRepo
from storage.repos.targets import TargetRepo
from storage.repos.teams import TeamRepo
from storage.repos.weekly import WeeklyRepo
from storage.repos.zalo import ZaloRepo

__all__ = ["Repos"]


class Repos:
    def __init__(self, conn: aiosqlite.Connection) -> None:
        self.conn = conn
        self.geo = GeoRepo(conn)
        self.teams = TeamRepo(conn)
        self.members = MemberRepo(conn)
        self.access = AccessRepo(conn)
        self.invitations = InvitationRepo(conn)
        self.audit = AuditRepo(conn)
        self.chats = ChatRepo(conn)
        self.inbox = InboxRepo(conn)
        self.categories = CategoryRepo(conn)
        self.sessions = SessionRepo(conn)
        self.activity = ActivityRepo(conn)
        self.audience = AudienceRepo(conn)
        self.outbox = OutboxRepo(conn)
        self.schedules = ScheduleRepo(conn)
        self.weekly = WeeklyRepo(conn)
        self.people = PeopleRepo(conn)
        self.exports = ExportRepo(conn)
        self.pending_imports = PendingImportRepo(conn)
        self.zalo = ZaloRepo(conn)
        self.privacy = PrivacyRepo(conn)
        self.join_guard = JoinGuardRepo(conn)
        self.retention = RetentionRepo(conn)
        # Steering and paying (issue 13).
        self.steering = SteeringRepo(conn)
        self.targets = TargetRepo(conn)
        self.allowance = AllowanceRuleRepo(conn)
        self.pauses = PauseRepo(conn)
        self.file_links = FileLinkRepo(conn)
        self.health = HealthRepo(conn)
