"""Each multi-step flow is one table: every step says what typing does there.

The behaviour of each step is tested end to end in the feature's own tests; this checks the
tables themselves — a step added to a flow without a handler fails when the bot is built.
"""

from __future__ import annotations

import pytest

from bot.app.routes import build_router
from bot.core.flows import KINDS, LogFlow, LogStep
from handlers.kit.steps import StepTable


async def _nothing(*_: object) -> None:
    return None


def test_a_table_without_a_handler_for_every_step_fails_at_import() -> None:
    with pytest.raises(TypeError, match="date"):
        StepTable(LogFlow, states={step: _nothing for step in LogStep if step is not LogStep.DATE})


def test_every_flow_of_more_than_one_step_is_routed_through_its_table() -> None:
    routed = build_router().flows
    for name, kind in KINDS.items():
        if len(kind.steps()) > 1:
            handler = routed[name].handler
            assert isinstance(getattr(handler, "__self__", None), StepTable), name
