"""A smaller set of fuzzed updates through the whole stack over HTTP: the sandbox's Bot API and
Zalo Bot API, python-telegram-bot's polling and the Zalo poller, the real dispatcher. Every
private message and press from a person gets an answer they can see."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator

import pytest
from hypothesis import Phase, given, settings

from bot.sandbox.inbox import SandboxUserError
from bot.sandbox.testing import SandboxUser
from bot.sandbox.zalo_state import zalo_user_id
from bot.sandbox.zalo_testing import SandboxZaloUser
from tests.harness.fuzz import ErrorRecorder
from tests.harness.fuzz_strategies import Step, steps
from tests.harness.world import World
from tests.harness.zalo_world import ZaloWorld

STEPS = 100
ANSWER_WITHIN_S = 15.0


def _draw(count: int) -> list[Step]:
    """Steps drawn by hypothesis up front (the replay over HTTP needs the test's event loop)."""
    drawn: list[Step] = []

    @settings(max_examples=count, database=None, phases=[Phase.generate], deadline=None,
              derandomize=True)
    @given(steps)
    def collect(step: Step) -> None:
        drawn.append(step)

    collect()
    return drawn


@pytest.fixture
def errors() -> Iterator[ErrorRecorder]:
    recorder = ErrorRecorder()
    logging.getLogger().addHandler(recorder)
    try:
        yield recorder
    finally:
        logging.getLogger().removeHandler(recorder)


async def _telegram(world: World, step: Step) -> bool:
    """Send the step; whether a person is waiting for an answer."""
    who = step.who
    if step.kind in ("channel_post", "member_status", "edited", "location", "contact",
                     "sticker"):
        return False  # the sandbox's people send text, presses and files
    user = SandboxUser(world.sandbox, who.user_id, "Người thử", "vi",
                       chat_id=-1_000_001 if who.chat == "group" else None,
                       chat_type="group" if who.chat == "group" else "private",
                       chat_title="Tổ" if who.chat == "group" else None)
    await user._started()
    try:
        if step.kind in ("press", "shown"):
            if not world.sandbox.state.message(user.chat_id, 1):
                # A press comes from a chat the person has with the bot: open it first.
                await user.send("/help")
                await user.next_message(timeout=ANSWER_WITHIN_S)
            _forge_press(world, user, step.data)
        elif step.kind == "photo":
            await user.upload("anh.jpg", b"\xff\xd8\xff not really a jpeg", caption=step.text[:900])
        elif step.kind == "document":
            await user.upload("danh-sach.xlsx", b"PK not a spreadsheet", as_document=True,
                              caption="/import" if step.pick % 2 else None)
        else:
            await user.send(step.text)
    except SandboxUserError:
        return False  # refused by the Bot API itself (too long, empty): never reaches the bot
    if who.chat == "group":
        return False
    await user.next_message(timeout=ANSWER_WITHIN_S)
    return True


def _forge_press(world: World, user: SandboxUser, data: str) -> None:
    """A client sending any callback data it likes, on any message of the chat."""
    state = world.sandbox.state
    chat = user.chat_id
    message = {"message_id": 1, "date": int(time.time()), "text": "…",
               "chat": {"id": chat, "type": user.chat_type},
               "from": {"id": 7_000_000_001, "is_bot": True, "first_name": "Bot"}}
    record = state.new_callback(user.user_id, chat, 1, data)
    state.add_update(callback_query={
        "id": record.id, "data": data, "chat_instance": "fuzz", "message": message,
        "from": {"id": user.user_id, "is_bot": False, "first_name": "Người thử"}})


async def _zalo(zworld: ZaloWorld, step: Step) -> bool:
    if step.who.chat == "group":
        return False
    user = SandboxZaloUser(zworld.world.sandbox, zalo_user_id(step.who.user_id), "Người thử")
    try:
        if step.kind == "image":
            await user.send_image(b"\x89PNG not really", caption=step.text[:500] or None)
        elif step.kind == "sticker":
            await user.send_sticker()
        elif step.kind == "number":
            await user.send(str(step.pick % 9 + 1))
        elif step.kind == "text":
            await user.send(step.text)
        else:
            return False
    except SandboxUserError:
        return False
    await user.next_message(timeout=ANSWER_WITHIN_S)
    return True


async def test_fuzzed_updates_over_http_are_all_answered(zworld: ZaloWorld,
                                                        errors: ErrorRecorder) -> None:
    world = zworld.world
    answered = 0
    for step in _draw(STEPS):
        world.clock.advance(seconds=step.seconds)
        if step.channel == "telegram":
            answered += await _telegram(world, step)
        else:
            answered += await _zalo(zworld, step)
    print(f"\n{STEPS} fuzzed updates over HTTP: {len(errors.records)} exceptions, "
          f"{answered} private messages and presses, each answered")
    assert [r.getMessage() for r in errors.records] == []
