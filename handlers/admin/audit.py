"""/audit: the latest admin actions and refusals — who, what, when.

``/audit`` shows the last entries; ``/audit <number>`` up to 50; ``/audit tuchoi``/``denied``
only the refusals.
"""

from __future__ import annotations

from bot.core.models import AuditEntry
from bot.core.permissions import Action
from bot.core.text import fold
from handlers.kit.context import Ctx
from handlers.kit.routing import Command, Feature

DEFAULT_ENTRIES = 15
MAX_ENTRIES = 50
MAX_TEXT = 4000  # under Telegram's 4096
MAX_LINE = 240
_DENIED_WORDS = {"denied", "tu choi", "tuchoi", "refused"}


async def audit(ctx: Ctx) -> None:
    words = fold(ctx.args)
    limit = DEFAULT_ENTRIES
    action: str | None = None
    if words.isdigit():
        limit = max(1, min(MAX_ENTRIES, int(words)))
    elif words in _DENIED_WORDS:
        action = "denied"
    elif words:
        await ctx.reply(ctx.t("audit.usage", limit=MAX_ENTRIES))
        return
    entries = await ctx.services.read.audit.latest(limit=limit, action=action)
    if not entries:
        await ctx.reply(ctx.t("audit.empty"))
        return
    lines = [ctx.t("audit.title", count=len(entries))]
    for entry in entries:
        line = _line(ctx, entry)
        if sum(len(x) + 1 for x in lines) + len(line) > MAX_TEXT:
            break  # one message; /audit with a smaller number shows the rest
        lines.append(line)
    await ctx.reply("\n".join(lines))


def _line(ctx: Ctx, entry: AuditEntry) -> str:
    when = ctx.services.t.datetime(ctx.lang, entry.at.astimezone(ctx.services.settings.tz))
    who = entry.actor_name or ctx.t("audit.system")
    key = f"audit.action.{entry.action}"
    what = ctx.t(key) if ctx.services.t.has(key) else entry.action
    details = ", ".join(f"{k}={v}" for k, v in entry.details.items()
                        if k not in ("channel", "user") and v not in (None, ""))
    target = f" {entry.target}" if entry.target else ""
    extra = f" ({details})" if details else ""
    line = f"• {when} — {who}: {what}{target}{extra}"
    return line if len(line) <= MAX_LINE else line[:MAX_LINE - 1] + "…"


feature = Feature(
    commands=(Command("audit", audit, requires=Action.VIEW_AUDIT, members_only=True),),
)
