"""The daily clean-up: rows past their keeping time are deleted (see :mod:`bot.core.retention`)."""

from __future__ import annotations

import logging
from datetime import timedelta

from bot.core.retention import cutoffs, policy
from handlers.kit.context import Services
from storage import evidence as evidence_files
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
    deleted["evidence"] = await purge_evidence(services)
    log.info("retention: deleted %s", ", ".join(f"{t} {n}" for t, n in deleted.items() if n)
             or "nothing")
    return deleted


#: A photo received in a log flow never saved is kept this long (the flow may still be Saved).
PENDING_EVIDENCE = timedelta(days=1)


async def purge_evidence(services: Services) -> int:
    """Evidence photos past EVIDENCE_RETENTION_DAYS, and those of flows never saved: rows, then
    files (a file whose row is gone is never served again)."""
    now = services.clock()
    settings = services.settings
    async with services.db.write() as conn:
        names = await Repos(conn).evidence.remove_expired(
            kept_before=now - timedelta(days=settings.evidence_retention_days),
            pending_before=now - PENDING_EVIDENCE)
    await evidence_files.delete(settings.evidence_dir, names)
    return len(names)
