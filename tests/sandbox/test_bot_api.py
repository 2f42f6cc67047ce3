"""The sandbox answers python-telegram-bot's calls like Telegram does (real HTTP, real PTB)."""

from __future__ import annotations

import aiohttp
import pytest
from telegram import (
    BotCommand,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
    ForceReply,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    LinkPreviewOptions,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    ReplyParameters,
)
from telegram.error import BadRequest, EndPointNotFound, Forbidden

from bot.sandbox import SandboxServer
from bot.sandbox.testing import SandboxUser

ALICE = 1001


@pytest.fixture
async def alice(sandbox: SandboxServer) -> SandboxUser:
    user = SandboxUser(sandbox, ALICE, "Alice", "vi")
    await user.send("/start")  # Telegram only lets a bot write to people who started it
    return user


def keyboard(*buttons: tuple[str, str]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(t, callback_data=d)] for t, d in buttons])


async def test_get_me_describes_the_bot(bot, sandbox: SandboxServer) -> None:
    me = await bot.get_me()
    assert me.is_bot
    assert me.username == "tocns_demo_bot"
    assert sandbox.tokens == {bot.token}


async def test_send_edit_delete_round_trip(bot, alice: SandboxUser) -> None:
    sent = await bot.send_message(ALICE, "<b>Chào</b> <i>bạn</i> &amp; co", parse_mode="HTML",
                                  reply_markup=keyboard(("Tiếng Việt", "lang:vi")))
    assert sent.text == "Chào bạn & co"
    assert [(e.type, e.offset, e.length) for e in sent.entities] == [
        ("bold", 0, 4), ("italic", 5, 3)]
    assert sent.from_user is not None
    assert sent.from_user.is_bot
    seen = await alice.next_message()
    assert seen.text == "Chào bạn & co"
    assert seen.buttons == ["Tiếng Việt"]

    edited = await bot.edit_message_text("Đã chọn", chat_id=ALICE, message_id=sent.message_id)
    assert isinstance(edited, type(sent))
    assert edited.edit_date is not None
    seen = await alice.next_message()
    assert seen.edited
    assert seen.text == "Đã chọn"
    assert seen.buttons == []

    assert await bot.delete_message(ALICE, sent.message_id)
    await alice.refresh()
    assert [m.text for m in alice.messages] == ["/start"]
    with pytest.raises(BadRequest, match="Message to delete not found"):
        await bot.delete_message(ALICE, sent.message_id)


async def test_reply_markups_and_options_are_echoed(bot, alice: SandboxUser) -> None:
    first = await bot.send_message(
        ALICE, "Chọn", reply_markup=ReplyKeyboardMarkup(
            [[KeyboardButton("Hồ sơ"), "Trợ giúp"]], resize_keyboard=True, is_persistent=True),
        disable_notification=True, link_preview_options=LinkPreviewOptions(is_disabled=True))
    assert first.reply_markup is None  # Telegram echoes only inline keyboards
    await alice.refresh()
    assert alice.reply_keyboard == [["Hồ sơ", "Trợ giúp"]]
    assert alice.reply_keyboard_markup is not None
    assert alice.reply_keyboard_markup["is_persistent"] is True

    reply = await bot.send_message(ALICE, "Trả lời", reply_parameters=ReplyParameters(
        first.message_id), reply_markup=ForceReply(input_field_placeholder="..."))
    assert reply.reply_to_message is not None
    assert reply.reply_to_message.message_id == first.message_id

    await bot.send_message(ALICE, "Ẩn", reply_markup=ReplyKeyboardRemove())
    await alice.refresh()
    assert alice.reply_keyboard is None


@pytest.mark.parametrize(("kwargs", "error"), [
    ({"text": ""}, "Message text is empty"),
    ({"text": "x" * 4097}, "Message is too long"),
    ({"text": "<b>đậm"}, 'Can\'t find end tag corresponding to start tag "b"'),
    ({"text": "<blink>x</blink>"}, 'Unsupported start tag "blink"'),
    ({"text": "Xin chào.", "parse_mode": "MarkdownV2"},
     "Character '.' is reserved and must be escaped with the preceding '\\\\'"),
    ({"text": "ok", "reply_markup": keyboard(("x", "d" * 65))}, "Button_data_invalid"),
    ({"text": "ok", "reply_markup": keyboard(("x", "đ" * 33))}, "Button_data_invalid"),
    ({"text": "ok", "reply_markup": InlineKeyboardMarkup([[InlineKeyboardButton("x")]])},
     "Can't parse inline keyboard button"),
])
async def test_invalid_sends_raise_telegrams_errors(bot, alice: SandboxUser, kwargs: dict,
                                                    error: str) -> None:
    kwargs.setdefault("parse_mode", "HTML")
    # PTB re-capitalises Telegram's description, hence the case-insensitive match.
    with pytest.raises(BadRequest, match=f"(?i){error}"):
        await bot.send_message(ALICE, **kwargs)


