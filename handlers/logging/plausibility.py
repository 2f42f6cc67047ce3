"""Plausibility on the logging path: the rules a session about to be saved breaks.

Run inside Save's write transaction, before the session is written (so the member's day and
latest sessions are those *before* it); Save flags the session once written. The reads are a
handful of index seeks (see :mod:`storage.repos.plausibility`); the rules themselves are pure
(:mod:`bot.core.plausibility`).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from bot.core.calendar import local_today
from bot.core.plausibility import Candidate, Hit, evaluate, recent_needed
from handlers.kit.context import Ctx
from storage.repos import Repos


async def hits_for(ctx: Ctx, repos: Repos, *, member_id: int, category_id: int, citizens: int,
                   day: date) -> tuple[Hit, ...]:
    """The rules a session about to be saved breaks, read on ``repos`` (Save's transaction)."""
    rules = await repos.plausibility.rules()
    history, pause = await repos.plausibility.history(
        member_id=member_id, day=day, category_id=category_id, citizens=citizens,
        recent=recent_needed(rules))
    if pause is not None:
        set_at, until = pause
        history = replace(history,
                          pause=(local_today(set_at, ctx.services.settings.tz), until))
    return evaluate(rules, Candidate(category_id, citizens, day), history, ctx.now)
