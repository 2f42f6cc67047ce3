"""Feeding fuzzed steps to the real bot and checking what a user would notice.

After each update: no exception escaped the flows (the dispatcher logs one as an error), and a
private message or press got an answer. At the end: every stored session was confirmed with a
Save button the bot had shown to that member, and the database is sound.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from bot.channels import zalo as zalo_channel
from bot.channels.zalo_text import Options
from bot.sandbox.zalo_state import zalo_user_id
from tests.harness.fuzz_strategies import Step, Who
from tests.harness.inprocess import InProcessBot

#: Pressing "erase my data" for real would leave the rest of a run without members.
NOT_PRESSED = ("fg:ok:",)


class ErrorRecorder(logging.Handler):
    """Every ERROR logged while the bot runs: an exception in a flow, a missing message."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@dataclass
class Figures:
    updates: int = 0
    handled: int = 0          # updates the adapters turned into something for the flows
    private: int = 0          # private messages and presses that must be answered
    unanswered: list[str] = field(default_factory=list)
    saves: set[tuple[int, str]] = field(default_factory=set)  # (member id, flow id) of Saves

    def line(self, errors: int) -> str:
        return (f"{self.updates} fuzzed updates ({self.handled} reached the flows, "
                f"{self.private} private messages and presses): {errors} exceptions, "
                f"{len(self.unanswered)} unanswered")


class Fuzzer:
    def __init__(self, bot: InProcessBot) -> None:
        self.bot = bot
        self.figures = Figures()

    async def run(self, step: Step) -> None:
        bot = self.bot
        if step.kind == "quick_save":  # two updates of their own
            await self._quick_save(step)
            return
        bot.clock.advance(seconds=step.seconds)
        self.figures.updates += 1
        before = self._answers(step)
        if step.channel == "telegram":
            inc = await bot.telegram_update(self._telegram(step))
        else:
            inc = await bot.zalo_update(await self._zalo(step))
        if inc is None:
            return
        self.figures.handled += 1
        if inc.callback_data and inc.callback_data.startswith("log:s:"):
            member = await bot.services.read.members.by_identity(inc.channel, inc.user_id)
            if member is not None:
                self.figures.saves.add((member.id, inc.callback_data.split(":")[2]))
        if inc.private:
            self.figures.private += 1
            if self._answers(step) == before:
                self.figures.unanswered.append(f"{step} -> {inc}")

    async def _quick_save(self, step: Step) -> None:
        """A quick log ("cks 3 <note>") and a press of the Save button it was answered with."""
        text = f"cks {step.pick % 9 + 1} {step.text[:200]}"
        await self.run(Step("telegram", "text", step.who, text=text, seconds=1))
        shown = self.bot.telegram.to(step.who.user_id)
        last = shown[-1].message.buttons if shown else ()
        save = next((b.data for row in last for b in row if b.data.startswith("log:s:")), None)
        if save is not None:
            await self.run(Step("telegram", "press", step.who, data=save, seconds=1))

    def _answers(self, step: Step) -> int:
        if step.channel == "telegram":
            return len(self.bot.telegram.to(step.who.user_id))
        return len(self.bot.zalo_api.texts_to(_zalo_id(step.who)))

    # --- raw updates ------------------------------------------------------------------------

    def _telegram(self, step: Step) -> dict[str, Any]:
        bot, who = self.bot, step.who
        n = bot.next_id()
        user = {"id": who.user_id, "is_bot": False, "first_name": "Người thử",
                "language_code": "vi"}
        chat: dict[str, Any] = {"id": who.user_id, "type": "private"}
        if who.chat == "group":
            chat = {"id": -1_000_000 - who.user_id % 7, "type": "group", "title": "Tổ"}
        message: dict[str, Any] = {"message_id": n, "date": int(bot.clock().timestamp()),
                                   "chat": chat, "from": user}
        if step.kind in ("press", "shown"):
            data = step.data
            if step.kind == "shown":
                data = self._shown(chat["id"], step) or step.data
            return {"update_id": n, "callback_query": {
                "id": f"q{n}", "chat_instance": "c", "from": user, "data": data,
                "message": {**message, "message_id": max(1, n - 1), "text": "…"}}}
        if step.kind == "channel_post":
            return {"update_id": n, "channel_post": {
                "message_id": n, "date": message["date"], "text": step.text or "tin",
                "chat": {"id": -1_009_999, "type": "channel", "title": "Kênh"}}}
        if step.kind == "member_status":
            bot_user = {"id": 7_000_000_001, "is_bot": True, "first_name": "Bot"}
            return {"update_id": n, "my_chat_member": {
                "chat": chat, "from": user, "date": message["date"],
                "old_chat_member": {"user": bot_user, "status": "member"},
                "new_chat_member": {"user": bot_user, "status": "kicked", "until_date": 0}}}
        extra = _telegram_content(step, n)
        if step.kind == "edited":
            return {"update_id": n, "edited_message": {**message, **extra,
                                                       "edit_date": message["date"]}}
        return {"update_id": n, "message": {**message, **extra}}

    def _shown(self, chat_id: int, step: Step) -> str | None:
        """A button the bot showed in this chat: mostly on its newest message (walking a flow
        the way a person does), sometimes an older one (a stale press)."""
        sent = [s for s in self.bot.telegram.to(chat_id) if s.message.buttons]
        if not sent:
            return None
        if step.pick < 30:
            rows = sent[-1].message.buttons
        else:
            rows = tuple(row for s in sent[-6:] for row in s.message.buttons)
        shown = [b.data for row in rows for b in row if not b.data.startswith(NOT_PRESSED)]
        return shown[step.pick % len(shown)] if shown else None

    async def _zalo(self, step: Step) -> dict[str, Any]:
        n = self.bot.next_id()
        user = _zalo_id(step.who)
        chat = {"id": user, "chat_type": "PRIVATE"}
        if step.who.chat == "group":
            chat = {"id": f"g{step.who.user_id % 7}", "chat_type": "GROUP"}
        message: dict[str, Any] = {"message_id": f"z{n}", "date": 0, "chat": chat,
                                   "from": {"id": user, "display_name": "Người thử",
                                            "is_bot": False}}
        event = zalo_channel.TEXT_EVENT
        if step.kind == "text":
            message["text"] = step.text
        elif step.kind == "number":
            number = str(step.pick % 9 + 1)
            stored = await self.bot.services.read.zalo.options(str(chat["id"]))
            chosen = Options.from_json(stored).match(number) if stored else None
            message["text"] = "0" if chosen and chosen.startswith(NOT_PRESSED) else number
        elif step.kind == "image":
            event = zalo_channel.IMAGE_EVENT
            message["photo_url"] = f"https://zalo.example/p/{n}.jpg"
            if step.pick % 2:
                message["caption"] = step.text
        elif step.kind == "sticker":
            event = "message.sticker.received"
            message["sticker"] = "s1"
        else:
            event = "message.unknown.received"
        return {"event_name": event, "message": message}


