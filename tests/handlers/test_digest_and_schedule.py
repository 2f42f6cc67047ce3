"""/digest and /schedule through the real bot and the sandbox; the digest on the chat page."""

from __future__ import annotations

import pytest

from bot.app.demo_activity import seed_demo_activity
from bot.core.schedule import Weekly
from tests.harness.world import World


async def test_a_coordinator_asks_for_last_weeks_digest(world: World) -> None:
    await seed_demo_activity(world.services, weeks=3)
    coordinator = world.person("commune_coordinator")
    await coordinator.command("digest")
    choice = await coordinator.next_message()
    assert choice.buttons == ["📅 Tuần này (đến hôm nay)", "🗓 Tuần trước", "📚 Tuần khác…"]
    await coordinator.press("🗓 Tuần trước")
    digest = await coordinator.wait_for(lambda m: bool(m.photo), timeout=15)
    assert "Xã Vị Thủy — tuần 16/11/2026–22/11/2026" in digest.text
    assert "Theo nội dung:" in digest.text
    png = await coordinator.download(digest)
    assert png.startswith(b"\x89PNG")


async def test_a_province_coordinator_looks_closer_at_one_commune(world: World) -> None:
    await seed_demo_activity(world.services, weeks=3)
    province = world.person("province_coordinator")
    await province.command("digest", "last", "vi thuy")
    digest = await province.wait_for(lambda m: bool(m.photo), timeout=15)
    assert "Xã Vị Thủy — tuần 16/11/2026–22/11/2026" in digest.text

    commune = world.person("commune_coordinator")  # Vị Thủy's: Vị Thanh is not theirs
    await commune.command("digest", "tuần trước", "Vị Thanh")
    refusal = await commune.next_message()
    assert "không phụ trách Phường Vị Thanh" in refusal.text
    denied = await world.services.read.audit.latest(1, action="denied")
    assert denied[0].target == "/digest Phường Vị Thanh"


async def test_a_member_cannot_see_digests_or_change_schedules(world: World) -> None:
    member = world.person("member_1")
    await member.command("digest")
    assert "/digest" in (await member.next_message()).text
    await member.command("schedule", "digest", "tue", "08:00")
    await member.next_message()
    schedules = await world.services.read.schedules.current()
    assert schedules.digest == Weekly(1, schedules.digest.at)


async def test_an_admin_changes_a_schedule_politely(world: World) -> None:
    admin = world.person("admin")
    await admin.command("schedule")
    shown = (await admin.next_message()).text
    assert "Thứ Hai lúc 07:30" in shown
    assert "Thứ Sáu lúc 16:00" in shown
    await admin.command("schedule", "reminder", "someday", "16:00")
    assert "Tôi không nhận ra thứ" in (await admin.next_message()).text
    await admin.command("schedule", "reminder", "t7", "22:00")
    changed = (await admin.next_message()).text
    assert "Thứ Bảy lúc 22:00" in changed
    assert "07:00" in changed  # inside quiet hours: delivered when they end
    schedules = await world.services.read.schedules.current()
    assert schedules.reminder.weekday == 6
    from bot.app.jobs import scheduled_jobs

    jobs = scheduled_jobs(world.services)
    assert {"digest:weekly", "reminder:weekly", "outbox:drain"} <= set(jobs)
    audit = await world.services.read.audit.latest(action="schedule.change")
    assert audit
    assert audit[0].target == "reminder"


@pytest.mark.browser
async def test_the_digest_and_its_chart_show_on_the_chat_page(world: World) -> None:
    from tests.harness.browser import CHROMIUM_ARGS, chromium_or_skip

    executable = chromium_or_skip()
    from playwright.async_api import async_playwright, expect

    await seed_demo_activity(world.services, weeks=3)
    world.sandbox.people = world.demo.provider   # the page offers the demo's personas
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=executable,
                                                   args=CHROMIUM_ARGS)
        try:
            page = await browser.new_page(viewport={"width": 390, "height": 844})
            await page.goto(world.sandbox.url + "/")
            user_id = str(world.person("commune_coordinator").user_id)
            await page.get_by_test_id("person-picker").select_option(user_id)
            await page.get_by_test_id("message-input").fill("/digest last")
            await page.get_by_test_id("send-button").click()
            bot_message = page.locator("[data-testid=message][data-from=bot]").last
            await expect(bot_message).to_contain_text("Theo nội dung:", timeout=15_000)
            image = bot_message.get_by_test_id("photo")
            await expect(image).to_be_visible()
            await page.wait_for_function(
                "() => [...document.querySelectorAll('[data-testid=photo]')]"
                ".some(img => img.complete && img.naturalWidth > 300)")
            await image.scroll_into_view_if_needed()
            await page.screenshot(path="/tmp/digest-page.png")
        finally:
            await browser.close()
