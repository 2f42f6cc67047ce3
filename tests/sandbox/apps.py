"""Tiny PTB applications the sandbox tests (and the browser test) drive end to end."""

from __future__ import annotations

from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
)

LANGUAGES = {"lang:vi": "Tiếng Việt", "lang:en": "English"}


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.message is not None
    assert update.effective_user is not None
    await update.message.reply_text(
        f"Chào <b>{update.effective_user.first_name}</b>! Chọn ngôn ngữ:", parse_mode="HTML",
        reply_markup=InlineKeyboardMarkup(
            [[InlineKeyboardButton(label, callback_data=data)] for data, label in
             LANGUAGES.items()]))


async def chosen(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None
    assert query.data is not None
    await query.answer("✓")
    await query.edit_message_text(f"Đã chọn: {LANGUAGES[query.data]}")


def build_greeter_app(builder: ApplicationBuilder[Any, Any, Any, Any, Any, Any]
                      ) -> Application[Any, Any, Any, Any, Any, Any]:
    """/start → greeting with language buttons; a press edits the greeting."""
    app = builder.build()
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CallbackQueryHandler(chosen, pattern=r"^lang:"))
    return app
