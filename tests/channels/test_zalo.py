"""The bot's flows over Zalo, end to end: the Zalo channel polling the sandbox's Zalo Bot API
over HTTP, next to the real Telegram bot, on one database."""

from __future__ import annotations

import re

import pytest

from bot.sandbox import SandboxUser
from bot.sandbox.zalo_testing import SandboxZaloUser, ZaloMessage
from storage.repos import Repos
from tests.harness.zalo_world import ZaloWorld, start_zalo

CODE = re.compile(r"\b([A-Z2-9]{8})\b")
PICK_BY_NUMBER = "Nhắn số để chọn."


async def _invite_code(leader: SandboxUser) -> str:
    await leader.command("invite")
    reply = await leader.wait_for(lambda m: "t.me/" in m.text)
    match = CODE.search(reply.text.split("t.me/", 1)[1].split("\n", 1)[1])
    assert match, reply.text
    return match[1]


def _body(message: ZaloMessage) -> str:
    """The text without the numbered choices Zalo adds in place of buttons."""
    return message.text.split("\n\n1. ", 1)[0]


async def test_a_stranger_joins_with_a_typed_code_and_picks_their_name_by_number(
    zworld: ZaloWorld,
) -> None:
    code = await _invite_code(zworld.world.person("team_leader"))
    newcomer = zworld.stranger("a1b2c3d4e5f6a7b8c9d0")
    await newcomer.send(code)
    question = await newcomer.next_message()
    assert "Ấp 1, Xã Vị Thủy" in question.text
    assert question.text.endswith(PICK_BY_NUMBER)
    names = question.choices
    assert names[-1] == "Tên tôi không có ở đây"
    assert "Lê Hữu Toàn" not in names  # the leader is already on Zalo (linked by the demo)
    chosen = names[0]

    await newcomer.send("1")
    welcome = await newcomer.next_message()
    assert f"Chào mừng {chosen}" in welcome.text
    assert "Ấp 1, Xã Vị Thủy" in welcome.text

    # The member's quick-reply keyboard becomes one line of what can be typed, shown once.
    services = zworld.world.services
    hint = next(line for line in welcome.text.splitlines()
                if line.startswith("Anh/chị có thể nhắn: "))
    assert services.t("vi", "menu.help") in hint

    await newcomer.send("/me")
    profile = await newcomer.next_message()
    assert "có thể nhắn" not in profile.text
    assert chosen in profile.text
    assert "Tổ: Ấp 1 — Xã Vị Thủy" in profile.text
    assert "Zalo" in profile.text
    member = await services.read.members.by_identity("zalo", "a1b2c3d4e5f6a7b8c9d0")
    assert member is not None
    assert member.full_name == chosen

    await newcomer.send("tro giup")  # a quick-reply label typed by hand, without diacritics
    assert "/me" in (await newcomer.next_message()).text


async def test_join_command_and_a_name_not_in_the_list(zworld: ZaloWorld) -> None:
    code = await _invite_code(zworld.world.person("team_leader"))
    newcomer = zworld.stranger("00000000000000000abc")
    await newcomer.send(f"/join {code.lower()}")
    await newcomer.next_message()
    await newcomer.send(f"số {len(await _last_choices(newcomer))}")  # "not listed" is last
    assert "họ và tên" in (await newcomer.next_message()).text
    await newcomer.send("1")  # no list is showing now: a number is just (not a) name
    assert "chưa hợp lệ" in (await newcomer.next_message()).text
    await newcomer.send("Phan Thị Bé Ba")
    assert "Chào mừng Phan Thị Bé Ba" in (await newcomer.next_message()).text


async def _last_choices(user: SandboxZaloUser) -> list[str]:
    await user.refresh()
    return next(m.choices for m in reversed(user.messages) if m.from_bot and m.choices)


async def test_language_is_chosen_by_number_and_the_hint_follows_it(zworld: ZaloWorld) -> None:
    visitor = zworld.stranger("00000000000000000def")
    await visitor.send("/lang")
    menu = await visitor.next_message()
    assert menu.choices == ["Tiếng Việt", "English"]
    assert menu.text.startswith("Chọn ngôn ngữ:")
    await visitor.send("2")
    assert (await visitor.next_message()).text == zworld.world.services.t("en", "lang.set")
    await visitor.send("/lang")
    again = await visitor.next_message()
    assert again.text.endswith("Reply with a number to choose.")
    await visitor.send("tieng viet")  # the label typed by hand works too
    assert (await visitor.next_message()).text == zworld.world.services.t("vi", "lang.set")


