"""An update stored in the inbox comes back as it was received, whatever it carried."""

from __future__ import annotations

import dataclasses
import json

import pytest

from bot.core.chat import Incoming, IncomingFile, incoming_from_payload, incoming_to_payload

UPDATES = [
    Incoming(channel="telegram", update_key="m:1:2:3", chat_id="1", user_id="1",
             display_name="Chị Lan", language_code="vi", text="2 chữ ký số"),
    Incoming(channel="telegram", update_key="cb:9", chat_id="-100", user_id="7",
             display_name="Anh Bảo", private=False, callback_data="q:save", callback_id="9",
             message_ref="44"),
    Incoming(channel="zalo", update_key="z:5", chat_id="u5", user_id="u5", display_name="Hà",
             document=IncomingFile("f1", "báo cáo.xlsx", "application/vnd.ms-excel", 2048),
             photo=IncomingFile("p1", None, "image/jpeg", None)),
]


@pytest.mark.parametrize("update", UPDATES, ids=["text", "press", "files"])
def test_a_stored_update_comes_back_as_received(update: Incoming) -> None:
    payload = incoming_to_payload(update)
    assert payload == dataclasses.asdict(update)  # the stored form rows already have
    stored = json.loads(json.dumps(payload, ensure_ascii=False))
    assert incoming_from_payload(stored) == update


def test_the_stored_form_is_a_copy() -> None:
    update = UPDATES[2]
    payload = incoming_to_payload(update)
    payload["text"] = "changed"
    assert isinstance(payload["document"], dict)
    payload["document"]["file_ref"] = "changed"
    assert update.text is None
    assert update.document is not None
    assert update.document.file_ref == "f1"
