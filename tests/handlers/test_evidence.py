"""Evidence photos end to end: attached on Telegram and on Zalo while logging, kept as a
re-encoded JPEG without the phone's metadata, linked from the export by an expiring file link,
counted by /mydata and gone after /forget; a category can require one; non-images refused."""

from __future__ import annotations

import io

import aiohttp
import pytest
from openpyxl import load_workbook
from PIL import Image

from bot.sandbox import SandboxUser
from tests.harness.web import serving
from tests.harness.world import World
from tests.harness.zalo_world import ZaloWorld

MAKE = 0x010F  # the EXIF tag of the phone's maker


def _photo(size: tuple[int, int] = (2400, 1200)) -> bytes:
    exif = Image.Exif()
    exif[MAKE] = "PhoneMaker X1"
    out = io.BytesIO()
    Image.new("RGB", size, (200, 120, 40)).save(out, "JPEG", exif=exif)
    return out.getvalue()


def _evidence_files(world: World) -> list[bytes]:
    folder = world.services.settings.evidence_dir
    return [p.read_bytes() for p in folder.iterdir()] if folder.is_dir() else []


async def _export_links(world: World, coordinator: SandboxUser) -> list[str]:
    await coordinator.command("export", "tháng", "11/2026")
    message = await coordinator.wait_for(lambda m: m.document is not None, timeout=20)
    book = load_workbook(io.BytesIO(await coordinator.download(message)))
    sheet = book.worksheets[0]
    header = [c.value for c in sheet[2]]
    column = header.index("Minh chứng")
    return [str(row[column]) for row in sheet.iter_rows(min_row=3, values_only=True)
            if row[column]]


async def _fetch(url: str) -> tuple[int, bytes]:
    async with aiohttp.ClientSession() as http, http.get(url) as response:
        return response.status, await response.read()


@pytest.mark.parametrize("lang", ["vi", "en"])
async def test_a_telegram_photo_is_in_the_export_by_link_and_gone_after_forget(
        quiet_world: World, lang: str) -> None:
    world = quiet_world
    mai = world.person("member_1")
    if lang == "en":
        await mai.command("lang")
        await mai.next_message()
        await mai.press("English")
        await mai.next_message()
    async with serving(world.services):
        await mai.command("log", "cks", "3")
        await mai.next_message()
        await mai.upload("buoi-ho-tro.jpg", _photo())
        summary = await mai.next_message()
        assert ("Photo: attached" if lang == "en" else "Ảnh: đã đính kèm") in summary.text
        await mai.press("✅ Save" if lang == "en" else "✅ Lưu")
        await mai.next_message()

        [stored] = _evidence_files(world)
        with Image.open(io.BytesIO(stored)) as image:
            assert image.format == "JPEG"
            assert max(image.size) == 1600                       # resized
            assert MAKE not in image.getexif()                    # the phone's maker dropped

        await mai.command("mydata")
        shown = (await mai.next_message()).text
        assert ("Evidence photos kept: 1" if lang == "en"
                else "Ảnh minh chứng đang lưu: 1") in shown

        coordinator = world.person("commune_coordinator")
        [link] = await _export_links(world, coordinator)
        assert "/f/" in link
        status, body = await _fetch(link)
        assert status == 200
        assert body == stored

        await mai.command("forget")
        await mai.next_message()
        await mai.press("🗑 Erase the data" if lang == "en" else "🗑 Xoá dữ liệu")
        await mai.next_message()
        assert _evidence_files(world) == []
        assert (await _fetch(link))[0] == 404                     # the link died with it
        assert await _export_links(world, coordinator) == []


@pytest.mark.parametrize("lang", ["vi", "en"])
async def test_a_zalo_image_is_kept_and_linked_from_the_export(zworld: ZaloWorld,
                                                               lang: str) -> None:
    world = zworld.world
    async with world.services.db.write() as conn:
        await conn.execute("DELETE FROM sessions")
    mai = zworld.person("member_1")
    if lang == "en":
        await mai.send("/lang en")
        await mai.next_message()
    await mai.send("/log vneid 2")
    await mai.next_message()
    await mai.send_image(_photo((800, 600)), mime_type="image/jpeg")
    summary = await mai.next_message()
    assert ("Photo: attached" if lang == "en" else "Ảnh: đã đính kèm") in summary.text
    await mai.choose("✅ Save" if lang == "en" else "✅ Lưu", summary)
    assert ("Saved" if lang == "en" else "Đã lưu") in (await mai.next_message()).text
    [stored] = _evidence_files(world)
    [link] = await _export_links(world, world.person("commune_coordinator"))
    assert (await _fetch(link)) == (200, stored)
    await mai.send("/forget")
    question = await mai.next_message()
    await mai.choose(question.choices[0], question)
    await mai.next_message()
    assert _evidence_files(world) == []
    assert (await _fetch(link))[0] == 404


async def test_a_required_photo_and_a_file_that_is_not_one(quiet_world: World) -> None:
    world = quiet_world
    admin, mai = world.person("admin"), world.person("member_1")
    await admin.command("category", "photo", "cks", "required")
    assert "cần ảnh minh chứng" in (await admin.next_message()).text
    await mai.command("log", "cks", "3")
    summary = await mai.next_message()
    assert "Cần ảnh minh chứng" in summary.text
    await mai.press("✅ Lưu")
    assert "cần một ảnh minh chứng" in (await mai.next_message()).text
    assert await world.services.read.sessions.count_of(
        (await world.services.read.members.by_identity("telegram", str(mai.user_id))).id  # type: ignore[union-attr]
    ) == 0
    await mai.upload("ghi-chu.pdf", b"%PDF-1.4 not a picture", as_document=True)
    assert "không phải là ảnh" in (await mai.next_message()).text
    await mai.upload("anh.png", b"\x89PNG broken", mime_type="image/png", as_document=True)
    assert "không phải là ảnh" in (await mai.next_message()).text
    await mai.upload("anh.jpg", _photo((300, 200)))
    assert "Ảnh: đã đính kèm" in (await mai.next_message()).text
    await mai.press("✅ Lưu")
    assert "Đã lưu" in (await mai.next_message()).text
