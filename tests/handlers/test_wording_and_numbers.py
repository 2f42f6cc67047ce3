"""What coordinators read, on both channels and in both languages: lists in natural order,
no raw placeholder, the right command suggested, numbers and dates written the reader's way.
(Every test here also passes the world's check of every text sent: tests/harness/outgoing.py.)
"""

from __future__ import annotations

import csv
import io
import re

from openpyxl import load_workbook

from bot.core.natural_sort import natural_key
from tests.harness.world import World
from tests.harness.zalo_world import ZaloWorld


def _in_natural_order(teams: list[str]) -> bool:
    seen = list(dict.fromkeys(teams))  # each team once, in the order first listed
    return seen == sorted(seen, key=natural_key) and len(seen) > 10


async def _zalo_download(zworld: ZaloWorld, text: str) -> bytes:
    link = re.search(r"https?://\S+", text)
    assert link is not None, text
    async with zworld.world.sandbox.client_session.get(link[0]) as response:
        return await response.read()


async def test_members_by_month_lists_teams_in_natural_order_in_the_workbook_and_csv(
        zworld: ZaloWorld) -> None:
    coordinator = zworld.world.person("commune_coordinator")
    await coordinator.command("export", "tháng này")
    message = await coordinator.wait_for(lambda m: m.document is not None, timeout=30)
    book = load_workbook(io.BytesIO(await coordinator.download(message)))
    rows = list(book["Thành viên theo tháng"].iter_rows(values_only=True))[2:]
    teams = [str(r[2]) for r in rows if r[2]]
    assert teams.index("Ấp 2") < teams.index("Ấp 10")
    assert _in_natural_order(teams)

    # The same list as CSV, on Zalo, in English.
    on_zalo = zworld.person("commune_coordinator")
    await on_zalo.send("/lang en")
    await on_zalo.next_message()
    await on_zalo.send("/export csv this month")
    file = await on_zalo.wait_for(lambda m: ".csv" in m.text, timeout=30)
    content = (await _zalo_download(zworld, file.text)).decode("utf-8-sig")
    table = list(csv.reader(io.StringIO(content)))
    team_col = table[0].index("Team")
    teams = [r[team_col] for r in table[1:] if len(r) > team_col and r[team_col]]
    assert _in_natural_order(teams)


async def test_a_week_the_year_does_not_have_shows_a_whole_example(zworld: ZaloWorld) -> None:
    coordinator = zworld.world.person("province_coordinator")
    await coordinator.command("digest", "tuần", "60")
    usage = (await coordinator.next_message()).text
    assert "{" not in usage
    assert re.search(r"ví dụ /digest last \S", usage)

    on_zalo = zworld.person("province_coordinator")
    await on_zalo.send("/lang en")
    await on_zalo.next_message()
    await on_zalo.send("/digest week 60")
    usage = (await on_zalo.next_message()).text
    assert "{" not in usage
    assert re.search(r"for example /digest last \S", usage)


async def test_a_place_not_found_suggests_the_command_that_was_typed(zworld: ZaloWorld) -> None:
    coordinator = zworld.world.person("province_coordinator")
    await coordinator.command("stats", "Atlantis")
    text = (await coordinator.next_message()).text
    assert "Atlantis" in text
    assert "/stats" in text
    assert "/export" not in text
    await coordinator.command("target", "Atlantis", "cks", "50")
    text = (await coordinator.next_message()).text
    assert "Atlantis" in text
    assert "/target" in text
    assert "/export" not in text

    on_zalo = zworld.person("province_coordinator")
    await on_zalo.send("/lang en")
    await on_zalo.next_message()
    await on_zalo.send("/stats Atlantis")
    text = (await on_zalo.next_message()).text
    assert "No commune/ward or team called “Atlantis”" in text
    assert "/stats" in text
    assert "/export" not in text
    await on_zalo.send("/target Atlantis cks 50")
    text = (await on_zalo.next_message()).text
    assert "/target" in text
    assert "/export" not in text


async def test_limits_are_written_the_readers_way(zworld: ZaloWorld) -> None:
    admin = zworld.world.person("admin")
    await admin.command("allowance", "team", "200000000")
    assert "Mỗi khoản tối đa 100.000.000 đ." in (await admin.next_message()).text
    coordinator = zworld.world.person("province_coordinator")
    await coordinator.command("target", "Vị Thủy", "cks", "2000000")
    assert "Chỉ tiêu tối đa là 1.000.000 người dân." in (await coordinator.next_message()).text

    on_zalo = zworld.person("province_coordinator")
    await on_zalo.send("/lang en")
    await on_zalo.next_message()
    await on_zalo.send("/target Vị Thủy cks 2000000")
    assert "at most 1,000,000 citizens" in (await on_zalo.next_message()).text
    admin_zalo = zworld.person("admin")
    await admin_zalo.send("/lang en")
    await admin_zalo.next_message()
    await admin_zalo.send("/allowance team 200000000")
    assert "at most 100,000,000 đ" in (await admin_zalo.next_message()).text


async def test_english_dates_and_counts_read_naturally(world: World, zworld: ZaloWorld) -> None:
    sang = world.person("member_2")                      # reads English
    await sang.send("/log cks 1")
    summary = (await sang.next_message()).text
    assert "Date: 23 Nov 2026" in summary
    await sang.press("✅ Save")
    saved = (await sang.next_message()).text
    assert re.search(r"helped \d+ citizens?\b", saved)
    assert " 1 citizens" not in saved

    on_zalo = zworld.person("member_2")
    await on_zalo.send("/log cks 1")
    summary_msg = await on_zalo.next_message()
    assert "Date: 23 Nov 2026" in summary_msg.text
    await on_zalo.choose("✅ Save", summary_msg)
    assert " 1 citizens" not in (await on_zalo.next_message()).text


async def test_one_citizen_in_english_is_singular(world: World) -> None:
    async with world.services.db.write() as conn:
        await conn.execute("DELETE FROM sessions")
    sang = world.person("member_2")
    await sang.send("/log cks 1")
    await sang.next_message()
    await sang.press("✅ Save")
    assert "This week you have helped 1 citizen." in (await sang.next_message()).text
