"""The web dashboard over HTTP: /web in the chat gives a one-time link that opens a session;
every page answers within the reader's place and 404 outside it, for every role."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import re
from collections.abc import AsyncIterator
from datetime import date

import pytest

from bot.app.housekeeping import purge_expired
from bot.core import calendar as periods
from bot.core.allowance import AllowanceRule
from bot.core.calendar import Period
from bot.core.completeness import summarise
from bot.core.permissions import Scope
from bot.core.web_access import IDLE_TIMEOUT, last_months, last_weeks
from handlers.steering.dashboard import allowance_total, trends
from storage.file_links import new_token, token_hash
from storage.repos import Repos
from tests.app.web.dashboard_client import Browser, ask_link, csrf_of
from tests.harness.hooked import HookedWorld

PAGES = ("overview", "places", "trends", "downloads")


@pytest.fixture
async def browsers(hooked: HookedWorld) -> AsyncIterator[list[Browser]]:
    made: list[Browser] = []
    yield made
    for browser in made:
        await browser.close()


async def logged_in(hooked: HookedWorld, browsers: list[Browser], key: str) -> Browser:
    browser = Browser(hooked.url)
    browsers.append(browser)
    link = await ask_link(hooked.person(key))
    status, html, _ = await browser.get(link)
    assert status == 200, html
    return browser


async def _places(hooked: HookedWorld, key: str) -> dict[str, str]:
    """The reader's own commune, team and a member of it, and foreign ones of each kind."""
    read = hooked.services.read
    person = hooked.demo.registry.personas[key]
    member = await read.members.by_phone(person.phone or "")
    assert member is not None
    assert member.team_id is not None
    team = await read.teams.get(member.team_id)
    assert team is not None
    conn = read.conn
    other_commune = (await conn.execute_fetchall(
        "SELECT commune_code FROM teams WHERE commune_code != ? AND active LIMIT 1",
        (team.commune_code,)))[0][0]
    other_team_far = (await conn.execute_fetchall(
        "SELECT id FROM teams WHERE commune_code != ? AND active LIMIT 1",
        (team.commune_code,)))[0][0]
    other_team_near = (await conn.execute_fetchall(
        "SELECT id FROM teams WHERE commune_code = ? AND id != ? AND active LIMIT 1",
        (team.commune_code, team.id)))[0][0]
    member_far = (await conn.execute_fetchall(
        "SELECT id FROM members WHERE active AND team_id = ? LIMIT 1", (other_team_far,)))[0][0]
    member_near = (await conn.execute_fetchall(
        "SELECT id FROM members WHERE active AND team_id = ? LIMIT 1", (other_team_near,)))[0][0]
    own_member = (await conn.execute_fetchall(
        "SELECT id FROM members WHERE active AND team_id = ? LIMIT 1", (team.id,)))[0][0]
    return {"commune": f"c{team.commune_code}", "team": f"t{team.id}",
            "member": str(own_member), "commune_name": team.commune_name,
            "far_commune": f"c{other_commune}", "far_team": f"t{other_team_far}",
            "near_team": f"t{other_team_near}", "far_member": str(member_far),
            "near_member": str(member_near)}


async def test_a_commune_coordinator_opens_the_dashboard_from_the_chat(
        hooked: HookedWorld, browsers: list[Browser]) -> None:
    coordinator = hooked.person("commune_coordinator")
    link = await ask_link(coordinator)
    assert link.startswith(hooked.url + "/web/login/")
    browser = Browser(hooked.url)
    browsers.append(browser)
    status, html, headers = await browser.get(link)
    assert status == 200
    assert "Xã Vị Thủy" in html
    assert "Tổng quan" in html
    assert "script" not in html.lower()
    csp = headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp
    assert "script-src" not in csp
    assert headers["Referrer-Policy"] == "no-referrer"
    cookie = next(iter(browser.session.cookie_jar))
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"
    assert not cookie["secure"]
    # The link is spent: a second use (or a stranger's browser) gets nowhere.
    again = Browser(hooked.url)
    browsers.append(again)
    status, html, _ = await again.get(link)
    assert status == 404
    assert "một lần" in html
    assert (await again.get("/web/"))[0] == 401
    # The login is audited, with no link or cookie in it.
    [entry] = await hooked.services.read.audit.latest(limit=1, action="web.login")
    assert entry.actor_member_id is not None
    assert entry.target is None
    stored = await hooked.services.read.conn.execute_fetchall(
        "SELECT token_hash FROM web_login_links")
    assert link.rsplit("/", 1)[1] not in str([tuple(r) for r in stored])


