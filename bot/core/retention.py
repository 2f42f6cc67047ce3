"""How long each kind of bookkeeping is kept before the daily clean-up deletes it. Pure.

Generic over (table, time column, keeping time): a table of a later release (file links) is
listed here already and simply skipped while it does not exist. Personal data that is the
purpose of the bot (members, sessions) is not on this list: it goes on request (/forget).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.core.web_access import IDLE_TIMEOUT

#: Wrong invitation codes only matter for an hour; a day is plenty.
JOIN_FAILURES_KEEP = timedelta(days=1)
#: A registry file checked but never confirmed (the admin sends it again).
PENDING_IMPORTS_KEEP = timedelta(days=1)


@dataclass(frozen=True)
class Rule:
    table: str
    column: str
    keep: timedelta
    #: An extra SQL condition from this module (never from input), e.g. only settled items.
    where: str = ""


def policy(*, processed_days: int, flows_days: int, outbox_days: int,
           audit_days: int) -> tuple[Rule, ...]:
    return (
        Rule("inbox", "handled_at", timedelta(days=processed_days), "handled_at IS NOT NULL"),
        Rule("chat_flows", "updated_at", timedelta(days=flows_days)),
        Rule("outbox", "updated_at", timedelta(days=outbox_days),
             "status IN ('sent', 'failed', 'cancelled')"),
        Rule("audit_log", "at", timedelta(days=audit_days)),
        Rule("join_failures", "at", JOIN_FAILURES_KEEP),
        Rule("pending_imports", "created_at", PENDING_IMPORTS_KEEP),
        # Links to produced files (a later release): gone once expired.
        Rule("file_links", "expires_at", timedelta(0)),
        # The dashboard's login links once expired, its browser sessions once idle too long
        # (refused from then on anyway: this only stops them piling up).
        Rule("web_login_links", "expires_at", timedelta(0)),
        Rule("web_sessions", "last_seen_at", IDLE_TIMEOUT),
    )


def cutoffs(rules: tuple[Rule, ...], now: datetime) -> list[tuple[Rule, datetime]]:
    """Each rule with the instant before which its rows are deleted."""
    return [(rule, now - rule.keep) for rule in rules]
