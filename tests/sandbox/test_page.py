"""The chat page: its API (people, strings, files) and a real headless-chromium walk-through."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from telegram import BotCommand, ReplyKeyboardMarkup

from bot.core.i18n import placeholders
from bot.sandbox import Persona, SandboxServer
from locales import LOCALES_DIR
from tests.harness.browser import CHROMIUM_ARGS, chromium_or_skip
from tests.harness.ptb import application_builder, running_application
from tests.sandbox.apps import build_greeter_app

PEOPLE = [
    Persona(1001, "Lan", "Nguyễn", "vi", "Thành viên", "Thành viên tổ CNS"),
    Persona(1002, "Minh", "Trần", "vi", "Tổ trưởng", "Tổ trưởng tổ CNS thôn 3"),
    Persona(1003, "Hoa", None, "en", "Admin", "Quản trị hệ thống"),
]


async def provide_people() -> list[Persona]:
    return PEOPLE


@pytest.fixture
async def page_sandbox() -> AsyncIterator[SandboxServer]:
    server = SandboxServer(people=provide_people)
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


async def get_json(url: str) -> Any:
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        assert response.status == 200
        return await response.json()


async def test_people_include_a_new_visitor(page_sandbox: SandboxServer, sandbox: SandboxServer
                                            ) -> None:
    people = (await get_json(f"{page_sandbox.url}/sandbox/api/people"))["people"]
    assert [p["first_name"] for p in people] == ["Lan", "Minh", "Hoa", "Khách"]
    alone = (await get_json(f"{sandbox.url}/sandbox/api/people"))["people"]
    assert len(alone) == 1
    assert alone[0]["user_id"] == 700001


@pytest.mark.parametrize("lang", ["vi", "en"])
async def test_page_strings_come_from_the_catalogue(sandbox: SandboxServer, lang: str) -> None:
    strings = (await get_json(f"{sandbox.url}/sandbox/api/strings?lang={lang}"))["strings"]
    assert strings["sandbox.page.send"] == {"vi": "Gửi", "en": "Send"}[lang]
    assert all(key.startswith("sandbox.") for key in strings)


def test_sandbox_catalogues_agree() -> None:
    from babel.messages.pofile import read_po

    catalogues = {}
    for lang in ("vi", "en"):
        with (LOCALES_DIR / lang / "LC_MESSAGES" / "sandbox.po").open("rb") as fh:
            catalogues[lang] = {m.id: m.string for m in read_po(fh) if m.id}
    assert catalogues["vi"].keys() == catalogues["en"].keys()
    for key, text in catalogues["vi"].items():
        assert text, key
        assert catalogues["en"][key], key
        assert placeholders(text) == placeholders(catalogues["en"][key]), key


async def test_page_and_assets_are_served_without_external_resources(
        sandbox: SandboxServer) -> None:
    async with aiohttp.ClientSession() as session:
        for path in ("/", "/static/app.js", "/static/style.css"):
            async with session.get(sandbox.url + path) as response:
                assert response.status == 200, path
                body = await response.text()
                for external in ("http://", "https://", "//fonts.", "//cdn."):
                    assert external not in body, path
        async with session.post(f"{sandbox.url}/sandbox/api/send", json={"text": "x"}) as r:
            assert r.status == 400
            assert (await r.json()) == {"ok": False, "error": "user_id must be an integer"}


@pytest.mark.browser
async def test_a_member_starts_and_presses_a_button_in_the_page(
        page_sandbox: SandboxServer) -> None:
    executable = chromium_or_skip()
    from playwright.async_api import async_playwright, expect

    app = build_greeter_app(application_builder(page_sandbox))
    async with running_application(app), async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=executable,
                                                   args=CHROMIUM_ARGS)
        try:
            page = await browser.new_page(viewport={"width": 390, "height": 844})
            errors: list[str] = []
            page.on("pageerror", lambda error: errors.append(str(error)))
            await page.goto(page_sandbox.url + "/")
            await expect(page.get_by_test_id("send-button")).to_have_text("Gửi")
            await page.get_by_test_id("person-picker").select_option("1001")
            await expect(page.get_by_test_id("acting-as")).to_contain_text("Lan")

            await page.get_by_test_id("message-input").fill("/start")
            await page.get_by_test_id("send-button").click()
            bot_message = page.locator("[data-testid=message][data-from=bot]")
            await expect(bot_message).to_contain_text("Chào Lan")
            await expect(bot_message.locator("b")).to_have_text("Lan")  # HTML rendered
            await page.get_by_test_id("inline-button").filter(has_text="Tiếng Việt").click()
            await expect(bot_message).to_contain_text("Đã chọn: Tiếng Việt")
            await expect(page.get_by_test_id("toast")).to_contain_text("✓")
            await expect(page.get_by_test_id("inline-button")).to_have_count(0)

            # The bot's reply keyboard, command menu and a document show up live.
            await app.bot.set_my_commands([BotCommand("start", "Bắt đầu"),
                                           BotCommand("me", "Hồ sơ của tôi")])
            await app.bot.send_document(1001, b"a,b\n1,2\n", filename="mau.csv",
                                        caption="Mẫu danh sách")
            await app.bot.send_message(1001, "Bạn cần gì?", reply_markup=ReplyKeyboardMarkup(
                [["Hồ sơ", "Trợ giúp"]], resize_keyboard=True))
            await expect(page.get_by_test_id("reply-button")).to_have_count(2)
            await expect(page.get_by_test_id("document")).to_have_text("mau.csv")
            await page.get_by_test_id("menu-button").click()
            await expect(page.get_by_test_id("command-item")).to_have_count(2)
            await page.get_by_test_id("menu-button").click()
            await page.get_by_test_id("reply-button").filter(has_text="Trợ giúp").click()
            await expect(page.locator("[data-testid=message][data-from=user]").last
                         ).to_have_text("Trợ giúp")

            await page.get_by_test_id("lang-select").select_option("en")
            await expect(page.get_by_test_id("send-button")).to_have_text("Send")
            await page.screenshot(path="/tmp/sandbox-page.png")
            box = await page.get_by_test_id("chat").bounding_box()
            assert box is not None
            assert box["width"] <= 420
            assert errors == []
        finally:
            await browser.close()