async def test_a_link_expires_after_ten_minutes(hooked: HookedWorld,
                                                browsers: list[Browser]) -> None:
    link = await ask_link(hooked.person("commune_coordinator"))
    hooked.clock.advance(minutes=10)
    browser = Browser(hooked.url)
    browsers.append(browser)
    status, _html, _ = await browser.get(link)
    assert status == 404
    for forged in (link[:-1] + ("A" if link[-1] != "A" else "B"), hooked.url + "/web/login/x"):
        assert (await browser.get(forged))[0] == 404


async def test_a_member_cannot_ask_for_a_link(hooked: HookedWorld) -> None:
    member = hooked.person("member_1")
    await member.send("/web")
    reply = await member.wait_for(lambda m: bool(m.text), timeout=20)
    assert "/web/login/" not in reply.text
    assert await hooked.services.read.conn.execute_fetchall(
        "SELECT 1 FROM web_login_links") == []


@pytest.mark.parametrize("key", ["team_leader", "commune_coordinator", "province_coordinator",
                                 "admin"])
async def test_every_page_shows_the_readers_place_and_404s_outside_it(
        hooked: HookedWorld, browsers: list[Browser], key: str) -> None:
    places = await _places(hooked, key)
    browser = await logged_in(hooked, browsers, key)
    mine = {"team_leader": [places["team"]],
            "commune_coordinator": [places["commune"], places["team"], places["near_team"]],
            "province_coordinator": ["p", places["commune"], places["far_commune"],
                                     places["far_team"]]}.get(key)
    if mine is None:  # an admin: the whole province too
        mine = ["p", places["commune"], places["far_commune"], places["far_team"]]
    foreign = {"team_leader": ["p", places["commune"], places["near_team"],
                               places["far_commune"], places["far_team"]],
               "commune_coordinator": ["p", places["far_commune"], places["far_team"]],
               "province_coordinator": ["c99999", "t999999"]}.get(key, [
                   "c00004", "t999999"])  # an admin: another province's ward, no such team
    for page in PAGES:
        for code in mine:
            status, html, _ = await browser.get(f"/web/{page}/{code}?p=m2026-11")
            assert status == 200, (page, code, html[:300])
        for code in foreign:
            status, html, _ = await browser.get(f"/web/{page}/{code}?p=m2026-11")
            assert status == 404, (page, code)
            assert "Không tìm thấy" in html
    own_members = [places["member"]] + (
        [places["near_member"]] if key != "team_leader" else [])
    far_members = {"team_leader": [places["near_member"], places["far_member"]],
                   "commune_coordinator": [places["far_member"]],
                   "province_coordinator": ["999999"]}.get(key, ["999999"])
    for member_id in own_members:
        assert (await browser.get(f"/web/members/{member_id}"))[0] == 200
    for member_id in far_members:
        assert (await browser.get(f"/web/members/{member_id}"))[0] == 404
    for code in mine:
        status = (await browser.get_bytes(f"/web/workbook/{code}?p=m2026-11"))[0]
        assert status == (404 if key == "team_leader" else 200), code
    for code in foreign:
        assert (await browser.get_bytes(f"/web/workbook/{code}?p=m2026-11"))[0] == 404
    feed_status = (await browser.get("/web/feed.csv"))[0]
    assert feed_status == (200 if key in ("province_coordinator", "admin") else 404)


