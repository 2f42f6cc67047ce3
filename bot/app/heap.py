"""The heap after start-up: what is built before the first update lives as long as the
process, so the garbage collector stops looking at it.

CPython's collector walks every tracked object of a generation when it runs; the oldest one
holds everything loaded at start-up (modules, catalogues, Babel's locale data, the wiring), and
its collections came in the middle of a province's /stats (10,000 team rows a call): 72 ms
most times, 90 ms when one fell inside, at 20 million sessions. ``gc.freeze`` moves what exists
now out of the collector's reach (``docs/performance.md``, "Issue 23 at the end of the work").
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def start_up_settled() -> Iterator[None]:
    """Freeze the start-up heap for the block; on leaving, hand it back to the collector (a
    process that runs the bot again, as the tests do, would otherwise keep each run's)."""
    gc.collect()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()
