"""The one way a refusal is written to the audit log: who, what, from which chat."""

from __future__ import annotations

from handlers.kit.context import Ctx
from storage.repos import Repos


async def audit_refusal(ctx: Ctx, target: str) -> None:
    """Record that the caller was refused ``target`` (``/export Vị Thủy``, ``/import``)."""
    async with ctx.services.db.write() as conn:
        await Repos(conn).audit.record(
            actor=ctx.caller.member.id if ctx.caller.member else None, action="denied",
            target=target, now=ctx.now, channel=ctx.inc.channel, user=ctx.inc.user_id,
        )
