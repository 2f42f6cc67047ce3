"""The dashboard in a real browser, reached as in the demo (``make run``): the sandbox serves the
bot's web routes on its own address, a coordinator sends /web on the chat page and opens the
link. Phone (360 px) and laptop (1,280 px): every page, drill-down, another period, the
workbook; a reused link and a foreign id are refused.

Screenshots go to ``DASHBOARD_SCREENSHOTS`` when set (the README's, in docs/), else a temporary
folder.
"""

from __future__ import annotations

import asyncio
import io
import os
import shutil
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from bot.app.demo import PERSONA_IDS, DemoPeople, prepare_demo
from bot.app.services import Services, file_links, make_services
from bot.app.telegram import build_telegram, running, started
from bot.app.web.server import WebRoutes
from bot.config import load_settings
from bot.core.allowance import AllowanceRule
from bot.core.completeness import Completeness, percent, summarise
from bot.core.permissions import Scope
from bot.core.targets import TargetPeriod
from bot.sandbox import SandboxServer
from bot.sandbox.testing import DEFAULT_TOKEN
from storage.db import Database
from storage.repos import Repos
from tests.harness.browser import CHROMIUM_ARGS, chromium_or_skip
from tests.harness.clock import FakeClock

PHONE = {"width": 360, "height": 780}
LAPTOP = {"width": 1280, "height": 900}


@dataclass
class Demo:
    sandbox: SandboxServer
    services: Services
    people: DemoPeople


@pytest.fixture
async def demo(demo_database: Path, tmp_path: Path, clock: FakeClock) -> AsyncIterator[Demo]:
    """The demo as ``bot.app.run`` wires it without WEB_BASE_URL: the sandbox serves the web
    routes on its own address, the bot's file links (and so /web's links) are at it."""
    db_path = tmp_path / "bot.sqlite3"
    shutil.copy(demo_database, db_path)
    settings = load_settings(DATABASE_PATH=str(db_path))
    async with Database(db_path) as db, AsyncExitStack() as stack:
        people = await prepare_demo(make_services(settings, db, clock))
        routes = WebRoutes()
        sandbox = SandboxServer(people=people.provider)
        sandbox.serve_too(routes.routes())
        await sandbox.start()
        stack.push_async_callback(sandbox.stop)
        people.introduce_to(sandbox)
        links = file_links(settings, db, clock, base_url=sandbox.url)
        telegram = build_telegram(settings, token=DEFAULT_TOKEN,
                                  base_url=sandbox.bot_api_base_url,
                                  base_file_url=sandbox.file_base_url)
        username = await stack.enter_async_context(started(telegram))
        services = make_services(settings, db, clock, channels={"telegram": telegram.port},
                                 bot_username=username, links=links)
        routes.serve(services)
        await stack.enter_async_context(running(telegram, services, poll_timeout=10))
        yield Demo(sandbox, services, people)


async def plan_and_pay(services: Services) -> None:
    """Targets for Xã Vị Thủy and an allowance rule, as a province coordinator and an admin set
    them in the chat (/target, /allowance), so the overview has them to show."""
    now = services.clock()
    [(code,)] = await services.read.conn.execute_fetchall(
        "SELECT code FROM communes WHERE name = 'Xã Vị Thủy'")
    cks = next(c for c in await services.read.categories.all() if c.code == "cks")
    async with services.db.write() as conn:
        repos = Repos(conn)
        for category, citizens, kind in ((None, 1600, "month"), (cks.id, 500, "month"),
                                         (None, 4000, "quarter")):
            start = date(2026, 11, 1) if kind == "month" else date(2026, 10, 1)
            await repos.targets.set(scope_kind="commune", scope_id=str(code),
                                    category_id=category, period=TargetPeriod(start, kind),
                                    citizens=citizens, by=None, now=now)
        await repos.allowance.add(from_month=date(2026, 10, 1), rule=AllowanceRule(
            per_team=300_000, per_day=50_000), by=None, now=now)


async def chat_completeness(services: Services, commune: str, start: date, end: date
                            ) -> Completeness:
    """What /stats says of the commune's completeness over the days."""
    conn = services.read.conn
    code = (await conn.execute_fetchall("SELECT code FROM communes WHERE name = ?",
                                        (commune,)))[0][0]
    teams = await services.read.activity.team_activity(
        Scope(services.settings.province_code, code), start, end,
        services.settings.on_time_days)
    return summarise(commune, teams, end)


async def approve_october(services: Services, commune: str) -> str:
    """The commune's coordinator approves October 2026, as /approve records it; their name."""
    conn = services.read.conn
    code, member_id, name = (await conn.execute_fetchall(
        "SELECT c.code, m.id, m.full_name FROM communes c JOIN role_grants g"
        " ON g.scope_id = c.code AND g.role = 'commune_coordinator'"
        " JOIN members m ON m.id = g.member_id WHERE c.name = ? LIMIT 1", (commune,)))[0]
    async with services.db.write() as write:
        assert await Repos(write).approvals.approve(
            "commune", code, date(2026, 10, 1), by=member_id, now=services.clock(),
            summary={})
    return str(name)