async def test_a_number_that_is_not_an_option_is_ordinary_text(zworld: ZaloWorld) -> None:
    visitor = zworld.stranger("00000000000000000bad")
    await visitor.send("/lang")
    await visitor.next_message()
    await visitor.send("7")
    assert "chưa hiểu" in (await visitor.next_message()).text


async def test_a_sticker_gets_the_polite_not_understood_answer(zworld: ZaloWorld) -> None:
    visitor = zworld.stranger("0000000000000000abcd")
    await visitor.send_sticker()
    reply = await visitor.next_message()
    assert reply.text == zworld.world.services.t("vi", "errors.not_understood_visitor")


async def test_long_text_is_split_at_line_breaks_under_2000_characters(zworld: ZaloWorld
                                                                       ) -> None:
    from bot.core.chat import OutMessage

    reader = zworld.stranger("00000000000000001234")
    await reader.refresh()
    lines = [f"Dòng {i}: hỗ trợ người dân cài đặt VNeID mức 2 tại nhà văn hoá ấp."
             for i in range(120)]
    await zworld.channel.port.send(reader.chat_id, OutMessage("\n".join(lines)))
    pieces = [await reader.next_message()]
    while not pieces[-1].text.endswith(lines[-1]):
        pieces.append(await reader.next_message())
    assert len(pieces) == 4
    assert all(1900 < len(p.text) <= 2000 for p in pieces[:-1])
    assert "\n".join(p.text for p in pieces) == "\n".join(lines)


async def test_a_repeated_delivery_is_handled_once(zworld: ZaloWorld) -> None:
    visitor = zworld.stranger("00000000000000005678")
    sent = await visitor.send("/start")
    await visitor.next_message()
    await visitor.redeliver(sent)
    await visitor.send("/help")
    # Updates are handled in order: had the repeat been answered, that answer would come first.
    assert "/help" in (await visitor.next_message()).text
    assert visitor.drain() == []


async def test_empty_long_polls_are_not_errors(zworld: ZaloWorld) -> None:
    state = zworld.world.sandbox.zalo.state
    assert await state.polled.wait_until(lambda: state.stats.empty_polls >= 2, 5)
    assert zworld.channel.poller.stats.empty_polls >= 1
    assert zworld.channel.poller.stats.errors == 0
    visitor = zworld.stranger("00000000000000009999")
    await visitor.send("/start")
    assert "mã mời" in (await visitor.next_message()).text


async def test_quota_and_server_errors_are_retried(zworld: ZaloWorld) -> None:
    zalo = zworld.world.sandbox.zalo
    zalo.fail_next("sendMessage", 429, "Quota exceeded", times=2)
    zalo.fail_next("getUpdates", 502, "Bad Gateway", times=2)
    visitor = zworld.stranger("00000000000000004290")
    await visitor.send("/start")
    assert "mã mời" in (await visitor.next_message()).text
    assert zalo.state.stats.errors[429] == 2
    # The next update can only arrive through the polls that failed: a second round trip
    # proves the poller got past them.
    await visitor.send("/help")
    assert "/join" in (await visitor.next_message(timeout=10)).text
    assert zalo.state.stats.errors[502] == 2
    assert zworld.channel.poller.stats.errors == 2


async def test_a_member_on_both_channels_is_one_member(zworld: ZaloWorld) -> None:
    on_telegram = zworld.world.person("member_1")
    on_zalo = zworld.person("member_1")
    await on_telegram.command("me")
    await on_zalo.send("/me")
    telegram_profile = (await on_telegram.next_message()).text
    zalo_profile = (await on_zalo.next_message()).text
    assert zalo_profile == telegram_profile
    assert "Telegram, Zalo" in zalo_profile
    read = zworld.world.services.read
    by_telegram = await read.members.by_identity("telegram", str(on_telegram.user_id))
    by_zalo = await read.members.by_identity("zalo", on_zalo.user_id)
    assert by_telegram is not None
    assert by_zalo is not None
    assert by_telegram.id == by_zalo.id


async def test_the_same_flows_say_the_same_things_on_both_channels(zworld: ZaloWorld) -> None:
    telegram = zworld.world.stranger(5201)
    zalo = zworld.stranger("00000000000000005201")
    for text in ("/start", "/help", "xin chào", "/me", "/lang"):
        await telegram.send(text)
        await zalo.send(text)
        on_telegram = await telegram.next_message()
        on_zalo = await zalo.next_message()
        assert _body(on_zalo) == on_telegram.text, text
        assert on_zalo.choices == on_telegram.buttons, text