def _telegram_content(step: Step, n: int) -> dict[str, Any]:
    if step.kind == "photo":
        content: dict[str, Any] = {"photo": [{"file_id": f"p{n}", "file_unique_id": f"u{n}",
                                              "width": 90, "height": 90, "file_size": 999}]}
        return {**content, "caption": step.text} if step.pick % 2 else content
    if step.kind == "document":
        name = ("danh-sach.xlsx", "report.pdf", "a.csv", "virus.exe", "../../x.xlsx")
        return {"document": {"file_id": f"d{n}", "file_unique_id": f"ud{n}",
                             "file_name": name[step.pick % len(name)],
                             "mime_type": "application/octet-stream", "file_size": 5000},
                "caption": "/import" if step.pick % 3 == 0 else None}
    if step.kind == "sticker":
        return {"sticker": {"file_id": f"s{n}", "file_unique_id": f"us{n}", "type": "regular",
                            "width": 512, "height": 512, "is_animated": False,
                            "is_video": False}}
    if step.kind == "location":
        return {"location": {"latitude": 9.78, "longitude": 105.47}}
    if step.kind == "contact":
        return {"contact": {"phone_number": "0912345678", "first_name": "Bà Năm"}}
    return {"text": step.text}


def _zalo_id(who: Who) -> str:
    return zalo_user_id(who.user_id)


async def stored_unconfirmed(bot: InProcessBot, saves: set[tuple[int, str]],
                             since_id: int) -> list[str]:
    """Sessions stored without a Save pressed by that member for that very flow."""
    rows = await bot.services.db.reader.execute_fetchall(
        "SELECT s.idempotency_key, s.member_id FROM sessions s WHERE s.id > ?", (since_id,))
    return [str(key) for key, member_id in rows
            if (int(member_id), str(key).split(":")[-1]) not in saves]


async def database_problems(bot: InProcessBot) -> list[str]:
    conn = bot.services.db.reader
    integrity = [str(r[0]) for r in await conn.execute_fetchall("PRAGMA integrity_check")]
    foreign = [str(tuple(r)) for r in await conn.execute_fetchall("PRAGMA foreign_key_check")]
    return [p for p in integrity if p != "ok"] + foreign
