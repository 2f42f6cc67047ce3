"""The daily clean-up: rows past their keeping time are deleted (see :mod:`bot.core.retention`)."""

from __future__ import annotations

import logging

from bot.core.retention import cutoffs, policy
from handlers.kit.context import Services
from storage.repos import Repos

log = logging.getLogger(__name__)


async def purge_expired(services: Services) -> dict[str, int]:
    """Delete what has been kept long enough; rows deleted per table."""
    settings = services.settings
    rules = policy(processed_days=settings.retention_processed_days,
                   flows_days=settings.retention_flows_days,
                   outbox_days=settings.retention_outbox_days,
                   audit_days=settings.retention_audit_days)
    deleted: dict[str, int] = {}
    for rule, cutoff in cutoffs(rules, services.clock()):
        async with services.db.write() as conn:  # one table at a time: writers never wait long
            deleted[rule.table] = await Repos(conn).retention.purge(
                rule.table, rule.column, cutoff, rule.where)
    log.info("retention: deleted %s", ", ".join(f"{t} {n}" for t, n in deleted.items() if n)
             or "nothing")
    return deleted
