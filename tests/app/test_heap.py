"""The start-up heap is frozen while the bot runs and handed back when it stops."""

from __future__ import annotations

import gc

from bot.app.heap import start_up_settled


def test_the_start_up_heap_is_out_of_the_collectors_reach_while_running() -> None:
    built_at_start = [object() for _ in range(10)]
    with start_up_settled():
        assert gc.get_freeze_count() >= len(built_at_start)
    # A process that runs the bot again (the tests do) gets its garbage collected again.
    assert gc.get_freeze_count() == 0
