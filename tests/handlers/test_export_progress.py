"""A long /export tells how far it got, then sends a workbook whose figures are the database's.

"Long" without waiting: the clock the bot reads moves a few seconds each time it is read while
the export runs, as it would on a big province (the bot decides from that clock when to show
its progress).
"""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from openpyxl import load_workbook

import handlers.render.workbook
from bot.app.demo import PERSONA_IDS
from bot.sandbox.testing import SandboxMessage
from bot.sandbox.zalo_state import zalo_user_id
from tests.harness.clock import FakeClock
from tests.harness.inprocess import InProcessBot
from tests.harness.world import World

NOV = (date(2026, 11, 1), date(2026, 11, 30))


class TickingClock(FakeClock):
    """A clock that, once given a tick, moves by it every time it is read."""

    def __init__(self, start: datetime) -> None:
        super().__init__(start)
        self.tick = timedelta(0)

    def __call__(self) -> datetime:
        self.now += self.tick
        return self.now


@pytest.fixture
def clock() -> TickingClock:
    return TickingClock(datetime(2026, 11, 23, 2, 0, tzinfo=UTC))  # Monday 09:00 in Vietnam


def _rows(sheet: Any) -> list[tuple[Any, ...]]:
    return list(sheet.iter_rows(values_only=True))


async def _database_figures(world: World) -> tuple[int, int, dict[str, int]]:
    """(sessions, citizens, citizens per commune name) of November, from the raw rows."""
    rows = await world.services.db.reader.execute_fetchall(
        "SELECT c.name, COUNT(*), SUM(s.citizens) FROM sessions s"
        " JOIN communes c ON c.code = s.commune_code"
        " WHERE s.deleted_at IS NULL AND s.session_date BETWEEN ? AND ? GROUP BY c.name",
        [d.isoformat() for d in NOV])
    per_commune = {str(r[0]): int(r[2]) for r in rows}
    return sum(int(r[1]) for r in rows), sum(per_commune.values()), per_commune


