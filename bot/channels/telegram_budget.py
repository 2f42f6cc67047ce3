"""python-telegram-bot's rate limiter on the platform's one send budget.

Every call that writes to a chat (it names a ``chat_id``: a message, a photo, an edit) takes a
slot of :class:`~bot.channels.send_budget.SendBudget` first, answers to people before the
outbox's bulk. PTB's own :class:`AIORateLimiter` stays underneath for what it does well — the
20 messages a minute per group, and waiting out a 429 before trying again — with its overall
limit off: a leaky bucket lets a burst of its whole capacity through after a quiet spell.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from datetime import timedelta
from typing import Any

from telegram.error import RetryAfter
from telegram.ext import AIORateLimiter

from bot.channels.send_budget import SendBudget

_Result = bool | dict[str, Any] | list[dict[str, Any]]


class BudgetRateLimiter(AIORateLimiter):
    def __init__(self, budget: SendBudget, *, max_retries: int) -> None:
        super().__init__(overall_max_rate=0, max_retries=max_retries)
        self.budget = budget

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, _Result]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> _Result:
        if data.get("chat_id") is None:  # getUpdates, answerCallbackQuery...: not a message
            return await super().process_request(callback, args, kwargs, endpoint, data,
                                                 rate_limit_args)
        budget = self.budget

        async def in_budget(*call_args: Any, **call_kwargs: Any) -> _Result:
            async with budget.slot():  # again on each retry after a 429
                try:
                    return await callback(*call_args, **call_kwargs)
                except RetryAfter as exc:
                    after = exc._retry_after  # as PTB's own limiter reads it
                    budget.pause(after.total_seconds() if isinstance(after, timedelta)
                                 else float(after))
                    raise

        return await super().process_request(in_budget, args, kwargs, endpoint, data,
                                             rate_limit_args)
