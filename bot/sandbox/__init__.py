"""A local Telegram Bot API sandbox: demo without a token, end-to-end tests, benchmarks."""

from bot.sandbox.faults import FaultConfig
from bot.sandbox.flood import FloodControl
from bot.sandbox.people import NEW_VISITOR, PeopleProvider, Persona
from bot.sandbox.server import SandboxServer
from bot.sandbox.testing import (
    CallbackAnswer,
    SandboxMessage,
    SandboxUser,
)

__all__ = [
    "NEW_VISITOR",
    "CallbackAnswer",
    "FaultConfig",
    "FloodControl",
    "PeopleProvider",
    "Persona",
    "SandboxMessage",
    "SandboxServer",
    "SandboxUser",
]
