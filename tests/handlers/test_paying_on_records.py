"""Paying on the records, end to end through the sandbox on Telegram and Zalo, in Vietnamese and
English: the allowance sheets of a month in which a member moved and a team was created, under
the three provinces' rules (amounts worked out by hand), and a month locked by its approval
until it is reopened."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from openpyxl import load_workbook

from bot.app.demo import PERSONA_IDS
from bot.sandbox import SandboxUser
from bot.sandbox.zalo_testing import SandboxZaloUser
from handlers.steering.approval_reminders import enqueue_approval_reminders
from storage.repos import Repos
from tests.harness.world import World
from tests.harness.zalo_world import ZaloWorld

MID_NOVEMBER = datetime(2026, 11, 16, 2, 0, tzinfo=UTC)   # Monday 16/11, 09:00 in Vietnam
DECEMBER = datetime(2026, 12, 2, 2, 0, tzinfo=UTC)        # November is over
SANG = "Nguyễn Thanh Sang"
NEW_TEAM = "Ấp Tân Lập"

TEXT = {
    "vi": {"save": "✅ Lưu", "saved": "Đã lưu", "sheet": "Phụ cấp 2026-11", "member": "Thành viên",
           "completeness": "Đầy đủ báo cáo",
           "team_total": "Cộng tổ", "not_approved": "Xã Vị Thủy: CHƯA DUYỆT",
           "approved": "Xã Vị Thủy: đã duyệt bởi", "locked": "🔒 tháng 11/2026 của Xã Vị Thủy",
           "reopen_hint": "điều phối viên tỉnh/thành phố hoặc quản trị viên"},
    "en": {"save": "✅ Save", "saved": "Saved", "sheet": "Allowance 2026-11", "member": "Member",
           "completeness": "Completeness",
           "team_total": "Team total", "not_approved": "Xã Vị Thủy: NOT APPROVED",
           "approved": "Xã Vị Thủy: approved by", "locked": "🔒 Nov 2026 of Xã Vị Thủy",
           "reopen_hint": "a province coordinator or an admin"},
}


@dataclass
class Member:
    """Sang on the channel under test, in the language under test."""

    channel: str
    user: SandboxUser | SandboxZaloUser
    lang: str

    async def log(self, *words: str) -> str:
        """The one-line /log, then Save; the bot's answer to Save."""
        if isinstance(self.user, SandboxUser):
            await self.user.command("log", *words)
            await self.user.next_message()
            await self.user.press(TEXT[self.lang]["save"])
            return (await self.user.next_message()).text
        await self.user.send(" ".join(("/log", *words)))
        summary = await self.user.next_message()
        await self.user.choose(TEXT[self.lang]["save"], summary)
        return (await self.user.next_message()).text


LANGS = pytest.mark.parametrize("lang", ["vi", "en"])


async def _sang(world: World, user: SandboxUser | SandboxZaloUser, channel: str,
                lang: str) -> Member:
    """Sang on ``channel`` in ``lang``, in a world with none of the demo's sample activity."""
    async with world.services.db.write() as conn:
        await conn.execute("DELETE FROM sessions")
    await user.send(f"/lang {lang}")   # whatever the demo persona speaks
    await user.next_message()
    return Member(channel, user, lang)


async def on_telegram(world: World, lang: str) -> Member:
    return await _sang(world, world.person("member_2"), "telegram", lang)


async def on_zalo(zworld: ZaloWorld, lang: str) -> Member:
    return await _sang(zworld.world, zworld.person("member_2"), "zalo", lang)


async def _mid_november_changes(world: World) -> None:
    """On 16/11 the commune coordinator adds a team and moves Sang into it (the chat flows)."""
    world.clock.now = MID_NOVEMBER
    coordinator = world.person("commune_coordinator")
    await coordinator.command("team", "add", NEW_TEAM)
    assert NEW_TEAM in (await coordinator.next_message()).text
    await coordinator.command("member", "thanh sang")
    await coordinator.next_message()
    await coordinator.press("🔀 Chuyển tổ")
    await coordinator.next_message()
    await coordinator.press(NEW_TEAM)
    await coordinator.next_message()
    await coordinator.press("✅ Xác nhận")
    assert "Đã chuyển" in (await coordinator.next_message()).text
    world.clock.now = DECEMBER


async def _sang_logs_november(sang: Member) -> None:
    """Typed on 2/12: two days in Ấp 1 before the move, two days (three sessions) after it."""
    for words in (("cks", "2", "05/11"), ("cks", "3", "10/11"), ("cks", "1", "20/11"),
                  ("cks", "4", "25/11"), ("vneid", "1", "25/11")):
        assert TEXT[sang.lang]["saved"] in await sang.log(*words)


