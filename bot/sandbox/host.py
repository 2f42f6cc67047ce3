"""What the sandbox's parts need of the server that hosts them.

The page's API (:mod:`bot.sandbox.user_api`) and the Zalo dialect (:mod:`bot.sandbox.zalo_api`)
are built by :class:`bot.sandbox.server.SandboxServer` and call back into it; typing them
against these protocols instead of the server class keeps the imports one way: the server
imports its parts, never the other way round.
"""

from __future__ import annotations

from typing import Protocol

import aiohttp

from bot.sandbox.faults import FaultConfig
from bot.sandbox.flood import FloodControl
from bot.sandbox.people import PeopleProvider
from bot.sandbox.state import JSON, SandboxState


class PageHost(Protocol):
    """What the chat page's API reads and changes."""

    state: SandboxState
    people: PeopleProvider | None

    @property
    def flood(self) -> FloodControl | None: ...

    @flood.setter
    def flood(self, config: FloodControl | None) -> None: ...

    @property
    def faults(self) -> FaultConfig | None: ...

    @faults.setter
    def faults(self, config: FaultConfig | None) -> None: ...

    def config_json(self) -> JSON: ...

    def set_blocked(self, user_id: int, blocked: bool = True) -> None: ...


class ZaloHost(Protocol):
    """What the Zalo dialect needs: the server's address, its HTTP client and refused tokens."""

    refused_tokens: set[str]

    @property
    def url(self) -> str: ...

    @property
    def client_session(self) -> aiohttp.ClientSession: ...
