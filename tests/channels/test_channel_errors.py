"""Each channel reports its failures as one neutral error, and both follow one retry rule: what
the outbox sender and the flows see of a failed call, whichever library made it."""

from __future__ import annotations

import pytest
from telegram.error import (
    BadRequest,
    Conflict,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TimedOut,
)

from bot.channels.retry import with_retries
from bot.channels.telegram import channel_error
from bot.channels.zalo_api import api_error
from bot.core.chat import ChannelError, Failure, TokenRefused


def test_telegram_errors_say_what_they_mean() -> None:
    limited = channel_error(RetryAfter(3))
    assert (limited.failure, limited.wait) == (Failure.RATE_LIMITED, 3)
    blocked = channel_error(Forbidden("bot was blocked by the user"))
    assert blocked.failure is Failure.FINAL
    assert blocked.reason == "Forbidden: bot was blocked by the user"  # kept on the outbox row
    assert channel_error(BadRequest("chat not found")).failure is Failure.FINAL
    assert channel_error(Conflict("terminated by other getUpdates")).failure is Failure.FINAL
    gateway = channel_error(NetworkError("Bad Gateway"))
    assert (gateway.failure, gateway.maybe_done) == (Failure.TRANSIENT, False)
    timeout = channel_error(TimedOut())
    assert (timeout.failure, timeout.maybe_done) == (Failure.TRANSIENT, True)
    assert all(e.channel == "telegram" for e in (limited, blocked, gateway, timeout))


def test_a_refused_telegram_token_never_repeats_the_token() -> None:
    refused = channel_error(InvalidToken("Invalid token 123456:SECRET"))
    assert isinstance(refused, TokenRefused)
    assert "SECRET" not in refused.reason
    assert "SECRET" not in str(refused)


def test_zalo_errors_say_what_they_mean() -> None:
    quota = api_error(429, "quota exceeded")
    assert (quota.failure, quota.wait, quota.code) == (Failure.RATE_LIMITED, 1.0, 429)
    assert api_error(502, "bad gateway").failure is Failure.TRANSIENT
    assert api_error(400, "chat not found").failure is Failure.FINAL
    assert api_error(403, "blocked").channel == "zalo"


class _Flaky:
    def __init__(self, *errors: ChannelError) -> None:
        self.errors = list(errors)
        self.calls = 0

    async def __call__(self) -> str:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return "done"


async def _no_wait(_seconds: float) -> None:
    return None


def _transient(*, maybe_done: bool = False) -> ChannelError:
    return ChannelError(Failure.TRANSIENT, "502", maybe_done=maybe_done)


async def test_a_call_that_failed_on_the_way_is_tried_again() -> None:
    call = _Flaky(_transient(), _transient())
    assert await with_retries(call, delays=(0.1, 0.1, 0.1), idempotent=False,
                              sleep=_no_wait) == "done"
    assert call.calls == 3


async def test_retries_end_with_the_last_failure() -> None:
    call = _Flaky(*(_transient() for _ in range(5)))
    with pytest.raises(ChannelError):
        await with_retries(call, delays=(0.1, 0.1), idempotent=True, sleep=_no_wait)
    assert call.calls == 3


async def test_a_send_that_may_have_gone_out_is_not_sent_again() -> None:
    send = _Flaky(_transient(maybe_done=True))
    with pytest.raises(ChannelError):
        await with_retries(send, delays=(0.1,), idempotent=False, sleep=_no_wait)
    assert send.calls == 1
    edit = _Flaky(_transient(maybe_done=True))
    assert await with_retries(edit, delays=(0.1,), idempotent=True, sleep=_no_wait) == "done"


async def test_final_errors_and_unasked_rate_limits_are_raised_at_once() -> None:
    final = _Flaky(ChannelError(Failure.FINAL, "blocked"))
    with pytest.raises(ChannelError):
        await with_retries(final, delays=(0.1,), idempotent=True, sleep=_no_wait)
    assert final.calls == 1
    limited = _Flaky(ChannelError(Failure.RATE_LIMITED, "429", wait=1))
    with pytest.raises(ChannelError):
        await with_retries(limited, delays=(0.1,), idempotent=True, sleep=_no_wait)
    assert limited.calls == 1
    again = _Flaky(ChannelError(Failure.RATE_LIMITED, "429", wait=1))
    assert await with_retries(again, delays=(0.1,), idempotent=True, rate_limits=True,
                              sleep=_no_wait) == "done"
