"""A leader pauses a member on leave, end to end: a team leader on Telegram (Vietnamese), a
commune coordinator on Zalo (English, with the numbered choices), the member told, the audit
log, and the refusals."""

from __future__ import annotations

from datetime import date

from tests.harness.world import World
from tests.harness.zalo_world import ZaloWorld

MAI = "Nguyễn Thị Mai"          # member_1, Ấp 1, Vietnamese
SANG = "Nguyễn Thanh Sang"      # member_2, Ấp 1, English


async def _member_id(world: World, telegram_id: str) -> int:
    member = await world.services.read.members.by_identity("telegram", telegram_id)
    assert member is not None
    return member.id


async def test_a_team_leader_pauses_and_resumes_a_member(quiet_world: World) -> None:
    world = quiet_world
    leader = world.person("team_leader")
    mai = world.person("member_1")
    await mai.refresh()
    await leader.command("pause", MAI, "2", "tuần")
    done = (await leader.next_message()).text
    assert f"Đã tạm dừng lời nhắc cho {MAI} đến hết 06/12/2026" in done
    told = await mai.wait_for(lambda m: "đã tạm dừng lời nhắc cho anh/chị" in m.text, timeout=10)
    assert "đến hết 06/12/2026" in told.text
    assert "/resume" in told.text
    paused = await world.services.read.pauses.current(date(2026, 11, 23))
    assert paused == {await _member_id(world, "9005"): date(2026, 12, 6)}
    entry = (await world.services.read.audit.latest(1, action="pause.member"))[0]
    assert entry.target == MAI

    await leader.command("team")
    page = (await leader.next_message()).text
    assert f"{MAI}: ⏸ tạm nghỉ đến hết 06/12/2026" in page

    await leader.command("resume", MAI)
    assert f"Đã bật lại lời nhắc cho {MAI}" in (await leader.next_message()).text
    await mai.wait_for(lambda m: "đã bật lại lời nhắc cho anh/chị" in m.text, timeout=10)
    assert await world.services.read.pauses.current(date(2026, 11, 23)) == {}
    assert (await world.services.read.audit.latest(1, action="pause.member_resume"))[0]

    # The member's own /pause is unchanged, and a member cannot pause someone else.
    await mai.command("pause", "1w")
    assert "Đã tạm dừng lời nhắc đến hết 29/11/2026" in (await mai.next_message()).text
    await mai.command("pause", SANG)
    refused = (await mai.next_message()).text
    assert "/pause 2w" in refused
    assert SANG not in {e.target for e in await world.services.read.audit.latest(
        5, action="pause.member")}


async def test_a_leader_cannot_pause_outside_their_team(quiet_world: World) -> None:
    leader = quiet_world.person("team_leader")
    await leader.command("pause", "Đỗ Tấn Phong")   # the commune coordinator, another team
    text = (await leader.next_message()).text
    assert "Không tìm thấy thành viên nào tên “Đỗ Tấn Phong”" in text
    assert await quiet_world.services.read.pauses.current(date(2026, 11, 23)) == {}


async def test_a_commune_coordinator_pauses_a_member_on_zalo_with_choices(
        zworld: ZaloWorld) -> None:
    world = zworld.world
    coordinator = zworld.person("commune_coordinator")
    await coordinator.send("/lang en")
    await coordinator.next_message()
    sang = world.person("member_2")
    await sang.refresh()
    await coordinator.send(f"/pause {SANG}")
    ask = await coordinator.next_message()
    assert f"Pause the reminders of {SANG} for how long?" in ask.text
    assert ask.choices == ["⏸ 1 week", "⏸ 2 weeks", "⏸ 1 month"]
    await coordinator.choose("⏸ 1 week", ask)
    done = (await coordinator.next_message()).text
    assert f"Reminders for {SANG} are paused until the end of 29 Nov 2026" in done
    told = await sang.wait_for(lambda m: "paused your reminders" in m.text, timeout=10)
    assert "29 Nov 2026" in told.text                                # Sang reads English

    await coordinator.send(f"/pause {SANG}")
    again = await coordinator.next_message()
    assert "paused until the end of 29 Nov 2026" in again.text
    await coordinator.choose("▶️", again)
    assert f"Reminders for {SANG} are back on" in (await coordinator.next_message()).text
    assert await world.services.read.pauses.current(date(2026, 11, 23)) == {}
