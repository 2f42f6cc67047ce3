"""Hypothesis-generated updates through the real dispatcher, in-process: huge and odd Unicode,
zero-width and right-to-left marks, SQL/HTML/format-string bait, forged button data, documents
that are not spreadsheets, photos, stickers, locations, contacts, edited messages, channel posts,
group messages and member-status updates, from members, strangers, groups and a channel, on
Telegram and Zalo.

The bot runs on between examples (its state carries over, as in real life); each example is a
batch of updates. The short run is part of the default suite; the long one (10,000 updates) is
marked ``long`` and run by ``.ci/run``.
"""

from __future__ import annotations

import asyncio
import logging
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.app.demo import prepare_demo
from bot.app.services import make_services
from bot.app.zalo_choices import StoredChoices
from bot.channels import zalo as zalo_channel
from bot.config import load_settings
from locales import translator
from storage.db import Database
from tests.harness.clock import FakeClock
from tests.harness.fuzz import ErrorRecorder, Fuzzer, database_problems, stored_unconfirmed
from tests.harness.fuzz_strategies import Step, steps
from tests.harness.inprocess import InProcessBot, RecordingPort, RecordingZaloApi

BATCH = 20


class Run:
    """One bot on its own event loop for the whole test; hypothesis examples feed it."""

    def __init__(self, demo_database: Path, tmp_path: Path) -> None:
        self.loop = asyncio.new_event_loop()
        self.db_path = tmp_path / "fuzz.sqlite3"
        shutil.copy(demo_database, self.db_path)
        self.errors = ErrorRecorder()
        self.bot = self.loop.run_until_complete(self._start())
        self.fuzzer = Fuzzer(self.bot)
        self.first_session = self.loop.run_until_complete(self._max_session())

    async def _start(self) -> InProcessBot:
        clock = FakeClock(datetime(2026, 11, 23, 2, 0, tzinfo=UTC))  # Monday 09:00 in Vietnam
        settings_ = load_settings(DATABASE_PATH=str(self.db_path))
        self.db = Database(self.db_path)
        await self.db.open()
        await prepare_demo(make_services(settings_, self.db, clock))
        telegram, api = RecordingPort(), RecordingZaloApi()
        choices = StoredChoices(self.db, clock)
        zalo = zalo_channel.ZaloPort(api, choices=choices,  # type: ignore[arg-type]
                                     t=translator(settings_.default_language),
                                     default_language="vi")
        services = make_services(settings_, self.db, clock,
                                 channels={"telegram": telegram, "zalo": zalo})
        return InProcessBot(services, clock, telegram, api, zalo)

    async def _max_session(self) -> int:
        rows = await self.db.reader.execute_fetchall("SELECT COALESCE(MAX(id), 0) FROM sessions")
        return int(next(iter(rows))[0])

    def feed(self, batch: list[Step]) -> None:
        async def go() -> None:
            for step in batch:
                await self.fuzzer.run(step)

        self.loop.run_until_complete(go())

    def verdict(self) -> tuple[str, list[str], list[str], list[str]]:
        unconfirmed = self.loop.run_until_complete(
            stored_unconfirmed(self.bot, self.fuzzer.figures.saves, self.first_session))
        problems = self.loop.run_until_complete(database_problems(self.bot))
        errors = [f"{r.name}: {r.getMessage()}" for r in self.errors.records]
        return self.fuzzer.figures.line(len(errors)), errors, unconfirmed, problems

    def close(self) -> None:
        self.loop.run_until_complete(self.db.close())
        self.loop.close()


@pytest.fixture
def run(demo_database: Path, tmp_path: Path) -> Iterator[Run]:
    fuzz = Run(demo_database, tmp_path)
    logging.getLogger().addHandler(fuzz.errors)
    try:
        yield fuzz
    finally:
        logging.getLogger().removeHandler(fuzz.errors)
        fuzz.close()


def _fuzz(run: Run, examples: int) -> None:
    # Derandomized: the same updates on every run, so CI is repeatable (and the figures in the
    # README are the figures of every run).
    @settings(max_examples=examples, deadline=None, database=None, derandomize=True,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                     HealthCheck.large_base_example])
    @given(st.lists(steps, min_size=BATCH, max_size=BATCH))
    def feed(batch: list[Step]) -> None:
        run.feed(batch)

    feed()
    line, errors, unconfirmed, problems = run.verdict()
    print(f"\n{line}; {len(unconfirmed)} stored unconfirmed; database: "
          f"{problems or 'ok'}; {len(run.fuzzer.figures.saves)} sessions saved by a Save press")
    assert errors == []
    assert run.fuzzer.figures.unanswered == []
    assert unconfirmed == []
    assert problems == []
    assert run.fuzzer.figures.saves, "no session was saved at all: the check above proves little"


def test_fuzzed_updates_are_all_answered_and_harmless(run: Run) -> None:
    _fuzz(run, examples=15)  # 300 updates


@pytest.mark.long
def test_ten_thousand_fuzzed_updates(run: Run) -> None:
    _fuzz(run, examples=500)  # 10,000 updates
    assert run.fuzzer.figures.updates >= 10_000
