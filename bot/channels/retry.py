"""One retry rule for every channel: a call that failed on the way is tried again after a short,
bounded pause, unless repeating it could do something twice.

Each adapter first turns its library's failure into a :class:`~bot.core.chat.ChannelError`;
what is worth another try is then decided here, the same way for Telegram and Zalo:

- a transient failure (5xx, a connection that could not be made) is tried again: the request
  was not carried out, so repeating it sends nothing twice;
- a transient failure after the request went out (``maybe_done``, a timeout) is tried again
  only for a call that changes nothing when repeated (an edit, an acknowledgement);
- a rate limit is tried again only where the channel asks for it (Zalo publishes no
  retry-after; Telegram's 429 is its rate limiter's business);
- anything final is raised at once, as is the last failure when the pauses run out.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

from bot.core.chat import ChannelError, Failure

log = logging.getLogger(__name__)

_T = TypeVar("_T")


def worth_again(error: ChannelError, *, idempotent: bool, rate_limits: bool) -> bool:
    """Whether another try may succeed without doing anything twice."""
    if error.failure is Failure.RATE_LIMITED:
        return rate_limits
    if error.failure is Failure.TRANSIENT:
        return idempotent or not error.maybe_done
    return False


async def with_retries(call: Callable[[], Awaitable[_T]], *, delays: Sequence[float],
                       idempotent: bool, rate_limits: bool = False, what: str = "call",
                       sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> _T:
    """``call()``, again after each of ``delays`` while its :class:`ChannelError` is worth it."""
    for delay in (*delays, None):
        try:
            return await call()
        except ChannelError as error:
            if delay is None or not worth_again(error, idempotent=idempotent,
                                                rate_limits=rate_limits):
                raise
            # The failure's kind and code only: a platform's words may quote the message.
            log.info("%s failed on the way (%s %s); again in %.1fs", what,
                     error.failure.value, error.code or "", delay)
        await sleep(delay)
    raise AssertionError("unreachable")