async def test_limits_accept_exact_maximums(bot, alice: SandboxUser) -> None:
    # 4096 characters after entity parsing: the tags do not count.
    await bot.send_message(ALICE, "<b>" + "x" * 4096 + "</b>", parse_mode="HTML")
    await bot.send_message(ALICE, "ok", reply_markup=keyboard(("x", "đ" * 32)))
    await bot.send_message(ALICE, r"Xin chào\. *đậm* _nghiêng_ `mã`", parse_mode="MarkdownV2")


async def test_chat_errors_and_blocked_users(bot, sandbox: SandboxServer,
                                             alice: SandboxUser) -> None:
    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.send_message(424242, "hi")
    sandbox.set_blocked(ALICE)
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(ALICE, "hi")
    sandbox.set_blocked(ALICE, False)
    await bot.send_message(ALICE, "hi again")


async def test_edit_errors(bot, alice: SandboxUser) -> None:
    markup = keyboard(("A", "a"))
    sent = await bot.send_message(ALICE, "Một", reply_markup=markup)
    with pytest.raises(BadRequest, match="Message is not modified: specified new message "
                                         "content and reply markup are exactly the same"):
        await bot.edit_message_text("Một", chat_id=ALICE, message_id=sent.message_id,
                                    reply_markup=markup)
    with pytest.raises(BadRequest, match="Message to edit not found"):
        await bot.edit_message_text("Hai", chat_id=ALICE, message_id=999)
    with pytest.raises(BadRequest, match="Message can't be edited"):
        await bot.edit_message_text("Hai", chat_id=ALICE, message_id=1)  # Alice's /start
    changed = await bot.edit_message_reply_markup(ALICE, sent.message_id,
                                                  reply_markup=keyboard(("B", "b")))
    assert changed.reply_markup == keyboard(("B", "b"))


async def test_unknown_method_is_404_like_telegram(sandbox: SandboxServer, bot) -> None:
    async with aiohttp.ClientSession() as session, session.post(
            f"{sandbox.bot_api_base_url}{bot.token}/fooBar") as response:
        assert response.status == 404
        assert await response.json() == {"ok": False, "error_code": 404,
                                         "description": "Not Found: method not found"}
    with pytest.raises(EndPointNotFound):
        await bot.do_api_request("fooBar")


async def test_method_names_and_encodings_are_flexible(sandbox: SandboxServer,
                                                       alice: SandboxUser) -> None:
    base = f"{sandbox.bot_api_base_url}123:ABC"
    async with aiohttp.ClientSession() as session:
        async with session.get(f"{base}/GETME") as response:
            assert (await response.json())["result"]["username"] == "tocns_demo_bot"
        async with session.post(f"{base}/sendMessage", json={
                "chat_id": ALICE, "text": "json", "reply_markup": {"inline_keyboard": [[
                    {"text": "x", "callback_data": "y"}]]}}) as response:
            body = await response.json()
            assert body["ok"]
            assert body["result"]["reply_markup"]["inline_keyboard"][0][0][
                "callback_data"] == "y"
        async with session.post(f"{base}/sendmessage",
                                data={"chat_id": str(ALICE), "text": "form"}) as response:
            assert (await response.json())["result"]["text"] == "form"


