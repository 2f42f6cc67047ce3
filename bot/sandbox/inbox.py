"""Waiting for the bot's messages as a simulated person: long polls, never sleeps.

Shared by the Telegram and the Zalo test clients; each supplies how to fetch its chat's events
(``_fetch``) and the chat as shown (``messages``).
"""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from collections import deque
from collections.abc import Callable
from typing import Any, Generic, Protocol, TypeVar

import aiohttp


class SandboxUserError(Exception):
    """The sandbox refused what the simulated user tried (e.g. pressing a missing button)."""


async def call_sandbox(session: aiohttp.ClientSession, url: str, method: str,
                       **kwargs: Any) -> dict[str, Any]:
    """One request of the people's side of the sandbox; its refusal as SandboxUserError."""
    async with session.request(method, url, **kwargs) as response:
        try:
            body: dict[str, Any] = await response.json()
        except (aiohttp.ContentTypeError, ValueError):
            raise SandboxUserError(f"{url}: HTTP {response.status}") from None
        if not body.get("ok"):
            raise SandboxUserError(f"{url}: {body.get('error') or body}")
        return body


class _Shown(Protocol):
    @property
    def text(self) -> str: ...


M = TypeVar("M", bound=_Shown)


class PollingInbox(ABC, Generic[M]):
    """The bot messages a person has not read yet, filled by long polls."""

    def __init__(self) -> None:
        self._inbox: deque[M] = deque()

    @abstractmethod
    async def _started(self) -> None:
        """Mark "now" on the first action: earlier bot messages are history, not news."""

    @abstractmethod
    async def _fetch(self, wait: float) -> None:
        """Take in the chat's new events, waiting up to ``wait`` seconds for one."""

    @property
    @abstractmethod
    def messages(self) -> list[M]:
        """The chat as shown, oldest first."""

    async def next_message(self, timeout: float = 5.0) -> M:
        """The next bot message (new or edited), waiting for it up to ``timeout`` seconds."""
        return await self.wait_for(lambda _message: True, timeout)

    async def wait_for(self, predicate: Callable[[M], bool], timeout: float = 5.0) -> M:
        """Consume bot messages until one satisfies ``predicate``; TimeoutError if none does."""
        await self._started()
        deadline = time.monotonic() + timeout
        while True:
            while self._inbox:
                message = self._inbox.popleft()
                if predicate(message):
                    return message
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                seen = [m.text[:80] for m in self.messages[-5:]]
                raise TimeoutError(f"no matching bot message within {timeout}s; last: {seen}")
            await self._fetch(remaining)  # returns as soon as anything happens

    async def refresh(self) -> None:
        """Catch up with the chat without waiting."""
        await self._started()
        await self._fetch(0)

    def drain(self) -> list[M]:
        """Forget unread bot messages (returns them)."""
        unread = list(self._inbox)
        self._inbox.clear()
        return unread
