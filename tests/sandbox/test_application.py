"""A real python-telegram-bot Application, polling the sandbox, driven by a simulated user."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import AIORateLimiter, CallbackQueryHandler, CommandHandler, ContextTypes

from bot.sandbox import SandboxServer
from bot.sandbox.testing import SandboxUser
from tests.harness.ptb import running_application
from tests.sandbox.apps import build_greeter_app


async def test_start_button_edit_end_to_end(sandbox: SandboxServer,
                                            app_builder: Callable[..., Any]) -> None:
    app = build_greeter_app(app_builder().rate_limiter(AIORateLimiter(max_retries=3)))
    async with running_application(app):
        alice = SandboxUser(sandbox, 1001, "Alice", "vi")
        await alice.send("/start")
        reply = await alice.next_message()
        assert "Chào Alice" in reply.text
        assert reply.buttons == ["Tiếng Việt", "English"]

        await alice.press("Tiếng Việt")
        edited = await alice.next_message()
        assert edited.edited
        assert edited.message_id == reply.message_id
        assert edited.text == "Đã chọn: Tiếng Việt"
        answer = await alice.callback_answer()
        assert answer.text == "✓"
        assert [m.text for m in alice.messages] == ["/start", "Đã chọn: Tiếng Việt"]


async def test_handlers_see_user_uploads(sandbox: SandboxServer,
                                         app_builder: Callable[..., Any]) -> None:
    async def on_document(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None
        assert update.message.document is not None
        file = await update.message.document.get_file()
        data = await file.download_as_bytearray()
        await update.message.reply_text(f"{update.message.document.file_name}: {len(data)} B")

    async def menu(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None
        await update.message.reply_text("Menu", reply_markup=InlineKeyboardMarkup(
            [[InlineKeyboardButton("Mở", url="https://example.org")]]))

    from telegram.ext import MessageHandler, filters

    app = app_builder().build()
    app.add_handler(MessageHandler(filters.Document.ALL, on_document))
    app.add_handler(CommandHandler("menu", menu))
    async with running_application(app):
        bob = SandboxUser(sandbox, 1002, "Bob", "en")
        await bob.upload("members.xlsx", b"x" * 1234, mime_type="application/vnd.ms-excel")
        assert (await bob.next_message()).text == "members.xlsx: 1234 B"
        await bob.command("menu")
        assert (await bob.next_message()).buttons == ["Mở"]


def test_helper_module_is_reusable() -> None:
    assert callable(build_greeter_app)
    assert CallbackQueryHandler is not None
