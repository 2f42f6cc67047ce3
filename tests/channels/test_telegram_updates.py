"""Updates are read from the Bot API's JSON: the fields the flows use, as Telegram sends them;
anything that is not an update is refused rather than half-read."""

from __future__ import annotations

from typing import Any

import pytest

from bot.channels.telegram import MalformedUpdate, to_incoming
from bot.core.chat import IncomingFile

ALICE = {"id": 501, "is_bot": False, "first_name": "Lan", "last_name": "Nguyễn",
         "language_code": "vi"}
PRIVATE = {"id": 501, "type": "private", "first_name": "Lan"}


def _message(**fields: Any) -> dict[str, Any]:
    return {"update_id": 7, "message": {"message_id": 42, "date": 1_765_000_000,
                                        "chat": PRIVATE, "from": ALICE, **fields}}


def test_a_text_message_is_read_with_its_sender_and_chat() -> None:
    inc = to_incoming(_message(text="3 chu ky so"))
    assert inc is not None
    assert (inc.update_key, inc.chat_id, inc.user_id) == ("m:501:42:1765000000", "501", "501")
    assert (inc.display_name, inc.language_code, inc.private) == ("Lan Nguyễn", "vi", True)
    assert inc.text == "3 chu ky so"
    assert inc.callback_data is None


def test_a_button_press_is_read_with_the_message_it_was_on() -> None:
    inc = to_incoming({"update_id": 8, "callback_query": {
        "id": "cb-1", "from": {"id": 501, "is_bot": False, "first_name": "Lan"},
        "chat_instance": "x", "data": "save:1",
        "message": {"message_id": 43, "date": 1_765_000_001, "chat": PRIVATE}}})
    assert inc is not None
    assert (inc.update_key, inc.callback_id, inc.callback_data) == ("cb:cb-1", "cb-1", "save:1")
    assert (inc.chat_id, inc.message_ref, inc.display_name) == ("501", "43", "Lan")


def test_a_press_without_its_message_answers_the_person() -> None:
    inc = to_incoming({"update_id": 9, "callback_query": {
        "id": "cb-2", "from": {"id": 777, "is_bot": False, "first_name": "An"},
        "chat_instance": "x", "data": "x"}})
    assert inc is not None
    assert (inc.chat_id, inc.message_ref, inc.private) == ("777", None, True)


def test_a_document_and_a_photo_with_a_caption_are_read() -> None:
    document = to_incoming(_message(document={
        "file_id": "F1", "file_unique_id": "u", "file_name": "ds.xlsx",
        "mime_type": "application/vnd.ms-excel", "file_size": 1234}))
    assert document is not None
    assert document.document == IncomingFile("F1", "ds.xlsx", "application/vnd.ms-excel", 1234)
    photo = to_incoming(_message(caption="buổi sáng", photo=[
        {"file_id": "small", "file_unique_id": "a", "width": 90, "height": 90},
        {"file_id": "big", "file_unique_id": "b", "width": 900, "height": 900,
         "file_size": 99}]))
    assert photo is not None
    assert (photo.text, photo.photo) == ("buổi sáng", IncomingFile("big", None, "image/jpeg", 99))


def test_updates_the_bot_does_not_handle_are_none() -> None:
    assert to_incoming({"update_id": 1, "edited_message": {}}) is None
    channel_post = _message(text="x")
    del channel_post["message"]["from"]
    assert to_incoming(channel_post) is None


@pytest.mark.parametrize("update", [
    {},
    [],
    {"update_id": "1", "message": {}},
    {"update_id": True},
    _message(date=1e15),
    _message(date=10**300),
    _message(text=5),
    {"update_id": 1, "message": {"message_id": 1, "date": 1, "from": ALICE}},  # no chat
    {"update_id": 1, "callback_query": {"id": "c", "data": "x"}},  # no sender
])
def test_what_is_not_an_update_is_refused(update: Any) -> None:
    with pytest.raises(MalformedUpdate):
        to_incoming(update)