async def test_numbered_choices_survive_a_restart(zworld: ZaloWorld) -> None:
    visitor = zworld.stranger("0000000000000000beef")
    await visitor.send("/lang")
    await visitor.next_message()
    # A new channel (as after a restart) reads what "2" means from the database. The old
    # poller stops first, so that only the new one can be handed the message.
    await zworld.channel.poller.stop()
    async with start_zalo(zworld.world) as channel:
        await visitor.send("2")
        assert (await visitor.next_message()).text == zworld.world.services.t("en", "lang.set")
        assert channel.poller.stats.updates == 1
    async with zworld.world.services.db.write() as conn:  # the options were replaced by then
        assert await Repos(conn).zalo.options(visitor.chat_id) is None


async def test_photos_and_documents_go_as_links_of_the_bots_web_server(
        zworld: ZaloWorld) -> None:
    from bot.core.chat import OutFile, OutMessage

    reader = zworld.stranger("0000000000000000cafe")
    await reader.refresh()
    port = zworld.channel.port
    png = b"\x89PNG\r\n\x1a\n" + b"0" * 64
    await port.send(reader.chat_id, OutMessage("Biểu đồ tuần", photo=OutFile("c.png", png,
                                                                              "image/png")))
    photo = await reader.next_message()
    assert photo.text == "Biểu đồ tuần"
    assert photo.photo_url is not None
    async with zworld.world.sandbox.client_session.get(photo.photo_url) as response:
        assert await response.read() == png
    await port.send(reader.chat_id, OutMessage("Báo cáo tháng 11", document=OutFile(
        "bao-cao.xlsx", b"PK...")))
    document = await reader.next_message()
    assert document.text.startswith("Báo cáo tháng 11\n\n📎 Tải tệp bao-cao.xlsx: http")
    link = document.text.split(": ", 1)[1].split()[0]
    async with zworld.world.sandbox.client_session.get(link) as response:
        assert await response.read() == b"PK..."


async def test_without_a_public_address_a_document_says_where_to_get_it(
        zworld: ZaloWorld) -> None:
    from bot.core.chat import OutFile, OutMessage

    reader = zworld.stranger("0000000000000000cafd")
    await reader.refresh()
    port = zworld.channel.port
    port.files = None  # a Zalo deployment without WEB_BASE_URL
    await port.send(reader.chat_id, OutMessage("Báo cáo tháng 11", document=OutFile(
        "bao-cao.xlsx", b"PK...")))
    document = await reader.next_message()
    assert document.text.startswith("Báo cáo tháng 11\n\n📎 Tệp bao-cao.xlsx")
    assert "Telegram" in document.text


async def test_a_photo_from_a_person_reaches_the_flows_as_a_photo(zworld: ZaloWorld) -> None:
    from bot.core.chat import IncomingFile

    visitor = zworld.stranger("0000000000000000f00d")
    await visitor.send_image(b"\x89PNG fake", caption=None)
    assert "chưa hiểu" in (await visitor.next_message()).text
    message = visitor.messages[0]
    data = await zworld.channel.port.download(
        IncomingFile(str(message.photo_url), None, "image/png", None))
    assert data == b"\x89PNG fake"


ZALO_ADMIN_ID = "00000000000000000ad1"


@pytest.mark.settings(ADMIN_ZALO_IDS=ZALO_ADMIN_ID)
async def test_an_admin_named_in_the_settings_is_recognised_on_zalo(zworld: ZaloWorld) -> None:
    services = zworld.world.services
    assert services.settings.admin_zalo_ids == [ZALO_ADMIN_ID]
    admin = zworld.stranger(ZALO_ADMIN_ID, "Quản trị Zalo")
    await admin.send("/me")
    profile = await admin.next_message()
    assert services.t("vi", "role.admin") in profile.text
    assert "Zalo" in profile.text


async def test_a_coordinator_invites_through_numbered_pickers_on_zalo(zworld: ZaloWorld) -> None:
    services = zworld.world.services
    coordinator = zworld.person("commune_coordinator")
    await coordinator.send("/invite")
    teams = await coordinator.next_message()
    assert "Ấp 1" in teams.choices
    await coordinator.choose("Ấp 1", teams)
    roles = await coordinator.next_message()
    assert services.t("vi", "role.team_leader") in roles.choices
    await coordinator.choose(services.t("vi", "role.member"), roles)
    created = await coordinator.next_message()
    match = CODE.search(created.text.split("t.me/", 1)[1].split("\n", 1)[1])
    assert match, created.text

    newcomer = zworld.stranger("0000000000000000c0de")
    await newcomer.send(match[1])
    assert "Ấp 1" in (await newcomer.next_message()).text
