"""Every press is answered: forged, stale or out-of-scope button data gets one short polite
answer that names nothing, changes nothing, and (beyond the caller's rights) is audited."""

from __future__ import annotations

import pytest

from bot.app.demo import PERSONA_IDS
from locales import translator
from storage.repos import Repos
from tests.harness.inprocess import InProcessBot

ADMIN, PROVINCE, COMMUNE = PERSONA_IDS["admin"], PERSONA_IDS["province_coordinator"], \
    PERSONA_IDS["commune_coordinator"]
LEADER, MEMBER = PERSONA_IDS["team_leader"], PERSONA_IDS["member_1"]
STRANGER = 123_456_789
STALE = translator()("vi", "errors.stale_button")
#: A team and a member of Phường Vị Thanh, outside the commune coordinator's Xã Vị Thủy.
ELSEWHERE_TEAM, ELSEWHERE_MEMBER = 6, 144


async def _audited_denials(bot: InProcessBot) -> int:
    rows = await bot.services.db.reader.execute_fetchall(
        "SELECT COUNT(*) FROM audit_log WHERE action = 'denied' AND target LIKE 'button %'")
    return int(next(iter(rows))[0])


async def _press(bot: InProcessBot, user: int, data: str) -> list[str]:
    before = len(bot.telegram.to(user))
    await bot.telegram_press(user, data)
    return [s.message.text for s in bot.telegram.to(user)[before:]]


@pytest.mark.parametrize(("user", "data"), [
    (MEMBER, "bc:aud:r:admin:-"),          # a raw message key was shown
    (ADMIN, "bc:aud:r:admin:-"),           # a broadcast to an unlabelled role was opened
    (COMMUNE, "inv:t:999999"),             # acknowledged with nothing said
    (COMMUNE, "inv:m:349:admin"),
    (MEMBER, "lang:xx"),
    (ADMIN, "inv:c:99999"),                # an invitation for a commune that does not exist
    (STRANGER, "nonsense"),
    (MEMBER, "log:s:zzzz"),
    (ADMIN, "mem:v:999999999"),
    (ADMIN, "team:v:" + "9" * 60),          # longer than any id
    (ADMIN, "exp:x:m2026-13:p"),            # an export of a month that does not exist
    (ADMIN, "exp:pdf:m2026-11:p"),          # an export in no format it makes
])
async def test_forged_data_gets_one_polite_answer_and_changes_nothing(
        inprocess: InProcessBot, user: int, data: str) -> None:
    replies = await _press(inprocess, user, data)
    assert replies == [STALE]
    assert await inprocess.services.read.chats.flow("telegram", str(user)) is None


@pytest.mark.parametrize(("user", "data"), [
    (COMMUNE, f"team:v:{ELSEWHERE_TEAM}"),
    (COMMUNE, f"mem:rn:{ELSEWHERE_MEMBER}"),
    (COMMUNE, f"mem:off:{ELSEWHERE_MEMBER}"),
    (LEADER, f"team:v:{ELSEWHERE_TEAM}"),
    (MEMBER, f"mem:v:{ELSEWHERE_MEMBER}"),
    (STRANGER, f"mem:offok:{ELSEWHERE_MEMBER}"),
    (STRANGER, "imp:ok:0123456789ab"),
    (MEMBER, "bc:aud:p:92"),
])
async def test_a_press_beyond_the_callers_rights_names_nothing_and_is_audited(
        inprocess: InProcessBot, user: int, data: str) -> None:
    before = await _audited_denials(inprocess)
    replies = await _press(inprocess, user, data)
    assert replies == [STALE]  # not "Khu vực 6, Phường Vị Thanh": ids do not map to places
    assert await _audited_denials(inprocess) == before + 1
    person = await inprocess.services.read.members.get(ELSEWHERE_MEMBER)
    assert person is not None
    assert person.active


async def test_a_real_button_within_scope_still_works(inprocess: InProcessBot) -> None:
    replies = await _press(inprocess, COMMUNE, "team:v:349")
    assert replies
    assert "Ấp 1" in replies[0]


