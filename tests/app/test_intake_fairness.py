"""The intake handles a backlog a bounded number of chats at a time, each chat in order, and a
person writing now, outside the backlog, is handled next — not after the whole backlog."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.app.intake import CATCH_UP_HOLD, LONG_CATCH_UP_IN_FLIGHT, Intake
from bot.app.services import make_services, utc_now
from bot.config import load_settings
from bot.core.chat import Incoming
from storage.db import Database
from storage.repos.inbox import mark_handled


class _Port:
    name = "telegram"
    supports_buttons = True


class _Recorder:
    """Stands in for the dispatcher: records what it is handed and holds each update until the
    test lets one go, so what the intake starts next is visible."""

    def __init__(self) -> None:
        self.services: Any = None  # the intake's, once it is made
        self.started: list[tuple[str, str]] = []
        self.running = 0
        self.finished = 0
        self._progress = asyncio.Event()
        self.most_running = 0
        self.gate = asyncio.Semaphore(0)

    def let_go(self, count: int) -> None:
        for _ in range(count):
            self.gate.release()

    async def dispatch(self, port: Any, inc: Incoming) -> None:
        services = self.services
        self.started.append((inc.chat_id, inc.text or ""))
        self.running += 1
        self.most_running = max(self.most_running, self.running)
        try:
            await self.gate.acquire()
            await mark_handled(services.db, inc.channel, inc.update_key, services.clock())
            self.finished += 1
            self._progress.set()
        finally:
            self.running -= 1

    async def until_finished(self, count: int) -> None:
        """Wait for ``count`` updates to be done (their inbox writes run on another thread)."""
        async with asyncio.timeout(10):
            while self.finished < count:
                self._progress.clear()
                await self._progress.wait()
            await _settle()


def _update(n: int, chat: str, text: str = "") -> Incoming:
    return Incoming(channel="telegram", update_key=f"u{n}", chat_id=chat, user_id=chat,
                    display_name="M", text=f"{chat}#{n}{text}")


async def _settle() -> None:
    for _ in range(20):
        await asyncio.sleep(0)


def _intake(db: Database, recorder: _Recorder, in_flight: int,
            clock: Callable[[], datetime] = utc_now) -> Intake:
    services = make_services(load_settings(DATABASE_PATH=str(db.path)), db, clock)
    intake = Intake(services, _Port(), in_flight=in_flight)  # type: ignore[arg-type]
    recorder.services = services
    intake.dispatcher = recorder  # type: ignore[assignment]
    return intake


async def test_a_backlog_is_handled_a_few_chats_at_a_time_each_in_order(db: Database) -> None:
    recorder = _Recorder()
    intake = _intake(db, recorder, in_flight=3)
    backlog = [_update(n, f"c{n % 10}") for n in range(200)]  # ten chats, twenty each
    for start in range(0, 200, 100):
        await intake.accept(backlog[start:start + 100])
    await _settle()
    assert recorder.running == 3
    recorder.let_go(200)
    await asyncio.wait_for(intake.idle(), 10)
    assert recorder.most_running == 3
    assert len(recorder.started) == 200
    for chat in {c for c, _ in recorder.started}:
        texts = [t for c, t in recorder.started if c == chat]
        assert texts == sorted(texts, key=lambda t: int(t.split("#")[1]))
    assert await intake.services.read.inbox.pending("telegram") == []


async def test_someone_writing_now_is_handled_before_the_rest_of_a_backlog(
        db: Database) -> None:
    recorder = _Recorder()
    intake = _intake(db, recorder, in_flight=2)
    await intake.accept([_update(n, f"c{n % 50}") for n in range(100)])
    await _settle()
    recorder.let_go(10)  # the backlog is under way
    await recorder.until_finished(10)
    await intake.accept([_update(1000, "newcomer")])
    recorder.let_go(1)  # one slot frees: the newcomer's
    await recorder.until_finished(11)
    assert recorder.started[12] == ("newcomer", "newcomer#1000")
    recorder.let_go(1000)
    await asyncio.wait_for(intake.idle(), 10)


async def test_a_chat_with_a_long_backlog_does_not_hold_up_one_with_a_short_one(
        db: Database) -> None:
    recorder = _Recorder()
    intake = _intake(db, recorder, in_flight=1)
    await intake.accept([_update(n, "busy") for n in range(50)])
    await intake.accept([_update(100, "other")])
    await _settle()
    recorder.let_go(1)
    await recorder.until_finished(1)
    # The busy chat was served once; the other chat, never served, goes next.
    assert recorder.started[1] == ("other", "other#100")
    recorder.let_go(100)
    await asyncio.wait_for(intake.idle(), 10)


async def test_what_is_queued_at_a_stop_is_handled_at_the_next_start(db: Database) -> None:
    recorder = _Recorder()
    intake = _intake(db, recorder, in_flight=2)
    await intake.accept([_update(n, f"c{n % 4}") for n in range(12)])
    await _settle()
    recorder.let_go(2)
    await recorder.until_finished(2)
    done = recorder.started[:2]
    await intake.close(grace=0.05)  # two in hand are cut short, eight never started
    assert len(await intake.services.read.inbox.pending("telegram")) == 10

    again = _Recorder()
    restarted = _intake(db, again, in_flight=2)
    assert await restarted.replay() == 10
    again.let_go(100)
    await asyncio.wait_for(restarted.idle(), 10)
    everything = [(f"c{n % 4}", f"c{n % 4}#{n}") for n in range(12)]
    assert sorted(again.started) == sorted(u for u in everything if u not in done)


async def test_while_the_poller_catches_up_nothing_is_handled_then_who_wrote_meanwhile_first(
        db: Database) -> None:
    recorder = _Recorder()
    intake = _intake(db, recorder, in_flight=8)
    backlog = [_update(n, f"c{n % 20}") for n in range(300)]
    for start in range(0, 300, 100):  # full batches: more are waiting at the platform
        await intake.accept(backlog[start:start + 100], more_waiting=True)
    await _settle()
    assert recorder.started == []  # the poller fetches on, alone
    assert len(await intake.services.read.inbox.pending("telegram")) == 300  # all stored

    # The last batch: two people who wrote during the outage, and a backlog chat again.
    await intake.accept([_update(1000, "ann"), _update(1001, "c3"), _update(1002, "bao")],
                        more_waiting=False)
    await _settle()
    assert recorder.started == [("bao", "bao#1002"), ("ann", "ann#1000")]
    recorder.let_go(2)
    await recorder.until_finished(2)
    assert recorder.running == 8  # then the backlog, as many chats as usual
    assert {chat for chat, _ in recorder.started[2:]} <= {f"c{n}" for n in range(20)}
    recorder.let_go(1000)
    await asyncio.wait_for(intake.idle(), 10)
    assert len(recorder.started) == 303
    for chat in {c for c, _ in recorder.started}:
        texts = [t for c, t in recorder.started if c == chat]
        assert texts == sorted(texts, key=lambda t: int(t.split("#")[1]))


async def test_the_wal_is_folded_in_again_once_those_who_wrote_meanwhile_are_answered(
        db: Database) -> None:
    recorder = _Recorder()
    intake = _intake(db, recorder, in_flight=8)
    assert await db.scrub_wal()
    size = db.path.stat().st_size
    for batch in range(60):  # past the 1,000 WAL pages a commit would fold in
        await intake.accept([_update(batch * 100 + n, f"c{n}", text="x" * 400)
                             for n in range(100)], more_waiting=True)
    await intake.accept([_update(9000, "ann")], more_waiting=False)
    await _settle()
    recorder.let_go(1)
    await recorder.until_finished(1)
    assert db.path.stat().st_size == size  # Ann's handling did not wait for the fold
    recorder.let_go(1)  # the backlog's first write folds the WAL in
    await recorder.until_finished(2)
    assert db.path.stat().st_size > size
    recorder.let_go(10_000)
    await asyncio.wait_for(intake.idle(), 30)


async def test_a_poll_that_brings_nothing_ends_a_catch_up(db: Database) -> None:
    recorder = _Recorder()
    intake = _intake(db, recorder, in_flight=8)
    await intake.accept([_update(n, f"c{n}") for n in range(100)], more_waiting=True)
    await _settle()
    assert recorder.running == 0
    await intake.catching_up(False)  # exactly a full batch was waiting: the next poll is empty
    await _settle()
    assert recorder.running == 8
    recorder.let_go(100)
    await asyncio.wait_for(intake.idle(), 10)


async def test_a_catch_up_that_goes_on_handles_a_few_chats_after_a_while(db: Database) -> None:
    recorder = _Recorder()
    now = [datetime(2026, 12, 7, 8, 0, tzinfo=UTC)]
    intake = _intake(db, recorder, in_flight=8, clock=lambda: now[0])
    await intake.accept([_update(n, f"c{n}") for n in range(100)], more_waiting=True)
    now[0] += CATCH_UP_HOLD - timedelta(seconds=1)
    await intake.accept([_update(n, f"c{n}") for n in range(100, 200)], more_waiting=True)
    await _settle()
    assert recorder.running == 0
    now[0] += timedelta(seconds=1)  # the platform still delivers more than is fetched
    await intake.accept([_update(n, f"c{n}") for n in range(200, 300)], more_waiting=True)
    await _settle()
    assert recorder.running == LONG_CATCH_UP_IN_FLIGHT
    recorder.let_go(300)
    await asyncio.wait_for(intake.idle(), 10)


async def test_a_replay_reads_the_inbox_in_pages_and_misses_nothing(db: Database) -> None:
    recorder = _Recorder()
    intake = _intake(db, recorder, in_flight=4)
    # Nothing handled yet (a catch-up): everything stays pending.
    await intake.accept([_update(n, f"c{n % 7}") for n in range(2500)], more_waiting=True)
    await intake.close(grace=0.05)

    again = _Recorder()
    restarted = _intake(db, again, in_flight=4)
    assert await restarted.replay() == 2500
    again.let_go(3000)
    await asyncio.wait_for(restarted.idle(), 30)
    assert sorted(again.started) == sorted((f"c{n % 7}", f"c{n % 7}#{n}") for n in range(2500))


async def test_after_a_full_batch_the_poller_asks_without_waiting(
        db: Database, monkeypatch: Any) -> None:
    # A hundred members writing at the same moment fill one getUpdates: the intake then holds
    # its handling until the poller hears Telegram has no more, so the next call must come
    # back at once, not after a whole long poll with everyone waiting for an answer.
    import bot.app.telegram as telegram_app

    asked: list[int] = []
    batches = [[_update(n, f"c{n}") for n in range(100)], []]

    async def fetch(bot: Any, offset: int | None, timeout: int
                    ) -> tuple[list[Incoming], int | None]:
        asked.append(timeout)
        batch = batches.pop(0) if batches else []
        return batch, (len(asked) if batch else None)

    monkeypatch.setattr(telegram_app, "fetch_updates", fetch)
    recorder = _Recorder()
    intake = _intake(db, recorder, in_flight=8)
    poller = telegram_app.TelegramPoller(None, intake, timeout=25)  # type: ignore[arg-type]
    got = await poller._fetch()
    assert got is not None
    await poller._store(got)
    await _settle()
    assert recorder.running == 0                  # held: more might be waiting at Telegram
    assert await poller._fetch() is None
    await _settle()
    assert asked == [25, 0]                        # the second call does not wait
    assert recorder.running == 8                   # and the hundred are being answered
    recorder.let_go(100)
    await asyncio.wait_for(intake.idle(), 10)
