"""A long /export shows how far it got by editing its "preparing…" message, then the file."""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from openpyxl import load_workbook

import bot.export
import handlers.export
from bot.demo import PERSONA_IDS
from tests.e2e.conftest import World
from tests.factories import log_session


async def test_a_long_export_edits_its_message_with_the_progress(
        quiet_world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    world = quiet_world
    member = await world.services.read.members.by_identity("telegram",
                                                           str(PERSONA_IDS["member_1"]))
    assert member is not None
    for n in range(30):
        await log_session(world.services.db, world.clock, member.id, "cks", 2,
                          date(2026, 11, 1 + n % 20), f"p{n}")
    # Progress from the first poll and every row, and a sessions sheet that stops half-way
    # until the test has seen the progress: "long" without waiting for it.
    monkeypatch.setattr(handlers.export, "PROGRESS_AFTER_S", 0.0)
    monkeypatch.setattr(handlers.export, "PROGRESS_POLL_S", 0.01)
    monkeypatch.setattr(bot.export, "PROGRESS_EVERY", 1)
    halfway = threading.Event()
    release = threading.Event()
    real = handlers.export.stream_session_lines

    def held(*args: Any) -> Iterator[Any]:
        for index, line in enumerate(real(*args)):
            if index == 15:
                halfway.set()
                release.wait(timeout=30)
            yield line

    monkeypatch.setattr(handlers.export, "stream_session_lines", held)
    coordinator = world.person("commune_coordinator")
    try:
        await coordinator.command("export", "tháng", "11/2026")
        # The percentage grows as rows are written; held half-way, it shows 50%.
        progress = await coordinator.wait_for(lambda m: m.edited and "50%" in m.text,
                                              timeout=20)
    finally:
        release.set()
    assert halfway.is_set()
    assert progress.text == "⏳ Đang tạo báo cáo Xã Vị Thủy, tháng 11/2026… 50%"
    message = await coordinator.wait_for(lambda m: m.document is not None, timeout=20)
    assert "30 buổi" in message.text
    book = load_workbook(io.BytesIO(await coordinator.download(message)))
    assert book["Buổi hỗ trợ"].max_row == 2 + 30 + 1  # title, header, sessions, total
