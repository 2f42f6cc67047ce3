"""The chat page with the real bot: a member logs a session the way they would on a phone."""

from __future__ import annotations

import pytest

from tests.harness.browser import CHROMIUM_ARGS, chromium_or_skip
from tests.harness.world import World


@pytest.mark.browser
async def test_a_member_logs_a_session_on_the_chat_page(world: World) -> None:
    executable = chromium_or_skip()
    from playwright.async_api import async_playwright, expect

    world.sandbox.people = world.demo.provider  # the page offers the demo's personas
    member = world.person("member_1")
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=executable,
                                                   args=CHROMIUM_ARGS)
        try:
            page = await browser.new_page(viewport={"width": 390, "height": 844})
            await page.goto(world.sandbox.url + "/")
            picker = page.get_by_test_id("person-picker")
            await expect(picker).to_contain_text("Nguyễn Thị Mai")
            await picker.select_option(str(member.user_id))
            await page.get_by_test_id("message-input").fill("/start")
            await page.get_by_test_id("send-button").click()
            keyboard = page.get_by_test_id("reply-keyboard")
            await keyboard.get_by_text("📝 Ghi nhận hỗ trợ").click()
            last = page.locator("[data-testid=message][data-from=bot]").last
            await expect(last).to_contain_text("việc gì")
            await last.get_by_role("button", name="Chữ ký số công cộng").click()
            await expect(last).to_contain_text("Bao nhiêu người dân")
            await last.get_by_role("button", name="3", exact=True).click()
            await last.get_by_role("button", name="Hôm nay").click()
            await expect(last).to_contain_text("Số người dân: 3")
            await last.get_by_role("button", name="Lưu").click()
            await expect(last).to_contain_text("Đã lưu")
            await page.screenshot(path="/tmp/page-logged.png")
        finally:
            await browser.close()
    member_row = await world.services.read.members.by_identity("telegram", str(member.user_id))
    assert member_row is not None
    [session] = await world.services.read.sessions.latest_of(member_row.id)
    assert session.citizens == 3
