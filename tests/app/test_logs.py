"""Logs: one line per event, text or JSON; never a token, a message text or a phone number."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import re
import socket
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import aiohttp
import pytest

from bot.app.demo import PERSONA_IDS
from bot.app.logs import OneLineFormatter, configure_logging
from bot.app.run import SANDBOX_TOKEN, SANDBOX_ZALO_TOKEN
from bot.config import load_settings
from bot.core.redact import redact
from bot.sandbox import SandboxUser
from bot.sandbox.inbox import call_sandbox
from bot.sandbox.zalo_state import zalo_user_id
from bot.sandbox.zalo_testing import SandboxZaloUser
from tests.harness.hooked import HookedWorld
from tests.harness.installation import ROOT

TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
#: What a member types: a citizen's name and phone number in the note.
NOTE = "gọi chị Bảy Bưởi Năm Roi 0912 345 678"
ZALO_NOTE = "hẹn anh Tư Cần Đước +84 387 654 321"


@pytest.mark.parametrize(("text", "shown"), [
    ("POST https://api.telegram.org/bot123456:ABC-def_GHI/getUpdates", "/bot<token>/getUpdates"),
    (f"token {TOKEN} refused", "token <token> refused"),
    ("GET /f/q8Zr2kL0pXv4mN7bT1yW3e 200", "/f/<token> 200"),
    ("gọi 0912 345 678 nhé", "gọi <phone> nhé"),
    ("0912.345.678 / +84 912345678 / 0084912345678 / 84912345678 / 02923 123 456",
     "<phone> / <phone> / <phone> / <phone> / <phone>"),
])
def test_tokens_links_and_phones_are_masked(text: str, shown: str) -> None:
    assert shown in redact(text)


@pytest.mark.parametrize("text", [
    "2026-11-23 09:00:00,123 next wakeup at 2026-11-24 00:30:00+07:00",
    "digest:commune:31441:2026-W47:m12:telegram", "skipping re-delivered update telegram:7004",
    "outbox item 123456 sent in 0.912345 s", "22/11/2026",
])
def test_ordinary_figures_are_left_alone(text: str) -> None:
    assert redact(text) == text


def _record(message: str, *args: object, exc: BaseException | None = None) -> logging.LogRecord:
    return logging.LogRecord("bot.test", logging.ERROR, __file__, 1, message, args,
                             (type(exc), exc, exc.__traceback__) if exc else None)


def _failure() -> BaseException:
    try:
        raise RuntimeError(f"request to https://api.telegram.org/bot{TOKEN}/sendMessage failed\n"
                           "second line")
    except RuntimeError as exc:
        return exc


def test_an_event_with_a_traceback_is_one_line() -> None:
    line = OneLineFormatter().format(_record("send for %s failed", "telegram:1", exc=_failure()))
    assert "\n" not in line
    assert re.match(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} ERROR bot.test: send for telegram:1 "
                    r"failed \| Traceback \(most recent call last\): \| ", line)
    assert "RuntimeError: request to https://api.telegram.org/bot<token>/sendMessage failed | "\
           "second line" in line
    assert TOKEN.split(":")[1] not in line


def test_log_times_are_in_the_configured_time_zone_like_the_backup_names() -> None:
    record = _record("backup written")
    record.created, record.msecs = 1_795_401_000.25, 250.0  # 2026-11-23 02:30:00.250 UTC
    line = OneLineFormatter(tz=ZoneInfo("Asia/Ho_Chi_Minh")).format(record)
    assert line.startswith("2026-11-23 09:30:00,250 ERROR bot.test: backup written")


def test_json_lines_parse_and_mask_configured_secrets() -> None:
    formatter = OneLineFormatter(["a-webhook-secret-value"], as_json=True)
    line = formatter.format(_record("secret %s in use", "a-webhook-secret-value",
                                    exc=_failure()))
    event = json.loads(line)
    assert event["level"] == "ERROR"
    assert event["logger"] == "bot.test"
    assert event["message"] == "secret <secret> in use"
    assert event["error"].startswith("Traceback (most recent call last): | ")
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00$", event["time"])


def test_debug_level_does_not_open_the_libraries_that_log_texts_and_urls(
        tmp_path: Path) -> None:
    stream = io.StringIO()
    configure_logging(load_settings(LOG_LEVEL="DEBUG", DATABASE_PATH=str(tmp_path / "x")),
                      stream)
    try:
        logging.getLogger("telegram.ext.ExtBot").debug("Calling sendMessage with text=%s", NOTE)
        logging.getLogger("httpx").info("HTTP Request: POST https://x/bot%s/getMe", TOKEN)
        logging.getLogger("aiosqlite").debug("executing INSERT ... %s", NOTE)
        logging.getLogger("bot.app.jobs").debug("our own debug line")
    finally:
        logging.getLogger().handlers.clear()
    assert stream.getvalue().count("\n") == 1
    assert "our own debug line" in stream.getvalue()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def _wait_for_line(stream: asyncio.StreamReader, marker: str) -> None:
    while True:
        line = await asyncio.wait_for(stream.readline(), 90)
        if not line:
            raise AssertionError(f"the bot ended before printing {marker!r}")
        if marker in line.decode():
            return


class _Log:
    """The bot's stderr, line by line as it comes; ``error`` is set by the first ERROR event."""

    def __init__(self, stream: asyncio.StreamReader) -> None:
        self.lines: list[str] = []
        self.error = asyncio.Event()
        self._task = asyncio.create_task(self._read(stream))

    async def _read(self, stream: asyncio.StreamReader) -> None:
        while line := (await stream.readline()).decode():
            self.lines.append(line)
            if '"level": "ERROR"' in line:
                self.error.set()

    async def finished(self) -> str:
        await self._task
        return "".join(self.lines)