async def test_documents_round_trip_both_ways(bot, alice: SandboxUser) -> None:
    sheet = b"PK\x03\x04 fake xlsx bytes"
    sent = await bot.send_document(ALICE, sheet, filename="báo cáo.xlsx",
                                   caption="<b>Báo cáo</b>", parse_mode="HTML")
    assert sent.document is not None
    assert sent.document.file_name == "báo cáo.xlsx"
    assert sent.caption == "Báo cáo"
    seen = await alice.next_message()
    assert await alice.download(seen) == sheet
    async with alice.session.get(
            f"{alice.base_url}/sandbox/files/{sent.document.file_id}") as response:
        assert "filename*=UTF-8''b%C3%A1o%20c%C3%A1o.xlsx" in response.headers[
            "Content-Disposition"]
    # Re-sending by file_id needs no upload.
    again = await bot.send_document(ALICE, sent.document.file_id)
    assert again.document is not None
    assert again.document.file_id == sent.document.file_id

    await alice.upload("danh sách.csv", b"ho_ten,sdt\nAn,0901\n", caption="Danh sách")
    updates = await bot.get_updates()
    document = updates[-1].message.document
    assert document is not None
    assert document.file_name == "danh sách.csv"
    file = await bot.get_file(document.file_id)
    assert bytes(await file.download_as_bytearray()) == b"ho_ten,sdt\nAn,0901\n"

    png = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x08"
           b"\x08\x02\x00\x00\x00")
    photo = await bot.send_photo(ALICE, png, caption="ảnh")
    assert (photo.photo[-1].width, photo.photo[-1].height) == (16, 8)
    with pytest.raises(BadRequest, match="Message caption is too long"):
        await bot.send_photo(ALICE, png, caption="x" * 1025)
    with pytest.raises(BadRequest, match="Invalid file_id"):
        await bot.get_file("nope")


async def test_commands_per_scope_and_language(bot, sandbox: SandboxServer,
                                               alice: SandboxUser) -> None:
    bob = SandboxUser(sandbox, 1002, "Bob", "en")
    await bob.send("hello")
    await bot.set_my_commands([BotCommand("start", "Bắt đầu"), BotCommand("help", "Trợ giúp")])
    await bot.set_my_commands([BotCommand("start", "Start")], language_code="en")
    await bot.set_my_commands([BotCommand("me", "Hồ sơ")], scope=BotCommandScopeAllPrivateChats())
    await bot.set_my_commands([BotCommand("admin", "Quản trị")],
                              scope=BotCommandScopeChat(ALICE))

    assert [c.command for c in await bot.get_my_commands()] == ["start", "help"]
    assert [c.command for c in await bot.get_my_commands(language_code="en")] == ["start"]
    assert [c.command for c in await bot.get_my_commands(scope=BotCommandScopeChat(ALICE))] \
        == ["admin"]

    await alice.refresh()
    await bob.refresh()
    assert [c["command"] for c in alice.commands] == ["admin"]  # chat scope wins
    assert [c["command"] for c in bob.commands] == ["me"]  # then all private chats
    assert await bot.delete_my_commands(scope=BotCommandScopeAllPrivateChats())
    await bob.refresh()
    assert bob.commands == [{"command": "start", "description": "Start"}]  # default, English

    async with bob.session.get(f"{sandbox.url}/sandbox/api/commands",
                               params={"chat_id": "1002", "language_code": "vi"}) as response:
        assert [c["command"] for c in (await response.json())["commands"]] == ["start", "help"]

    for bad, error in [(BotCommand("Start", "x"), "Bot_command_invalid"),
                       (BotCommand("a" * 33, "x"), "Bot_command_invalid"),
                       (BotCommand("ok", "x" * 257), "Bot_command_description_invalid")]:
        with pytest.raises(BadRequest, match=error):
            await bot.set_my_commands([bad])


async def test_callback_answers_are_recorded(bot, alice: SandboxUser) -> None:
    await bot.send_message(ALICE, "Chọn", reply_markup=keyboard(("Có", "yes")))
    with pytest.raises(Exception, match="no button"):
        await alice.press("Không")
    query_id = await alice.press("Có")
    updates = await bot.get_updates()
    query = updates[-1].callback_query
    assert query is not None
    assert query.id == query_id
    assert query.data == "yes"
    assert query.message is not None
    assert query.message.text == "Chọn"
    await query.answer("Đã ghi nhận", show_alert=True)
    answer = await alice.callback_answer()
    assert (answer.text, answer.show_alert) == ("Đã ghi nhận", True)
    with pytest.raises(BadRequest, match="Query is too old"):
        await query.answer("again")
    assert await bot.send_chat_action(ALICE, "typing")
