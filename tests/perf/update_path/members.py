"""Simulated members: each walks a script of steps, one update at a time, checking each answer.

A step is a text to send or a button to press (found by its callback-data prefix in the bot's
last answer), and what the answer must show: the button the next step presses, or, at the end,
no buttons (an echo must repeat the text). A wrong answer or a time-out counts as an error and
sends the member back to the start of its script.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from tests.perf.update_path.server import JSON, FakeBotApi

QUICK_TEXT = "3 chu ky so"
#: The member's persistent "log" button (locales/vi/LC_MESSAGES/logging.po, menu.log).
LOG_BUTTON_TEXT = "📝 Ghi nhận hỗ trợ"
STEP_TIMEOUT_S = 30.0


@dataclass(frozen=True)
class Step:
    text: str | None = None  # a message to send...
    press: str | None = None  # ...or the first button whose data starts with this
    expect: str | None = None  # a button the answer must carry; None: the end (no buttons)
    echo: bool = False  # the answer must repeat the text


@dataclass(frozen=True)
class Script:
    name: str
    steps: tuple[Step, ...]


ECHO = Script("echo", (Step(text=QUICK_TEXT, echo=True),))
QUICK = Script("quick form + Save", (
    Step(text=QUICK_TEXT, expect="log:s:"),
    Step(press="log:s:"),
))
GUIDED = Script("guided four taps + Save", (
    Step(text=LOG_BUTTON_TEXT, expect="log:c:"),
    Step(press="log:c:", expect="log:n:"),
    Step(press="log:n:", expect="log:d:"),
    Step(press="log:d:", expect="log:s:"),
    Step(press="log:s:"),
))


def buttons(message: JSON) -> list[str]:
    markup = message.get("reply_markup") or {}
    return [b.get("callback_data", "") for row in markup.get("inline_keyboard", ()) for b in row]


@dataclass
class Outcome:
    answered_at: float | None  # perf_counter time the answer reached the server; None: time-out
    ok: bool


class Member:
    def __init__(self, user_id: int, script: Script) -> None:
        self.user_id = user_id
        self.script = script
        self.step = 0
        self.last: JSON | None = None  # the bot's last answer, whose buttons the next step uses

    def send_next(self, api: FakeBotApi) -> asyncio.Future[tuple[float, JSON, bool]]:
        """Put this member's next update in, and return the future of the bot's answer."""
        step = self.script.steps[self.step]
        future = api.expect(self.user_id)
        if step.text is not None:
            api.user_message(self.user_id, step.text)
        else:
            assert step.press is not None
            assert self.last is not None
            data = next(d for d in buttons(self.last) if d.startswith(step.press))
            api.button_press(self.user_id, self.last, data)
        return future

    async def act(self, api: FakeBotApi) -> Outcome:
        return await self.settle(api, self.send_next(api))

    async def settle(self, api: FakeBotApi, future: asyncio.Future[tuple[float, JSON, bool]],
                     timeout: float = STEP_TIMEOUT_S) -> Outcome:
        """Wait for the answer to the update just sent, check it, and move on in the script."""
        step = self.script.steps[self.step]
        try:
            answered_at, message, _ = await asyncio.wait_for(future, timeout)
        except TimeoutError:
            api.forget(self.user_id)
            self._restart()
            return Outcome(None, False)
        ok = self._as_expected(step, message)
        if not ok:
            self._restart()
        else:
            self.last = message
            self.step = (self.step + 1) % len(self.script.steps)
        return Outcome(answered_at, ok)

    def _as_expected(self, step: Step, message: JSON) -> bool:
        shown = buttons(message)
        if step.echo:
            return message.get("text") == step.text
        if step.expect is None:
            return not shown
        return any(d.startswith(step.expect) for d in shown)

    def _restart(self) -> None:
        self.step, self.last = 0, None