async def _members_log_sessions(url: str, log: _Log) -> None:
    async with aiohttp.ClientSession() as session:
        member = SandboxUser(url, PERSONA_IDS["member_1"], "Thành viên", session=session)
        await member.send(f"/log cks 3 {NOTE}")
        # (first a word that the phone number will be masked, then the summary)
        await member.wait_for(lambda m: "Số người dân: 3" in m.text, 20)
        await member.press("✅ Lưu")
        assert "Đã lưu" in (await member.next_message(timeout=20)).text

        on_zalo = SandboxZaloUser(url, zalo_user_id(PERSONA_IDS["member_2"]), "Thành viên 2",
                                  session=session)
        await on_zalo.send(f"/log dvc 2 {ZALO_NOTE}")
        summary = await on_zalo.wait_for(lambda m: "✅ Save" in m.choices, 20)  # she reads English
        await on_zalo.send(str(summary.number_of("✅ Save")))
        assert "Saved" in (await on_zalo.next_message(timeout=20)).text

        # The platform fails every send: the errors (with tracebacks) get logged too.
        await call_sandbox(session, f"{url}/sandbox/api/config", "POST",
                           json={"faults": {"error_rate": 1.0, "seed": 7}})
        await member.send(f"/log kns 4 {NOTE}")
        await asyncio.wait_for(log.error.wait(), 60)
        await call_sandbox(session, f"{url}/sandbox/api/config", "POST", json={"faults": None})


async def test_a_real_run_logs_no_token_no_text_and_no_phone(tmp_path: Path) -> None:
    port = _free_port()
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", cwd=tmp_path,
        env={"PYTHONPATH": str(ROOT), "DATABASE_PATH": str(tmp_path / "data" / "tocns.sqlite3"),
             "SANDBOX_PORT": str(port), "LOG_LEVEL": "DEBUG", "LOG_FORMAT": "json"},
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    assert process.stdout is not None
    assert process.stderr is not None
    output = _Log(process.stderr)
    try:
        await _wait_for_line(process.stdout, "Sandbox chat:")
        await _members_log_sessions(f"http://127.0.0.1:{port}", output)
    finally:
        process.terminate()
        await asyncio.wait_for(process.wait(), 60)
    log = await output.finished()
    assert process.returncode == 0, log[-2000:]
    events = [json.loads(line) for line in log.splitlines()]  # every line one JSON event
    messages = " ".join(event["message"] for event in events)
    assert "bot @tocns_demo_bot is ready" in messages
    assert "jobs scheduled" in messages
    assert any(event["level"] == "ERROR" and "Traceback" in event.get("error", "")
               for event in events)
    for secret in (SANDBOX_TOKEN, SANDBOX_TOKEN.split(":")[1], SANDBOX_ZALO_TOKEN.split(":")[1]):
        assert secret not in log
    for text in ("Bưởi Năm Roi", "Tư Cần Đước", "Đã lưu", "Số người dân", "Saved"):
        assert text not in log
    digits = re.sub(r"[\s.\-+]", "", log)
    for phone in ("912345678", "387654321"):
        assert phone not in digits


async def test_the_jobs_line_shows_days_and_times_not_python_reprs(
        hooked: HookedWorld, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="bot.app.jobs")
    await hooked.jobs.register()  # as at start-up, and after /schedule
    [line] = [r.getMessage() for r in caplog.records
              if r.getMessage().startswith("jobs scheduled")]
    assert re.fullmatch(r"jobs scheduled: digest (Mon|Tue|Wed|Thu|Fri|Sat|Sun) \d\d:\d\d, "
                        r"reminder (Mon|Tue|Wed|Thu|Fri|Sat|Sun) \d\d:\d\d, quiet hours .+", line)
    assert "Weekly(" not in line
