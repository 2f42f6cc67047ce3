"""File links on Zalo: the digest chart as a photo URL, /export as a download link that works
until it expires — and never for a forged or expired token."""

from __future__ import annotations

import hashlib
import io
import re

from openpyxl import load_workbook

from bot.app.jobs import drain_now
from handlers.steering.weekly import run_due_work
from storage.file_links import new_token
from storage.repos import Repos
from tests.harness.hooked import HookedWorld


def _link(text: str) -> str:
    found = re.search(r"https?://\S+", text)
    assert found, text
    return found[0]


async def test_a_zalo_coordinators_weekly_digest_comes_with_its_chart(
        hooked: HookedWorld) -> None:
    coordinator = hooked.zalo_person("commune_coordinator")
    await coordinator.refresh()
    hooked.clock.advance(days=7)  # next Monday 09:00: this week's digest is due
    await run_due_work(hooked.services)
    await drain_now(hooked.services)
    digest = await coordinator.wait_for(lambda m: m.photo_url is not None, timeout=20)
    assert "Xã Vị Thủy" in digest.text
    assert digest.photo_url is not None
    assert digest.photo_url.startswith(hooked.url + "/f/")
    status, body, headers = await hooked.get(digest.photo_url)
    assert status == 200
    assert body.startswith(b"\x89PNG\r\n\x1a\n")
    assert headers["Content-Type"] == "image/png"


async def test_a_zalo_export_is_a_link_to_the_workbook_until_it_expires(
        hooked: HookedWorld) -> None:
    coordinator = hooked.zalo_person("commune_coordinator")
    await coordinator.send("/export tháng 11/2026")
    message = await coordinator.wait_for(lambda m: "📎" in m.text, timeout=30)
    assert "Telegram" not in message.text  # no "cannot be sent over Zalo" any more
    # Asked at 09:00 on 23/11 (Vietnam), FILE_LINK_TTL_HOURS=24: in the reader's time zone.
    assert "24/11/2026 09:00" in message.text
    url = _link(message.text)
    status, body, headers = await hooked.get(url)
    assert status == 200
    assert "attachment" in headers["Content-Disposition"]
    assert ".xlsx" in headers["Content-Disposition"]
    book = load_workbook(io.BytesIO(body))
    assert book.sheetnames[0] == "Buổi hỗ trợ"
    assert "Xã Vị Thủy" in str(book["Buổi hỗ trợ"]["A1"].value)

    token = url.rsplit("/", 1)[1]
    forged = token[:-1] + ("A" if token[-1] != "A" else "B")
    for bad in (forged, new_token(), "..%2Fbot.sqlite3", "x"):
        refused = await hooked.get(f"/f/{bad}")
        assert (refused[0], refused[1]) == (404, b"Not Found"), bad

    hooked.clock.advance(hours=23, minutes=59)
    assert (await hooked.get(url))[0] == 200
    hooked.clock.advance(minutes=1)
    assert (await hooked.get(url))[:2] == (404, b"Not Found")  # no hint it ever existed


async def test_expired_files_are_deleted_and_tokens_are_stored_hashed(
        hooked: HookedWorld) -> None:
    coordinator = hooked.zalo_person("commune_coordinator")
    await coordinator.send("/export csv tháng 11/2026")
    token = _link((await coordinator.wait_for(lambda m: "📎" in m.text, timeout=30)).text
                  ).rsplit("/", 1)[1]
    rows = await hooked.services.read.conn.execute_fetchall(
        "SELECT token_hash, purpose, path FROM file_links WHERE purpose = 'document'")
    assert [r[0] for r in rows] == [hashlib.sha256(token.encode()).hexdigest()]
    db_path = hooked.services.settings.database_path
    stored = db_path.read_bytes() + db_path.with_name(db_path.name + "-wal").read_bytes()
    assert token.encode() not in stored
    folder = hooked.services.settings.files_dir
    document = folder / rows[0][2]
    assert document.is_file()
    assert document.stat().st_mode & 0o077 == 0  # the bot's user only

    await hooked.jobs.clean_up_files()
    assert document.is_file()  # still valid: kept
    hooked.clock.advance(hours=25)
    await hooked.jobs.clean_up_files()
    assert not document.is_file()
    async with hooked.services.db.write() as conn:
        assert await Repos(conn).file_links.count() == 0
    assert hooked.services.metrics.registry.get_sample_value(
        "tocns_job_runs_total", {"job": "files:cleanup", "result": "ok"}) == 2


def test_a_vietnamese_file_name_survives_the_download_header() -> None:
    from bot.app.web.responses import content_disposition

    header = content_disposition("attachment", 'Báo cáo Đức "11".xlsx')
    assert header == ("attachment; filename=\"Bao cao Duc 11.xlsx\"; filename*=UTF-8''"
                      "B%C3%A1o%20c%C3%A1o%20%C4%90%E1%BB%A9c%20%2211%22.xlsx")