async def test_bad_periods_and_ids_are_not_found(hooked: HookedWorld,
                                                 browsers: list[Browser]) -> None:
    browser = await logged_in(hooked, browsers, "province_coordinator")
    for path in ("/web/overview/p?p=m2027-01", "/web/overview/p?p=m2026-13",
                 "/web/overview/p?p=x", "/web/overview/x1", "/web/overview/c1' OR 1=1",
                 "/web/members/abc", "/web/places/t", "/web/overview/p?p=q2026-5"):
        assert (await browser.get(path))[0] == 404, path
    for path in ("/web/overview/p?p=w2026-11-16", "/web/overview/p?p=q2026-4",
                 "/web/overview/p?p=m2025-12"):
        assert (await browser.get(path))[0] == 200, path


async def test_drill_down_from_the_province_to_a_member(hooked: HookedWorld,
                                                        browsers: list[Browser]) -> None:
    browser = await logged_in(hooked, browsers, "province_coordinator")
    status, html, _ = await browser.get("/web/places/p?p=m2026-11")
    assert status == 200
    assert "Các xã, phường" in html
    commune = re.search(r'href="/web/places/(c\d+)\?p=m2026-11"', html)
    assert commune
    status, html, _ = await browser.get(f"/web/places/{commune[1]}?p=m2026-11")
    assert "Các tổ" in html
    team = re.search(r'href="/web/places/(t\d+)\?p=m2026-11"', html)
    assert team
    status, html, _ = await browser.get(f"/web/places/{team[1]}?p=m2026-11")
    assert "Các thành viên" in html
    member = re.search(r'href="/web/members/(\d+)\?p=m2026-11"', html)
    assert member
    assert (await browser.get(f"/web/members/{member[1]}?p=m2026-11"))[0] == 200


async def test_logout_and_revocation_need_the_csrf_token(hooked: HookedWorld,
                                                         browsers: list[Browser]) -> None:
    first = await logged_in(hooked, browsers, "commune_coordinator")
    second = await logged_in(hooked, browsers, "commune_coordinator")
    status, html, _ = await first.get("/web/sessions")
    assert status == 200
    assert html.count('data-testid="end-session"') == 2
    token = csrf_of(html)
    assert (await first.post("/web/logout", {}))[0] == 403
    assert (await first.post("/web/logout", {"csrf": "forged"}))[0] == 403
    assert (await first.get("/web/"))[0] == 200
    # Ending the other browser's session from this one.
    ids = re.findall(r'action="/web/sessions/(\d+)/end"', html)
    assert len(ids) == 2
    # The newest session is listed first: the second browser's.
    await first.post(f"/web/sessions/{ids[0]}/end", {"csrf": token})
    assert [(await b.get("/web/"))[0] for b in (first, second)] == [200, 401]
    survivor = first
    status, html, _ = await survivor.get("/web/sessions")
    assert (await survivor.post("/web/logout", {"csrf": csrf_of(html)}))[0] == 200
    assert (await survivor.get("/web/"))[0] == 401


