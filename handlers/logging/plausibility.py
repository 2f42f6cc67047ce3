"""Plausibility on the logging path: the rules a session about to be saved breaks.

Run inside Save's write transaction, before the session is written (so the member's day and
latest sessions are those *before* it); Save flags the session once written. The reads are a
handful of index seeks (see :mod:`storage.repos.plausibility`); the rules themselves are pure
(:mod:`bot.core.plausibility`).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from bot.core.calendar import local_today
from bot.core.chat import OutMessage
from bot.core.plausibility import Candidate, Hit, evaluate, recent_needed
from bot.core.roles import Role
from handlers.kit.context import Ctx
from handlers.kit.outbox import OutboxMessage, enqueue
from storage.repos import Repos

#: A nudge not sent within two days (quiet hours, a long outage) is dropped: /review still shows.
NUDGE_FOR = timedelta(days=2)


async def hits_for(ctx: Ctx, repos: Repos, *, member_id: int, category_id: int, citizens: int,
                   day: date) -> tuple[Hit, ...]:
    """The rules a session about to be saved breaks: the member's records read on ``repos``
    (Save's transaction), the rules themselves (a few rows an admin sets) on the quick reader,
    one trip fewer to the writer's thread."""
    rules = await ctx.services.quick.plausibility.rules()
    history, pause = await repos.plausibility.history(
        member_id=member_id, day=day, category_id=category_id, citizens=citizens,
        recent=recent_needed(rules))
    if pause is not None:
        set_at, until = pause
        history = replace(history,
                          pause=(local_today(set_at, ctx.services.settings.tz), until))
    return evaluate(rules, Candidate(category_id, citizens, day), history, ctx.now)


async def tell_reviewers(ctx: Ctx, *, member_id: int, team_id: int, commune_code: str) -> None:
    """A session was flagged: its team's leaders hear that /review has something, at most once
    a day each (the commune's coordinators, when the member is the team's only leader)."""
    services = ctx.services
    read = services.read.access
    reviewers = [m for m in await read.holders(Role.TEAM_LEADER, "team", str(team_id))
                 if m != member_id]
    if not reviewers:
        reviewers = [m for m in await read.holders(Role.COMMUNE_COORDINATOR, "commune",
                                                    commune_code) if m != member_id]
    default = services.settings.default_language
    items: list[OutboxMessage] = []
    for reviewer in reviewers:
        person = await services.read.members.get(reviewer)
        if person is None or not person.active:
            continue
        lang = person.language or default
        text = services.t(lang, "review.nudge")
        items += [OutboxMessage(
            dedup_key=f"review:nudge:{reviewer}:{ctx.today.isoformat()}:{identity.channel}",
            channel=identity.channel, chat_id=identity.chat_id, kind="review",
            member_id=reviewer, message=OutMessage(text=text, lang=lang),
            expires_at=ctx.now + NUDGE_FOR)
            for identity in await read.identities_of(reviewer) if identity.chat_id]
    if items and await enqueue(services, items, ctx.now) and services.scheduling:
        services.scheduling.wake_sender()