async def test_a_long_export_edits_its_message_with_progress_and_the_file_matches_the_data(
        world: World, clock: TickingClock) -> None:
    sessions, citizens, per_commune = await _database_figures(world)
    assert sessions > 100  # the demo's weeks of activity: enough for a long export
    coordinator = world.person("province_coordinator")
    await coordinator.command("export", "tháng", "11/2026")
    picker = await coordinator.next_message()
    clock.tick = timedelta(seconds=1)
    seen: list[SandboxMessage] = []
    try:
        await coordinator.press("Toàn thành phố")

        def finished(message: SandboxMessage) -> bool:
            seen.append(message)
            return message.document is not None

        document = await coordinator.wait_for(finished, timeout=90)
    finally:
        clock.tick = timedelta(0)

    # The place picker became "preparing…", then the progress, edited in place.
    edits = [m for m in seen if m.edited and m.message_id == picker.message_id]
    assert edits[0].text == "⏳ Đang tạo báo cáo Thành phố Cần Thơ, tháng 11/2026…"
    progress = [m.text for m in edits[1:]]
    assert len(progress) >= 2, [m.text for m in seen]
    assert [m for m in seen if not m.edited] == [document]  # nothing else was sent
    number = f"{sessions:,}".replace(",", ".")
    head = "⏳ Đang tạo báo cáo Thành phố Cần Thơ, tháng 11/2026: đã ghi"
    counted = [re.fullmatch(rf"{head} ([\d.]+)/{re.escape(number)} buổi hỗ trợ \((\d+)%\)…",
                            text) for text in progress[:-1]]
    assert all(counted), progress
    done = [int(m[1].replace(".", "")) for m in counted if m]
    assert done == sorted(done)
    assert 0 < done[0] < sessions
    assert [int(m[2]) for m in counted if m] == [100 * d // sessions for d in done]
    assert progress[-1] == f"{head} {number} buổi hỗ trợ, đang làm các bảng tổng hợp…"

    # The file: every session of the month, and the totals of each sheet agree.
    assert f"{number} buổi hỗ trợ" in document.text
    book = load_workbook(io.BytesIO(await coordinator.download(document)))
    listed = _rows(book["Buổi hỗ trợ"])
    body, total = listed[2:-1], listed[-1]
    assert len(body) == sessions
    assert total[4:6] == ("Tổng cộng", citizens)
    assert sum(r[5] for r in body) == citizens
    assert [r[0] for r in body] == sorted(r[0] for r in body)  # day by day
    by_commune: dict[str, int] = {}
    for row in body:
        by_commune[row[1]] = by_commune.get(row[1], 0) + row[5]
    assert by_commune == per_commune

    communes = _rows(book["Theo xã phường"])
    column = communes[1].index("Tổng số người dân")
    sheet = {r[0]: r[column] for r in communes[2:-1]}
    assert {name: v for name, v in sheet.items() if v} == per_commune
    assert communes[-1][0] == "Tổng cộng"
    assert communes[-1][column] == citizens

    for name in ("Theo tổ", "Thành viên theo tháng"):
        rows = _rows(book[name])
        column = rows[1].index("Tổng số người dân")
        assert sum(r[column] for r in rows[2:] if r[0] != "Tổng cộng") == citizens, name


async def test_a_quick_export_shows_no_progress(world: World) -> None:
    coordinator = world.person("commune_coordinator")
    await coordinator.command("export", "tháng", "11/2026")
    seen: list[SandboxMessage] = []

    def finished(message: SandboxMessage) -> bool:
        seen.append(message)
        return message.document is not None

    await coordinator.wait_for(finished, timeout=30)
    assert [m.text for m in seen[:-1]] == ["⏳ Đang tạo báo cáo Xã Vị Thủy, tháng 11/2026…"]


async def test_on_zalo_a_long_export_sends_one_progress_message_at_most(
        inprocess: InProcessBot, clock: TickingClock) -> None:
    """Zalo cannot edit a message: every step would buzz the phone again, so one is sent."""
    persona = PERSONA_IDS["province_coordinator"]
    user = zalo_user_id(persona)
    await inprocess.zalo_text(persona, "/export tháng 11/2026")
    choices = inprocess.zalo_api.texts_to(user)[-1]
    whole = next(line for line in choices.splitlines() if "Toàn thành phố" in line)
    clock.tick = timedelta(seconds=5)  # 15 s gone by the third day of the month
    try:
        await inprocess.zalo_text(persona, whole.split(".")[0].strip())  # its number
    finally:
        clock.tick = timedelta(0)
    texts = inprocess.zalo_api.texts_to(user)
    after = texts[texts.index(choices) + 1:]
    assert after[0] == "⏳ Đang tạo báo cáo Thành phố Cần Thơ, tháng 11/2026…"
    progress = [t for t in after if t.startswith("⏳") and "%" in t]
    assert len(progress) == 1, after
    assert re.fullmatch(r"⏳ Đang tạo báo cáo Thành phố Cần Thơ, tháng 11/2026: đã ghi"
                        r" [\d.]+/[\d.]+ buổi hỗ trợ \(\d+%\)…", progress[0]), progress
    assert after[-1].startswith("📊 Báo cáo Thành phố Cần Thơ")


async def test_sessions_past_the_sheets_last_row_are_counted_not_listed(
        world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    """Excel's sheets end at row 1,048,576 (a year of the largest province would not fit):
    the list stops there with a line saying how many more there are; the summaries count all."""
    monkeypatch.setattr(handlers.render.workbook, "SESSION_ROOM", 10)
    coordinator = world.person("commune_coordinator")
    await coordinator.command("export", "tháng", "11/2026")
    document = await coordinator.wait_for(lambda m: m.document is not None, timeout=30)
    sessions = int(re.findall(r"([\d.]+) buổi", document.text)[0].replace(".", ""))
    assert sessions > 10
    book = load_workbook(io.BytesIO(await coordinator.download(document)))
    listed = _rows(book["Buổi hỗ trợ"])
    assert len(listed) == 2 + 10 + 2
    note, total = listed[-2], listed[-1]
    more = f"{sessions - 10:,}".replace(",", ".")
    assert str(note[0]).startswith("Danh sách dừng ở đây")
    assert f"còn {more} buổi hỗ trợ không ghi ở trang này" in str(note[0])
    assert total[5] == sum(r[5] for r in listed[2:12])
    communes = _rows(book["Theo xã phường"])
    column = communes[1].index("Tổng số buổi")
    assert communes[-1][column] == sessions