async def test_a_failed_acknowledgement_does_not_cancel_the_save(
        inprocess: InProcessBot) -> None:
    bot = inprocess
    await bot.telegram_text(MEMBER, "/log cks 3 họp chợ")
    save = next(d for d in reversed(bot.telegram.buttons_to(MEMBER)) if d.startswith("log:s:"))
    bot.telegram.fail_acknowledge = True
    await bot.telegram_press(MEMBER, save)
    assert bot.telegram.texts_to(MEMBER)[-1].startswith("✅ Đã lưu.")
    member = await bot.services.read.members.by_identity("telegram", str(MEMBER))
    assert member is not None
    sessions = await bot.services.read.sessions.latest_of(member.id, limit=1)
    assert sessions
    assert sessions[0].note == "họp chợ"
    assert sessions[0].citizens == 3


async def test_a_team_leader_inviting_by_team_name_gets_the_invitation(
        inprocess: InProcessBot) -> None:
    await inprocess.telegram_text(LEADER, "/invite Ấp 1 member")
    assert "Ấp 1" in inprocess.telegram.texts_to(LEADER)[-1]
    rows = await inprocess.services.db.reader.execute_fetchall(
        "SELECT team_id, role FROM invitations ORDER BY created_at DESC LIMIT 1")
    assert tuple(next(iter(rows))) == (349, "member")


async def test_a_team_leader_naming_another_team_is_told_politely(
        inprocess: InProcessBot) -> None:
    await inprocess.telegram_text(LEADER, "/invite Khu vực 6 member")
    reply = inprocess.telegram.texts_to(LEADER)[-1]
    assert "Khu vực 6" in reply
    assert "Phường" not in reply
    assert reply == translator()("vi", "invite.no_such_team", text="Khu vực 6")


async def test_a_team_leader_may_not_invite_a_leader(inprocess: InProcessBot) -> None:
    async with inprocess.services.db.write() as conn:
        before = len(await conn.execute_fetchall("SELECT 1 FROM invitations"))
    await inprocess.telegram_text(LEADER, "/invite Ấp 1 leader")
    assert inprocess.telegram.texts_to(LEADER)[-1] == translator()("vi", "invite.not_here")
    after = await inprocess.services.db.reader.execute_fetchall("SELECT 1 FROM invitations")
    assert len(list(after)) == before


async def test_every_button_route_declares_its_verbs() -> None:
    from bot.app.routes import build_router as dispatcher

    assert [p for p, route in dispatcher().buttons.items() if not route.verbs] == []


async def test_the_reminder_button_is_a_declared_verb() -> None:
    from bot.app.routes import build_router as dispatcher
    from bot.core.callback_data import unpack
    from handlers.steering.weekly import LOG_NOW

    assert unpack(dispatcher().buttons["log"].verbs, LOG_NOW) is not None


async def test_audit_of_a_denied_press_keeps_who_and_what(inprocess: InProcessBot) -> None:
    await inprocess.telegram_press(STRANGER, f"mem:off:{ELSEWHERE_MEMBER}")
    entry = (await Repos(inprocess.services.db.reader).audit.latest(1))[0]
    assert entry.action == "denied"
    assert entry.target == "button mem"
    assert entry.details["user"] == str(STRANGER)


async def test_a_name_typed_after_joining_by_button_is_answered_not_crashed(
        inprocess: InProcessBot, caplog: pytest.LogCaptureFixture) -> None:
    """Found by the fuzzer: "my name is not listed", then a name button, then a typed name."""
    bot, newcomer = inprocess, 9100
    await bot.telegram_text(newcomer, "/start HGDEMXA2")
    listed = [d for d in bot.telegram.buttons_to(newcomer) if d.startswith("join:")]
    await bot.telegram_press(newcomer, next(d for d in listed if d.endswith(":new")))
    await bot.telegram_press(newcomer, next(d for d in listed if not d.endswith(":new")))
    joined = await bot.services.read.members.by_identity("telegram", str(newcomer))
    assert joined is not None
    await bot.telegram_text(newcomer, "Trần Văn Mới")
    assert bot.telegram.texts_to(newcomer)[-1] == translator()(
        "vi", "join.already_member", name=joined.full_name)
    assert "error handling update" not in caplog.text
