"""The chat page switched to Zalo: the same person, plain text, choices picked by number."""

from __future__ import annotations

import pytest

from bot.app.demo import PERSONA_IDS
from tests.harness.browser import CHROMIUM_ARGS, chromium_or_skip
from tests.harness.zalo_world import ZaloWorld


@pytest.mark.browser
async def test_a_persona_switches_to_zalo_and_chooses_by_number(zworld: ZaloWorld) -> None:
    executable = chromium_or_skip()
    from playwright.async_api import async_playwright, expect

    sandbox = zworld.world.sandbox
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=executable,
                                                   args=CHROMIUM_ARGS)
        try:
            page = await browser.new_page(viewport={"width": 390, "height": 844})
            errors: list[str] = []
            page.on("pageerror", lambda error: errors.append(str(error)))
            await page.goto(sandbox.url + "/")
            await page.get_by_test_id("channel-select").select_option("zalo")
            await expect(page.get_by_test_id("zalo-hint")).to_be_visible()
            await expect(page.get_by_test_id("menu-button")).to_be_hidden()
            await page.get_by_test_id("person-picker").select_option("custom")
            await page.get_by_test_id("custom-id").fill(str(PERSONA_IDS["member_1"]))
            await page.get_by_test_id("custom-name").fill("Thành viên")
            await page.get_by_test_id("custom-use").click()

            await page.get_by_test_id("message-input").fill("/lang")
            await page.get_by_test_id("send-button").click()
            bot_message = page.locator("[data-testid=message][data-from=bot]")
            await expect(bot_message.last).to_contain_text("2. English")
            await expect(page.get_by_test_id("inline-button")).to_have_count(0)
            await page.get_by_test_id("message-input").fill("2")
            await page.get_by_test_id("send-button").click()
            await expect(bot_message.last).to_have_text(
                zworld.world.services.t("en", "lang.set"))
            member = await zworld.world.services.read.members.by_identity(
                "telegram", str(PERSONA_IDS["member_1"]))
            assert member is not None
            assert member.language == "en"  # the same member as on Telegram
            assert errors == []
        finally:
            await browser.close()
