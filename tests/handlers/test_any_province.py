"""A bot for Hồ Chí Minh City (PROVINCE_CODE=79, 168 wards), end to end through the sandbox:
its registry imported, a member logging, coordinators' figures and pickers naming its wards."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.app.demo import prepare_demo
from bot.app.services import make_services
from bot.config import load_settings
from bot.core.registry.geo import official_communes
from bot.core.text import fold
from bot.sandbox import SandboxServer
from storage.db import Database
from storage.geography import settle_province
from tests.harness.clock import FakeClock
from tests.harness.registry_files import csv_text, xlsx
from tests.harness.world import ADMIN_FROM_SETTINGS, World, world_on

HCM = "Thành phố Hồ Chí Minh"
HEADER = ["Mã xã", "Xã/Phường", "Tổ", "Họ và tên", "SĐT", "Vai trò", "Ngôn ngữ"]
SAI_GON = [
    HEADER,
    ["26740", "Phường Sài Gòn", "Khu phố 9", "Trần Thị Hoa", "0912 000 111", "tổ trưởng", ""],
    ["26740", "Phường Sài Gòn", "Khu phố 9", "Lê Văn Bình", "", "", ""],
]
CAN_THO_ROWS = [
    HEADER,
    ["31441", "Xã Vị Thủy", "Ấp 1", "Nguyễn Văn An", "", "", ""],
    ["31441", "Xã Vị Thủy", "Ấp 1", "Phạm Thị Bé", "", "", ""],
]
WARD_NAMES = {c.name for c in official_communes("79")}


@pytest.fixture(scope="module")
def hcm_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo of Hồ Chí Minh City (525 teams over its 168 wards), built once."""
    path = tmp_path_factory.mktemp("hcm") / "hcm.sqlite3"

    async def build() -> None:
        async with Database(path) as db:
            settings = load_settings(DATABASE_PATH=str(path), PROVINCE_CODE="79")
            await settle_province(db, settings.province_code)
            await prepare_demo(make_services(settings, db))

    asyncio.run(build())
    return path


@pytest.fixture
async def hcm(hcm_database: Path, tmp_path: Path, clock: FakeClock) -> AsyncIterator[World]:
    db_path = tmp_path / "bot.sqlite3"
    shutil.copy(hcm_database, db_path)
    settings = load_settings(DATABASE_PATH=str(db_path), PROVINCE_CODE="79",
                             ADMIN_TELEGRAM_IDS=str(ADMIN_FROM_SETTINGS))
    async with SandboxServer() as sandbox, Database(db_path) as db:
        await settle_province(db, settings.province_code)
        demo = await prepare_demo(make_services(settings, db, clock))
        async with db.write() as conn:
            await conn.execute("DELETE FROM sessions")  # each test counts its own
        async with world_on(sandbox, settings, db, clock, demo) as world:
            yield world


async def test_a_registry_of_the_city_is_imported_and_another_provinces_refused(
        hcm: World) -> None:
    admin = hcm.person("admin")
    read = hcm.services.read
    await admin.upload("phuong-sai-gon.xlsx", xlsx({"Thành viên": SAI_GON}), caption="/import",
                       as_document=True)
    checked = await admin.wait_for(lambda m: "Kiểm tra xong" in m.text, timeout=15)
    assert "Thành viên mới: 2" in checked.text
    await admin.press("✅ Xác nhận nhập")
    await admin.wait_for(lambda m: "Đã nhập danh sách" in m.text, timeout=15)
    team = await read.teams.find("26740", "Khu phố 9")
    assert team is not None
    assert team.province_code == "79"

    before = await read.members.count()
    await admin.upload("nham-tinh.csv", csv_text(CAN_THO_ROWS).encode(), caption="/import",
                       as_document=True, mime_type="text/csv")
    refused = await admin.wait_for(lambda m: "không được nhập" in m.text, timeout=15)
    assert f"Bot này phục vụ {HCM}, nhưng 2 dòng trong tệp ghi xã/phường của Thành phố Cần " \
           "Thơ" in refused.text
    assert f"mã xã «31441» là Xã Vị Thủy thuộc Thành phố Cần Thơ, không thuộc {HCM}" \
           in refused.text
    assert not refused.buttons
    assert await read.members.count() == before


async def test_a_member_logs_and_the_coordinators_figures_name_the_ward_and_city(
        hcm: World) -> None:
    member = hcm.person("member_1")
    ward = hcm.demo.registry.team_members[0].commune_name
    assert ward in WARD_NAMES
    await member.send("/log cks 3 hỗ trợ tại khu phố")
    summary = await member.next_message()
    assert "Số người dân: 3" in summary.text
    await member.press("✅ Lưu")
    assert "Đã lưu" in (await member.next_message()).text

    commune = hcm.person("commune_coordinator")
    await commune.command("stats")
    text = (await commune.next_message()).text
    assert f"Số liệu — {ward}" in text
    assert "1 buổi hỗ trợ · 3 lượt người dân" in text

    province = hcm.person("province_coordinator")
    await province.command("stats")
    text = (await province.next_message()).text
    assert f"Số liệu — {HCM}" in text
    assert f"• {ward}: 3 người dân" in text

    await province.command("digest", "this")
    digest = await province.wait_for(lambda m: bool(m.photo), timeout=15)
    assert digest.text.startswith(f"📊 {HCM} — tuần này, đến 23/11/2026")
    assert f"• #1 {ward}: 3" in digest.text


async def test_168_wards_are_picked_through_alphabetical_ranges(hcm: World) -> None:
    province = hcm.person("province_coordinator")
    await province.command("team")
    ranges = await province.next_message()
    assert len(ranges.buttons) == 6  # 168 wards, 30 a range: Telegram takes ≤ 100 buttons
    saigon = next(label for label in ranges.buttons
                  if fold(label.split(" – ")[0]) <= "sai gon" <= fold(label.split(" – ")[1]))

    await province.press(saigon)
    wards = await province.next_message()
    assert wards.message_id == ranges.message_id  # the same message, edited in place
    assert "Phường Sài Gòn" in wards.buttons
    assert set(wards.buttons) - {"↩️ Tên khác"} <= WARD_NAMES
    await province.press("↩️ Tên khác")
    assert (await province.next_message()).buttons == ranges.buttons

    await province.press(saigon)
    await province.next_message()
    await province.press("Phường Sài Gòn")
    listing = await province.next_message()
    assert "Phường Sài Gòn" in listing.text
    assert "Khu phố 1" in listing.buttons


async def test_help_examples_name_a_ward_of_the_city(hcm: World) -> None:
    province = hcm.person("province_coordinator")
    await province.command("digest", "last", "nowhere at all")
    usage = (await province.next_message()).text
    example = usage.rsplit("/digest last ", 1)[1].rstrip(".")
    assert "Vị Thủy" not in usage
    assert {f"Phường {example}", f"Xã {example}"} & WARD_NAMES