def shots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("DASHBOARD_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


async def link_from_chat(page: Any, demo: Demo, key: str) -> str:
    """Act as the persona on the chat page, send /web, and take the link the bot answered."""
    from playwright.async_api import expect

    await page.goto(demo.sandbox.url + "/")
    picker = page.get_by_test_id("person-picker")
    await expect(picker.locator("option")).not_to_have_count(0)
    await picker.select_option(str(PERSONA_IDS[key]))
    await page.get_by_test_id("message-input").fill("/web")
    await page.get_by_test_id("send-button").click()
    link = page.locator("[data-testid=message][data-from=bot] a[href*='/web/login/']").last
    await expect(link).to_be_visible(timeout=20_000)
    href = await link.get_attribute("href")
    assert href is not None
    assert href.startswith(demo.sandbox.url + "/web/login/")
    return str(href)


async def open_link(page: Any, demo: Demo, key: str) -> str:
    """Log in by clicking the link in the chat (it opens a new tab, as on a phone)."""
    href = await link_from_chat(page, demo, key)
    async with page.context.expect_page() as opened:
        await page.locator(f"a[href='{href}']").click()
    tab = await opened.value
    await tab.wait_for_load_state()
    await page.close()
    return href


async def no_horizontal_scroll(page: Any) -> None:
    """The page itself fits the screen; only wide tables scroll inside their box."""
    overflow = await page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 1, f"{page.url} is {overflow}px wider than the screen"


@pytest.mark.browser
async def test_coordinators_use_the_dashboard_on_a_phone_and_a_laptop(
        demo: Demo, tmp_path: Path) -> None:
    executable = chromium_or_skip()
    from playwright.async_api import async_playwright, expect

    folder = shots(tmp_path)
    await plan_and_pay(demo.services)
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=executable,
                                                   args=CHROMIUM_ARGS)
        try:
            # --- a commune coordinator, on a phone -------------------------------------------
            phone = await browser.new_context(viewport=PHONE, accept_downloads=True,
                                              locale="vi-VN")
            chat = await phone.new_page()
            href = await open_link(chat, demo, "commune_coordinator")
            page = phone.pages[-1]
            await expect(page.locator("h1")).to_have_text("Xã Vị Thủy")
            await expect(page.get_by_test_id("period")).to_have_text("tháng 11/2026")
            await expect(page.get_by_test_id("targets")).to_contain_text("1.600")
            await expect(page.get_by_test_id("allowance")).to_contain_text("đ")
            # Sessions logged on time: the chat's completeness of the commune's month.
            found = await chat_completeness(demo.services, "Xã Vị Thủy", date(2026, 11, 1),
                                            date(2026, 11, 30))
            assert found.sessions > 0
            shown = demo.services.t.number("vi", percent(found.on_time, found.sessions))
            await expect(page.get_by_test_id("on-time")).to_have_text(f"{shown}%")
            await expect(page.get_by_test_id("approvals")).to_have_count(0)  # month not over
            await no_horizontal_scroll(page)
            await page.screenshot(path=str(folder / "dashboard-phone.png"), full_page=True)
            overview_url = page.url

            # Every page, then a drill-down commune → team → member.
            for tab in ("Địa bàn", "Xu hướng", "Tải về", "Tổng quan"):
                await page.get_by_role("link", name=tab, exact=True).click()
                await expect(page.locator("h1")).to_contain_text("Vị Thủy")
                await no_horizontal_scroll(page)
            await page.get_by_role("link", name="Địa bàn", exact=True).click()
            await expect(page.get_by_role("heading", name="Các tổ")).to_be_visible()
            await page.screenshot(path=str(tmp_path / "dashboard-places-phone.png"),
                                  full_page=True)
            await page.get_by_test_id("place-row").first.get_by_role("link").click()
            await expect(page.get_by_role("heading", name="Các thành viên")).to_be_visible()
            await no_horizontal_scroll(page)
            await page.get_by_test_id("place-row").first.get_by_role("link").click()
            await expect(page.get_by_test_id("member-name")).not_to_be_empty()
            await no_horizontal_scroll(page)

            # Another period: the month before, then this quarter.
            await page.goto(overview_url)
            await page.get_by_test_id("period-back").click()
            await expect(page.get_by_test_id("period")).to_have_text("tháng 10/2026")
            # A month that has ended: not approved yet, and how to approve it in the chat.
            await expect(page.get_by_test_id("approvals")).to_contain_text("chưa duyệt")
            await expect(page.get_by_test_id("approve-hint")).to_contain_text(
                "/approve 2026-10")
            approver = await approve_october(demo.services, "Xã Vị Thủy")
            await page.reload()
            await expect(page.get_by_test_id("approvals")).to_contain_text(
                f"đã duyệt bởi {approver}")
            await expect(page.get_by_test_id("approve-hint")).to_have_count(0)
            await no_horizontal_scroll(page)
            await page.get_by_test_id("period-quarter").click()
            await expect(page.get_by_test_id("period")).to_have_text("quý 4/2026")
            await page.get_by_test_id("period-week").click()
            await expect(page.get_by_test_id("period")).to_contain_text("tuần 23/11")

            # The workbook of the place and period shown.
            await page.get_by_role("link", name="Tải về", exact=True).click()
            async with page.expect_download() as downloading:
                await page.get_by_test_id("workbook").click()
            download = await downloading.value
            assert download.suggested_filename.endswith(".xlsx")
            saved = await download.path()
            book = load_workbook(io.BytesIO(await asyncio.to_thread(saved.read_bytes)))
            assert "Xã Vị Thủy" in str(book[book.sheetnames[0]]["A1"].value)
            await expect(page.get_by_test_id("feed-csv")).to_have_count(0)  # province only

            # Another commune's page, by editing the URL: not found, and nothing of it shown.
            foreign = await demo.services.read.conn.execute_fetchall(
                "SELECT t.commune_code, c.name FROM teams t JOIN communes c"
                " ON c.code = t.commune_code WHERE c.name != 'Xã Vị Thủy' LIMIT 1")
            code, name = foreign[0]
            await page.goto(f"{demo.sandbox.url}/web/overview/c{code}")
            await expect(page.get_by_test_id("notice")).to_have_text("Không tìm thấy")
            assert name not in await page.content()

            # The link again, in another browser: refused.
            stranger = await browser.new_context(viewport=PHONE)
            other = await stranger.new_page()
            await other.goto(href)
            await expect(other.get_by_test_id("notice")).to_have_text(
                "Đường dẫn không dùng được")
            await other.goto(demo.sandbox.url + "/web/")
            await expect(other.get_by_test_id("notice")).to_have_text("Bạn chưa đăng nhập")
            await stranger.close()

            # Logging out ends it.
            await page.goto(overview_url)
            await page.get_by_test_id("logout").click()
            await expect(page.get_by_test_id("notice")).to_have_text("Bạn chưa đăng nhập")
            await page.goto(overview_url)
            await expect(page.get_by_test_id("notice")).to_have_text("Bạn chưa đăng nhập")
            await phone.close()

            # --- the province coordinator, on a laptop ---------------------------------------
            laptop = await browser.new_context(viewport=LAPTOP, accept_downloads=True)
            chat = await laptop.new_page()
            await open_link(chat, demo, "province_coordinator")
            page = laptop.pages[-1]
            await expect(page.get_by_test_id("period")).to_have_text("tháng 11/2026")
            await page.screenshot(path=str(folder / "dashboard-laptop.png"), full_page=True)
            await page.get_by_role("link", name="Địa bàn", exact=True).click()
            await expect(page.get_by_role("heading", name="Các xã, phường")).to_be_visible()
            await expect(page.get_by_role("columnheader", name="Đúng hạn")).to_be_visible()
            await page.screenshot(path=str(folder / "dashboard-places-laptop.png"))
            await page.get_by_test_id("place-row").first.get_by_role("link").click()
            await expect(page.get_by_role("heading", name="Các tổ")).to_be_visible()
            await page.get_by_test_id("crumbs").get_by_role("link").first.click()
            await expect(page.get_by_role("heading", name="Các xã, phường")).to_be_visible()
            # Last month: which communes approved (Vị Thủy did, above) and which are waiting.
            await page.get_by_role("link", name="Tổng quan", exact=True).click()
            await page.get_by_test_id("period-back").click()
            await expect(page.get_by_test_id("period")).to_have_text("tháng 10/2026")
            rows = page.get_by_test_id("approval-rows").locator("tbody tr")
            communes = await demo.services.read.geo.communes_with_teams(
                demo.services.settings.province_code)
            await expect(rows).to_have_count(len(communes))
            await expect(rows.filter(has_text="Xã Vị Thủy")).to_contain_text(
                f"đã duyệt bởi {approver}")
            await expect(rows.filter(has_text="đang chờ")).to_have_count(len(communes) - 1)
            await expect(page.get_by_test_id("approvals")).to_contain_text(
                f"Xã, phường đã duyệt: 1/{len(communes)}")
            await no_horizontal_scroll(page)
            await page.get_by_role("link", name="Xu hướng", exact=True).click()
            await expect(page.get_by_test_id("chart")).to_have_count(2)
            await page.screenshot(path=str(folder / "dashboard-trends-laptop.png"),
                                  full_page=True)
            await page.get_by_role("link", name="Tải về", exact=True).click()
            async with page.expect_download() as downloading:
                await page.get_by_test_id("feed-csv").click()
            saved = await (await downloading.value).path()
            feed = (await asyncio.to_thread(saved.read_bytes)).decode("utf-8-sig")
            assert feed.splitlines()[0].startswith("month,province_code,commune_code")
            async with page.expect_download() as downloading:
                await page.get_by_test_id("workbook").click()
            assert (await downloading.value).suggested_filename.endswith(".xlsx")
            await page.get_by_role("link", name="Phiên đăng nhập").click()
            await expect(page.get_by_test_id("end-session")).to_have_count(1)
            await page.screenshot(path=str(tmp_path / "dashboard-sessions-laptop.png"))
            await laptop.close()
        finally:
            await browser.close()