async def test_sessions_end_after_eight_idle_hours_on_forget_and_on_losing_the_role(
        hooked: HookedWorld, browsers: list[Browser]) -> None:
    browser = await logged_in(hooked, browsers, "commune_coordinator")
    hooked.clock.advance(hours=7, minutes=59)
    assert (await browser.get("/web/"))[0] == 200
    hooked.clock.advance(hours=7, minutes=59)
    assert (await browser.get("/web/"))[0] == 200  # used within 8 hours: still open
    unused = await ask_link(hooked.person("commune_coordinator"))
    hooked.clock.advance(hours=8, minutes=1)
    # The daily clean-up deletes the idle session and the expired links (used or not).
    deleted = await purge_expired(hooked.services)
    assert (deleted["web_sessions"], deleted["web_login_links"]) == (1, 2)
    assert await hooked.services.read.conn.execute_fetchall(
        "SELECT 1 FROM web_sessions UNION ALL SELECT 1 FROM web_login_links") == []
    assert (await browser.get("/web/"))[0] == 401
    assert (await Browser(hooked.url).get(unused))[0] == 404

    browser = await logged_in(hooked, browsers, "commune_coordinator")
    member = await hooked.services.read.members.by_identity(
        "telegram", str(hooked.person("commune_coordinator").user_id))
    assert member is not None
    async with hooked.services.db.write() as conn:
        await Repos(conn).access.revoke(member.id, role="commune_coordinator")
    assert (await browser.get("/web/"))[0] == 401
    assert await hooked.services.read.web.sessions_of(member.id, hooked.clock() - IDLE_TIMEOUT
                                                      ) == []

    leader = hooked.person("team_leader")
    browser = await logged_in(hooked, browsers, "team_leader")
    await leader.send("/forget")
    confirm = await leader.wait_for(lambda m: bool(m.buttons), timeout=20)
    await leader.press(confirm.buttons[0], message=confirm)
    await leader.wait_for(lambda m: m.message_id != confirm.message_id, timeout=20)
    assert (await browser.get("/web/"))[0] == 401


async def test_the_feed_for_the_level_above(hooked: HookedWorld,
                                            browsers: list[Browser]) -> None:
    browser = await logged_in(hooked, browsers, "province_coordinator")
    status, body, headers = await browser.get_bytes("/web/feed.csv?from=2026-10&to=2026-11")
    assert status == 200
    assert "attachment" in headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
    assert {r["month"] for r in rows} == {"2026-10", "2026-11"}
    november = await hooked.services.read.tallies.total(Scope("92"), date(2026, 11, 1),
                                                        date(2026, 11, 30))
    assert november.citizens > 0
    assert sum(int(r["citizens"]) for r in rows if r["month"] == "2026-11") == november.citizens
    # Teams expected, members and the on-time share are the chat's completeness of the
    # commune's month (the registry of that month); no session, no share (an empty cell).
    for row in rows:
        month = date.fromisoformat(row["month"] + "-01")
        found = summarise("", await hooked.services.read.activity.team_activity(
            Scope("92", row["commune_code"]), month, periods.month(month.year, month.month).end,
            hooked.services.settings.on_time_days), month)
        assert (int(row["teams_expected"]), int(row["members"])) == (
            found.teams_expected, found.members)
        assert row["on_time_share"] == (
            str(round(found.on_time / found.sessions, 4)) if found.sessions else "")
    assert any(r["on_time_share"] != "" for r in rows)  # measured where anything was logged
    names = {m[0] for m in await hooked.services.read.conn.execute_fetchall(
        "SELECT full_name FROM members")}
    assert not any(name in body.decode("utf-8-sig") for name in names if len(name) > 3)

    # The API: a bearer token made on the command line, stored hashed, revocable.
    token = new_token()
    async with hooked.services.db.write() as conn:
        token_id = await Repos(conn).web.add_token(token_hash(token), "national", hooked.clock())
    api = hooked.sandbox.client_session
    async with api.get(hooked.url + "/api/v1/feed.json?from=2026-11") as response:
        assert response.status == 401
    headers = {"Authorization": f"Bearer {token}"}
    async with api.get(hooked.url + "/api/v1/feed.json?from=2026-11", headers=headers) as r:
        assert r.status == 200
        data = json.loads(await r.read())
    assert data["schema"] == "tocns-feed/1"
    assert data["months"] == ["2026-11"]
    assert data["rows"]
    assert set(data["rows"][0]) == set(data["columns"])
    async with api.get(hooked.url + "/api/v1/feed.json?from=2027-01", headers=headers) as r:
        assert r.status == 400
    async with hooked.services.db.write() as conn:
        await Repos(conn).web.revoke_token(token_id, hooked.clock())
    async with api.get(hooked.url + "/api/v1/feed.csv", headers=headers) as r:
        assert r.status == 401


