"""Zalo's text stand-ins: numbered choices, typed answers, splitting, update conversion."""

from __future__ import annotations

import pytest

from bot.channels.zalo import to_incoming
from bot.channels.zalo_text import Options, menu_label_for, split_text, text_length
from bot.core.chat import Button

LANGS = ((Button("Tiếng Việt", "lang:vi"), Button("English", "lang:en")),)


def test_buttons_become_a_numbered_list_with_a_hint() -> None:
    options = Options.of(LANGS)
    assert options.render("Nhắn số để chọn.") == (
        "1. Tiếng Việt\n2. English\n\nNhắn số để chọn.")


@pytest.mark.parametrize("typed", ["2", " 2 ", "2.", "số 2", "so 2", "Số 2", "#2", "english",
                                   "ENGLISH"])
def test_typed_answers_pick_the_second_choice(typed: str) -> None:
    assert Options.of(LANGS).match(typed) == "lang:en"


@pytest.mark.parametrize("typed", ["0", "3", "12", "hai", "English please", "", "1 2"])
def test_anything_else_is_ordinary_text(typed: str) -> None:
    assert Options.of(LANGS).match(typed) is None


def test_labels_that_are_numbers_are_typed_as_themselves() -> None:
    counts = Options.of(((Button("1", "n:1"), Button("2", "n:2"), Button("5", "n:5")),))
    assert not counts.numbered
    assert counts.render("Nhắn một giá trị.") == "1 · 2 · 5\n\nNhắn một giá trị."
    assert counts.match("5") == "n:5"
    assert counts.match("3") is None  # not offered: the flow reads it as typed text


def test_options_survive_a_round_trip_through_json() -> None:
    options = Options.of(LANGS)
    assert Options.from_json(options.to_json()) == options


def test_a_menu_label_typed_without_emoji_or_diacritics() -> None:
    menu = ["📝 Ghi nhận", "📊 Của tôi", "❓ Trợ giúp"]
    assert menu_label_for("ghi nhan", menu) == "📝 Ghi nhận"
    assert menu_label_for("Của tôi", menu) == "📊 Của tôi"
    assert menu_label_for("ghi", menu) is None


def test_short_text_is_one_piece_and_blank_text_none() -> None:
    assert split_text("Xin chào") == ["Xin chào"]
    assert split_text(" \n ") == []


def test_long_text_splits_at_line_breaks() -> None:
    lines = [f"Dòng {i:03d} " + "x" * 90 for i in range(60)]
    pieces = split_text("\n".join(lines), limit=1000)
    assert all(text_length(p) <= 1000 for p in pieces)
    assert "\n".join(pieces) == "\n".join(lines)
    assert all(p.split("\n")[0].startswith("Dòng") for p in pieces)


def test_an_over_long_line_is_cut_at_a_space() -> None:
    line = " ".join(["chữ"] * 1000)
    pieces = split_text(line, limit=100)
    assert all(text_length(p) <= 100 for p in pieces)
    assert " ".join(pieces) == line
    assert all(word == "chữ" for p in pieces for word in p.split(" "))


def test_emoji_count_twice_as_zalo_counts() -> None:
    assert text_length("🛒a") == 3
    pieces = split_text("🛒" * 1500)
    assert [text_length(p) for p in pieces] == [2000, 1000]


def test_a_text_update_becomes_an_incoming_message() -> None:
    inc = to_incoming({"event_name": "message.text.received", "message": {
        "message_id": "2d758cb5e222177a4e35", "date": 1750316131602,
        "chat": {"id": "6ede9afa66b88fe6d6a9", "chat_type": "PRIVATE"},
        "from": {"id": "6ede9afa66b88fe6d6a9", "display_name": "Ted", "is_bot": False},
        "text": "checkin"}})
    assert inc is not None
    assert inc.channel == "zalo"
    assert inc.update_key == "message.text.received:2d758cb5e222177a4e35"
    assert (inc.chat_id, inc.user_id, inc.display_name, inc.text) == (
        "6ede9afa66b88fe6d6a9", "6ede9afa66b88fe6d6a9", "Ted", "checkin")
    assert inc.private


def test_an_image_update_carries_its_url_and_caption() -> None:
    inc = to_incoming({"event_name": "message.image.received", "message": {
        "message_id": "m1", "chat": {"id": "ab"}, "from": {"id": "ab"},
        "photo_url": "https://example.org/a.jpg", "caption": "phiếu"}})
    assert inc is not None
    assert inc.photo is not None
    assert inc.photo.file_ref == "https://example.org/a.jpg"
    assert inc.text == "phiếu"


def test_stickers_have_no_text_and_bots_are_ignored() -> None:
    sticker = to_incoming({"event_name": "message.sticker.received", "message": {
        "message_id": "m2", "chat": {"id": "ab"}, "from": {"id": "ab"}, "sticker": "s"}})
    assert sticker is not None
    assert sticker.text is None
    assert to_incoming({"event_name": "message.text.received", "message": {
        "message_id": "m3", "chat": {"id": "ab"}, "from": {"id": "cd", "is_bot": True},
        "text": "x"}}) is None
    assert to_incoming({"event_name": "x"}) is None