Row = tuple[Any, ...]


async def _export(world: World, lang: str, rule: str | None = None
                  ) -> tuple[str, dict[tuple[str, str], Row], dict[str, Row], list[Row]]:
    """Set the rule for November (admin), export November for the commune (coordinator, in
    ``lang``); (preamble text, member rows by (team, name), team total rows by team, the rows
    of the completeness sheet)."""
    if rule is not None:
        admin = world.person("admin")
        await admin.command("allowance", "từ", "2026-11", *rule.split())
        await admin.next_message()
    coordinator = world.person("commune_coordinator")
    await coordinator.command("export", "2026-11")
    message = await coordinator.wait_for(lambda m: m.document is not None, timeout=30)
    book = load_workbook(io.BytesIO(await coordinator.download(message)))
    rows = list(book[TEXT[lang]["sheet"]].iter_rows(values_only=True))
    head = next(i for i, r in enumerate(rows) if r[2] == TEXT[lang]["member"])
    members: dict[tuple[str, str], Row] = {}
    teams: dict[str, Row] = {}
    for r in rows[head + 1:]:
        if r[2] and str(r[2]).startswith(TEXT[lang]["team_total"]):
            teams[str(r[1])] = r
        elif r[1]:
            members[(str(r[1]), str(r[2]))] = r
    preamble = "\n".join(str(r[0]) for r in rows[:head] if r and r[0])
    completeness = list(book[TEXT[lang]["completeness"]].iter_rows(values_only=True))
    return preamble, members, teams, completeness


@LANGS
async def test_a_move_and_a_new_team_mid_month_on_telegram(world: World, lang: str) -> None:
    await _move_and_new_team(world, await on_telegram(world, lang))


@LANGS
async def test_a_move_and_a_new_team_mid_month_on_zalo(zworld: ZaloWorld, lang: str) -> None:
    await _move_and_new_team(zworld.world, await on_zalo(zworld, lang))


async def _move_and_new_team(world: World, sang: Member) -> None:
    """The allowance sheets of a month with a member moved and a team created mid-month."""
    await _mid_november_changes(world)
    await _sang_logs_november(sang)
    coordinator = world.person("commune_coordinator")
    await coordinator.command("lang", sang.lang)
    await coordinator.next_message()

    # Hà Tĩnh: 600,000 đ per team-month; the team created on 16/11 is paid for November.
    preamble, members, teams, completeness = await _export(world, sang.lang, "team 600000")
    assert TEXT[sang.lang]["not_approved"] in preamble
    # (days on duty, sessions, citizens) under each team for his days there
    assert members[("Ấp 1", SANG)][3:6] == (2, 2, 5)
    assert members[(NEW_TEAM, SANG)][3:6] == (2, 3, 6)
    assert len([k for k in members if k[0] == "Ấp 1"]) == 9      # Sang listed in both teams
    assert [k for k in members if k[0] == NEW_TEAM] == [(NEW_TEAM, SANG)]
    assert (teams["Ấp 1"][9], teams["Ấp 1"][10]) == (600_000, 600_000)
    assert (teams[NEW_TEAM][9], teams[NEW_TEAM][10]) == (600_000, 600_000)
    # Completeness per team: members of November, sessions, on time (all typed on 2/12: late)
    per_team = {r[1]: r for r in completeness if r[0] == "Xã Vị Thủy" and isinstance(r[1], str)}
    assert per_team[NEW_TEAM][2:7] == (1, 1, 3, 0, 0)
    assert per_team["Ấp 1"][4:6] == (2, 0)

    # Bình Dương: 60,000 đ per member + 150,000 đ per day on duty; Sang's monthly part once,
    # under the team he ended the month in.
    _, members, teams, _ = await _export(world, sang.lang, "member 60000 day 150000")
    assert members[("Ấp 1", SANG)][6:11] == (0, 300_000, 0, None, 300_000)
    assert members[(NEW_TEAM, SANG)][6:11] == (60_000, 300_000, 0, None, 360_000)
    assert teams["Ấp 1"][10] == 8 * 60_000 + 300_000                 # 780,000
    assert teams[NEW_TEAM][10] == 360_000

    # Đà Nẵng: 300,000 đ per team, of which 50,000 đ per person-day.
    _, members, teams, _ = await _export(world, sang.lang, "team 300000 day 50000 cap 300000")
    assert members[("Ấp 1", SANG)][10] == 100_000
    assert (teams["Ấp 1"][9], teams["Ấp 1"][10]) == (200_000, 300_000)
    assert members[(NEW_TEAM, SANG)][10] == 100_000
    assert (teams[NEW_TEAM][9], teams[NEW_TEAM][10]) == (200_000, 300_000)


