"""Flows in progress as typed states: one frozen dataclass per flow, with a ``StrEnum`` of steps.

A chat has at most one flow in progress, stored in ``chat_flows`` as its name, its step and a
JSON object (:mod:`storage.repos.chats`). :func:`encode` and :func:`decode` are the only way in
and out: a row whose name is no flow of this bot, or whose data is not that flow's shape (written
by hand, by a much older release, or damaged), reads as ``None`` and the bot answers it as an
expired flow. The names and JSON keys are those every release has written, so a flow saved just
before an upgrade resumes after it. Pure: no I/O.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from bot.core.flows.admin import ForgetFlow, ForgetStep, ImportFlow, ImportStep
from bot.core.flows.base import FlowState
from bot.core.flows.broadcast import BroadcastFlow, BroadcastStep
from bot.core.flows.log import LogFlow, LogStep
from bot.core.flows.people import (
    JoinFlow,
    MemberAddFlow,
    MemberAddStep,
    MemberRenameFlow,
    NameStep,
    RenameFlow,
    RenameStep,
    TeamAddFlow,
    TeamAddStep,
    TeamRenameFlow,
)
from bot.core.flows.review import ReviewFlow, ReviewStep

__all__ = [
    "KINDS", "BroadcastFlow", "BroadcastStep", "FlowState", "ForgetFlow", "ForgetStep",
    "ImportFlow", "ImportStep", "JoinFlow", "LogFlow", "LogStep", "MemberAddFlow",
    "MemberAddStep", "MemberRenameFlow", "NameStep", "RenameFlow", "RenameStep", "ReviewFlow",
    "ReviewStep", "TeamAddFlow", "TeamAddStep", "TeamRenameFlow", "decode", "encode",
]

#: Every flow of the bot by its stored name.
KINDS: Mapping[str, type[FlowState]] = {kind.name: kind for kind in (
    LogFlow, BroadcastFlow, JoinFlow, MemberAddFlow, MemberRenameFlow, TeamAddFlow,
    TeamRenameFlow, ImportFlow, ForgetFlow, ReviewFlow,
)}


def encode(state: FlowState) -> tuple[str, str, str]:
    """``(flow, step, data)`` as stored in ``chat_flows``."""
    return state.name, state.step.value, json.dumps(state.encode(), ensure_ascii=False)


def decode(name: str, step: str, data: str) -> FlowState | None:
    """The state stored as ``(flow, step, data)``; None for anything that is not one."""
    kind = KINDS.get(name)
    if kind is None:
        return None
    try:
        parsed = json.loads(data)
    except (ValueError, RecursionError):
        return None
    return kind.decode(step, parsed)
