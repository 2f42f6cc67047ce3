"""The Zalo port as an adapter only: the reader's language comes with each message, and what a
chat was offered is kept by the ``ChoiceMemory`` it is given (here an in-memory one of our own;
the app's, over SQLite, is checked below and end to end in test_zalo_flows)."""

from __future__ import annotations

from typing import Any

from bot.app.sender import Sender
from bot.app.zalo_choices import StoredChoices
from bot.channels.zalo import ZaloPort
from bot.channels.zalo_text import Offered, Options
from bot.core.chat import Button, Incoming, OutMessage
from handlers.steering.weekly import enqueue_reminders
from locales import translator
from storage.db import Database
from storage.repos import Repos
from tests.harness.clock import FakeClock
from tests.harness.inprocess import InProcessBot

LANGS = ((Button("Tiếng Việt", "lang:vi"), Button("English", "lang:en")),)
MENU = (("📝 Ghi nhận", "❓ Trợ giúp"),)
T = translator("vi")
ZALO_ONLY = 38  # the demo's Cao Đức Thắng (Telegram persona 9001), silent this week


class MemoryChoices:
    """A ChoiceMemory in a dict, counting the recalls."""

    def __init__(self) -> None:
        self.offered: dict[str, Offered] = {}
        self.recalls = 0

    async def recall(self, chat_id: str) -> Offered:
        self.recalls += 1
        return self.offered.get(chat_id, Offered())

    async def remember(self, chat_id: str, options: Options | None,
                       menu: tuple[str, ...] | None) -> None:
        before = self.offered.get(chat_id, Offered())
        self.offered[chat_id] = Offered(options, before.menu if menu is None else menu)


class TextApi:
    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []

    async def send_message(self, chat_id: str, text: str) -> dict[str, Any]:
        self.sent.append((chat_id, text))
        return {"message_id": f"z{len(self.sent)}"}


def port(memory: MemoryChoices, api: TextApi) -> ZaloPort:
    return ZaloPort(api, choices=memory, t=T, default_language="vi")  # type: ignore[arg-type]


def typed(text: str, chat_id: str = "c1") -> Incoming:
    return Incoming(channel="zalo", update_key=f"k:{text}", chat_id=chat_id, user_id=chat_id,
                    display_name="", text=text)


async def test_the_lines_the_port_adds_are_in_the_language_of_the_message() -> None:
    memory, api = MemoryChoices(), TextApi()
    zalo = port(memory, api)
    await zalo.send("en-reader", OutMessage("Choose a language:", buttons=LANGS, menu=MENU,
                                            lang="en"))
    await zalo.send("vi-reader", OutMessage("Chọn ngôn ngữ:", buttons=LANGS, menu=MENU,
                                            lang="vi"))
    await zalo.send("no-lang", OutMessage("Chọn ngôn ngữ:", buttons=LANGS))
    english, vietnamese, default = (text for _, text in api.sent)
    assert english.endswith("1. Tiếng Việt\n2. English\n\nReply with a number to choose.")
    assert "You can type: 📝 Ghi nhận · ❓ Trợ giúp" in english
    assert vietnamese.endswith("2. English\n\nNhắn số để chọn.")
    assert "Anh/chị có thể nhắn: 📝 Ghi nhận · ❓ Trợ giúp" in vietnamese
    assert default.endswith("Nhắn số để chọn.")  # no language given: the default one


async def test_a_typed_number_presses_the_button_it_stands_for() -> None:
    memory, api = MemoryChoices(), TextApi()
    zalo = port(memory, api)
    await zalo.send("c1", OutMessage("Choose:", buttons=LANGS, lang="en"))
    pressed = await zalo.interpret(typed("2"))
    assert (pressed.text, pressed.callback_data) == (None, "lang:en")
    assert (await zalo.interpret(typed("số 1"))).callback_data == "lang:vi"
    assert (await zalo.interpret(typed("3"))).text == "3"  # not offered: ordinary text
    assert (await zalo.interpret(typed("2", chat_id="other"))).text == "2"  # another chat

    await zalo.send("c1", OutMessage("How many people came?", lang="en"))
    assert (await zalo.interpret(typed("2"))).text == "2"  # the list is gone: an answer


async def test_a_quick_reply_typed_by_hand_is_its_label_and_its_hint_shows_once() -> None:
    memory, api = MemoryChoices(), TextApi()
    zalo = port(memory, api)
    await zalo.send("c1", OutMessage("Welcome", menu=MENU, lang="vi"))
    await zalo.send("c1", OutMessage("Again", menu=MENU, lang="vi"))
    assert [text.count("có thể nhắn") for _, text in api.sent] == [1, 0]
    assert (await zalo.interpret(typed("tro giup"))).text == "❓ Trợ giúp"


async def test_commands_and_unchanged_choices_cost_no_memory_work() -> None:
    memory, api = MemoryChoices(), TextApi()
    zalo = port(memory, api)
    assert (await zalo.interpret(typed("/help"))).text == "/help"
    assert memory.recalls == 0
    await zalo.send("c1", OutMessage("One", lang="vi"))
    assert "c1" not in memory.offered  # nothing was offered, nothing changed: nothing written


async def test_stored_choices_come_back_from_the_database(db: Database,
                                                          clock: FakeClock) -> None:
    choices = StoredChoices(db, clock)
    assert await choices.recall("c1") == Offered()
    await choices.remember("c1", Options.of(LANGS), ("📝 Ghi nhận",))
    await choices.remember("c1", None, None)  # a message without buttons keeps the menu
    assert await choices.recall("c1") == Offered(None, ("📝 Ghi nhận",))
    await choices.remember("c1", Options.of(LANGS), ())
    assert await choices.recall("c1") == Offered(Options.of(LANGS), ())
    assert await Repos(db.reader).zalo.options("c1") == Options.of(LANGS).to_json()


async def test_a_weekly_nudge_on_zalo_speaks_the_members_language_to_the_last_line(
        inprocess: InProcessBot) -> None:
    """Rendered by the scheduler, held in the outbox, sent by the sender: the hint Zalo adds is
    in the member's language too, and typing its number presses the nudge's button."""
    services, now = inprocess.services, inprocess.clock()
    async with services.db.write() as conn:  # a member reachable on Zalo only, reading English
        await conn.execute("DELETE FROM identities WHERE member_id = ? AND channel = 'telegram'",
                           (ZALO_ONLY,))
        await Repos(conn).members.set_language(ZALO_ONLY, "en", now)
    await enqueue_reminders(services, now, now)
    await Sender(services, per_chat_interval=0.0).drain()
    [nudge] = inprocess.zalo_api.sent
    assert nudge[1].startswith("Hello Thắng! You have not logged any session this week.")
    assert nudge[1].endswith("1. ✍️ Log now\n\nReply with a number to choose.")

    await inprocess.zalo_text(9001, "1")
    question = inprocess.zalo_api.sent[-1][1]
    assert question.startswith(services.t("en", "log.ask_category"))
    assert question.endswith("Reply with a number to choose.")