@LANGS
async def test_an_approved_month_refuses_logging_until_reopened_on_telegram(
        world: World, lang: str) -> None:
    await _lock_and_reopen(world, await on_telegram(world, lang))


@LANGS
async def test_an_approved_month_refuses_logging_until_reopened_on_zalo(
        zworld: ZaloWorld, lang: str) -> None:
    await _lock_and_reopen(zworld.world, await on_zalo(zworld, lang))


async def _lock_and_reopen(world: World, sang: Member) -> None:
    """Approved: the member is refused; reopened (audited): accepted; approved again."""
    world.clock.now = DECEMBER
    assert TEXT[sang.lang]["saved"] in await sang.log("cks", "2", "05/11")

    coordinator = world.person("commune_coordinator")
    await coordinator.command("lang", "vi")
    await coordinator.next_message()
    await coordinator.command("approve")
    summary = await coordinator.next_message()
    assert "📋 Duyệt số liệu tháng 11/2026 — Xã Vị Thủy" in summary.text
    assert "• 1 buổi hỗ trợ · 2 lượt người dân" in summary.text
    assert "• Ghi đúng hạn (trong 3 ngày): 0/1 buổi" in summary.text
    await coordinator.press("✅ Duyệt tháng")
    assert "✅ Đã duyệt tháng 11/2026 của Xã Vị Thủy." in (await coordinator.next_message()).text

    refused = await sang.log("cks", "3", "20/11")
    assert TEXT[sang.lang]["locked"] in refused
    assert TEXT[sang.lang]["reopen_hint"] in refused
    read = world.services.read
    member = await read.members.by_identity("telegram", str(PERSONA_IDS["member_2"]))
    assert member is not None
    assert [s.citizens for s in await read.sessions.latest_of(member.id)] == [2]

    member_1 = world.person("member_1")          # not a coordinator: /reopen is not theirs
    await member_1.command("reopen", "2026-11", "Vị", "Thủy", "xin")
    assert "Đã mở lại" not in (await member_1.next_message()).text

    province = world.person("province_coordinator")
    await province.command("reopen", "2026-11", "Vị", "Thủy", "bổ sung buổi ngày 20/11")
    assert "🔓 Đã mở lại tháng 11/2026 của Xã Vị Thủy." in (await province.next_message()).text
    audit = await world.services.db.reader.execute_fetchall(
        "SELECT target, details FROM audit_log WHERE action = 'month.reopen'")
    assert [(r[0], "bổ sung buổi ngày 20/11" in r[1]) for r in audit] == [("31441 2026-11", True)]

    assert TEXT[sang.lang]["saved"] in await sang.log("cks", "3", "20/11")
    assert sorted(s.citizens for s in await read.sessions.latest_of(member.id)) == [2, 3]

    await coordinator.command("approve", "2026-11")              # approved again: a new record
    await coordinator.next_message()
    await coordinator.press("✅ Duyệt tháng")
    await coordinator.next_message()
    preamble, _, _, _ = await _export(world, "vi")
    assert "Xã Vị Thủy: đã duyệt bởi" in preamble


async def test_coordinators_are_reminded_of_a_past_month_not_approved(
        quiet_world: World) -> None:
    world = quiet_world
    services = world.services
    world.clock.now = DECEMBER
    mai = world.person("member_1")
    await mai.command("lang", "vi")
    await mai.next_message()
    await mai.command("log", "cks", "2", "05/11")
    await mai.next_message()
    await mai.press("✅ Lưu")
    await mai.next_message()

    async def reminded() -> list[str]:
        rows = await services.db.reader.execute_fetchall(
            "SELECT payload FROM outbox WHERE kind = 'approve-reminder' ORDER BY id")
        return [str(r[0]) for r in rows]

    assert await enqueue_approval_reminders(services, DECEMBER, DECEMBER) == 1
    [payload] = await reminded()
    assert "11/2026 của Xã Vị Thủy chưa được duyệt" in payload
    assert await enqueue_approval_reminders(services, DECEMBER, DECEMBER) == 0   # once a week
    async with services.db.write() as conn:
        await Repos(conn).approvals.approve("commune", "31441", date(2026, 11, 1), by=None,
                                            now=DECEMBER, summary={})
    next_week = DECEMBER + timedelta(days=7)
    world.clock.now = next_week
    assert await enqueue_approval_reminders(services, next_week, next_week) == 0