async def test_a_zalo_coordinator_reading_english_gets_the_link_and_english_pages(
        hooked: HookedWorld, browsers: list[Browser]) -> None:
    coordinator = hooked.zalo_person("commune_coordinator")
    await coordinator.refresh()
    member = await hooked.services.read.members.by_identity("zalo", coordinator.user_id)
    assert member is not None
    async with hooked.services.db.write() as conn:
        await Repos(conn).members.set_language(member.id, "en", hooked.clock())
    await coordinator.send("/web")
    reply = await coordinator.wait_for(lambda m: "/web/login/" in m.text, timeout=20)
    assert "within 10 minutes" in reply.text
    link = re.search(r"https?://\S+/web/login/\S+", reply.text)
    assert link
    browser = Browser(hooked.url)
    browsers.append(browser)
    status, html, _ = await browser.get(link[0])
    assert status == 200
    assert 'lang="en"' in html
    assert "Overview" in html
    assert "teams reporting" in html
    status, html, _ = await browser.get("/web/overview/p")
    assert status == 404
    assert "Not found" in html


async def test_the_login_endpoint_is_rate_limited(hooked: HookedWorld,
                                                  browsers: list[Browser]) -> None:
    browser = Browser(hooked.url)
    browsers.append(browser)
    guesses = [(await browser.get(f"/web/login/{new_token()}"))[0] for _ in range(12)]
    assert guesses[:10] == [404] * 10
    assert guesses[10:] == [429, 429]
    hooked.clock.advance(minutes=1)
    assert (await browser.get(f"/web/login/{new_token()}"))[0] == 404


async def test_ending_someone_elses_session_changes_nothing(hooked: HookedWorld,
                                                           browsers: list[Browser]) -> None:
    leader = await logged_in(hooked, browsers, "team_leader")
    coordinator = await logged_in(hooked, browsers, "commune_coordinator")
    _status, html, _ = await leader.get("/web/sessions")
    [own] = re.findall(r'action="/web/sessions/(\d+)/end"', html)
    token = csrf_of((await coordinator.get("/web/sessions"))[1])
    await coordinator.post(f"/web/sessions/{own}/end", {"csrf": token})
    assert (await leader.get("/web/"))[0] == 200


async def test_the_province_allowance_total_is_added_up_aside_and_shown(
        hooked: HookedWorld, browsers: list[Browser]) -> None:
    async with hooked.services.db.write() as conn:
        await Repos(conn).allowance.add(from_month=date(2026, 11, 1), rule=AllowanceRule(
            per_team=300_000, per_day=50_000), by=None, now=hooked.clock())
    browser = await logged_in(hooked, browsers, "province_coordinator")
    for _ in range(100):  # the first view may find it still being added up
        html = (await browser.get("/web/overview/p?p=m2026-11"))[1]
        if "Tổng phụ cấp tháng 11/2026:" in html:
            break
        assert "đang được cộng" in html
        await asyncio.sleep(0.05)
    shown = re.search(r"Tổng phụ cấp tháng 11/2026: ([\d.]+) đ", html)
    assert shown
    # The teams of the communes are the province's teams: the communes' totals add up to it.
    read = hooked.services.read
    month = Period(date(2026, 11, 1), date(2026, 11, 30), "month")
    today = date(2026, 11, 23)
    communes = await read.geo.communes_with_teams("92")
    parts = [await allowance_total(read, Scope("92", c.code), month, today) for c in communes]
    assert int(shown[1].replace(".", "")) == sum(p or 0 for p in parts) > 0


async def test_the_trends_add_up_to_the_chats_figures(hooked: HookedWorld) -> None:
    services = hooked.services
    today = date(2026, 11, 23)
    for scope in (Scope("92"), Scope("92", "31441")):
        weeks, months = await trends(services, scope, last_weeks(today), last_months(today))
        for trend in (weeks, months):
            assert len(trend.periods) == 12
            for period, total in zip(trend.periods, trend.totals, strict=True):
                tally = await services.read.tallies.total(scope, period.start, period.end)
                assert total == tally.citizens, (scope, period)
        assert sum(weeks.totals) > 0


@pytest.mark.settings(WEB_BASE_URL="https://bot.example.gov.vn",
                      TELEGRAM_WEBHOOK_SECRET="telegram-secret-for-the-tests_0123456789",
                      ZALO_WEBHOOK_SECRET="zalo-secret-for-the-tests_9876543210")
async def test_behind_https_the_session_cookie_is_secure(hooked: HookedWorld) -> None:
    link = await ask_link(hooked.person("commune_coordinator"))
    async with hooked.sandbox.client_session.get(link, allow_redirects=False) as response:
        assert response.status == 303
        cookie = response.headers["Set-Cookie"]
    assert "Secure" in cookie
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


async def test_a_past_months_approval_as_the_chat_records_it(hooked: HookedWorld,
                                                             browsers: list[Browser]) -> None:
    places = await _places(hooked, "commune_coordinator")
    commune = places["commune"]
    browser = await logged_in(hooked, browsers, "commune_coordinator")
    html = (await browser.get(f"/web/overview/{commune}?p=m2026-10"))[1]
    assert "Duyệt số liệu tháng 10/2026" in html
    assert "chưa duyệt" in html
    assert "Để duyệt, hãy gửi /approve 2026-10 cho bot" in html
    html = (await browser.get(f"/web/overview/{commune}?p=m2026-11"))[1]
    assert "Duyệt số liệu" not in html  # the month has not ended: nothing to approve yet
    html = (await browser.get(f"/web/overview/{commune}?p=q2026-4"))[1]
    assert "Duyệt số liệu" not in html  # approvals are monthly

    coordinator = hooked.person("commune_coordinator")
    await coordinator.send("/approve 2026-10")
    confirm = await coordinator.wait_for(lambda m: bool(m.buttons), timeout=20)
    await coordinator.press(confirm.buttons[0], message=confirm)
    await coordinator.wait_for(lambda m: "Đã duyệt" in (m.text or ""), timeout=20)
    member = await hooked.services.read.members.by_identity(
        "telegram", str(coordinator.user_id))
    assert member is not None
    when = hooked.services.t.date("vi", hooked.clock().date())

    html = (await browser.get(f"/web/overview/{commune}?p=m2026-10"))[1]
    assert f"bởi {member.full_name} ngày {when}" in html
    assert "số liệu đã khóa" in html
    assert "/approve 2026-10" not in html  # nothing left to approve

    province = await logged_in(hooked, browsers, "province_coordinator")
    html = (await province.get("/web/overview/p?p=m2026-10"))[1]
    communes = await hooked.services.read.geo.communes_with_teams("92")
    assert f"Xã, phường đã duyệt: 1/{len(communes)}" in html
    row = re.search(rf'href="/web/overview/{commune}\?p=m2026-10">[^<]*</a></td><td>(.*?)</td>',
                    html)
    assert row
    assert "đã duyệt" in row[1]
    assert member.full_name in row[1]
    assert html.count("đang chờ") == len(communes) - 1
    assert "/approve 2026-10" in html  # a province coordinator may approve communes in the chat

    leader = await logged_in(hooked, browsers, "team_leader")
    team = (await _places(hooked, "team_leader"))["team"]
    html = (await leader.get(f"/web/overview/{team}?p=m2026-10"))[1]
    assert "Duyệt số liệu tháng 10/2026" in html
    assert "/approve" not in html  # a team leader may not approve
