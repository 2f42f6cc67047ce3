"""How far a long /export got, told on the chat while the workbook is written.

An export of a place's month takes a moment; one of the largest province's takes long enough
that someone may think the bot forgot them (and ask again, which starts a second one). So, once
an export has run for :data:`AFTER_S`:

* where messages can be edited (Telegram), its "preparing…" message is edited with the
  sessions written so far out of the period's and that share in percent, then with "making the
  summary sheets" (the rest of the work, whose size is not known beforehand), at most every
  :data:`EVERY_S`;
* where they cannot (Zalo: an edit would arrive as one more message), a single message is sent,
  and only for an export still far from done after :data:`ONE_MESSAGE_AFTER_S`: a member on a
  low-end phone is told once that the file is coming, not buzzed every few seconds.

Time is read from ``ctx.services.clock``, so a test moves it instead of waiting.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from bot.core.calendar import Period
from bot.core.chat import OutMessage
from handlers.kit.context import Ctx

log = logging.getLogger(__name__)

AFTER_S = 2.0
EVERY_S = 3.0
ONE_MESSAGE_AFTER_S = 15.0
#: Past this share done, a channel that cannot edit gets no progress message at all.
ONE_MESSAGE_BEFORE = 0.5


class ExportProgress:
    def __init__(self, ctx: Ctx, place: str, period: Period) -> None:
        self.ctx = ctx
        self.place, self.period = place, period.label(ctx.lang)
        self.started = ctx.now
        # The message to edit: the pressed one (ctx.answer edited it) or the one just sent.
        editable = ctx.inc.message_ref is not None and ctx.channel.supports_buttons
        self.ref = ctx.inc.message_ref if editable else (ctx.sent[-1] if ctx.sent else None)
        self.sessions = 0        # the period's sessions (the roll-ups' count)
        self.written = 0         # how many of them are in the sheet so far
        self.shown_at: datetime | None = None
        self.shown = ""

    def expect(self, sessions: int) -> None:
        self.sessions = sessions

    async def sessions_written(self, count: int) -> None:
        self.written = count
        total = max(count, self.sessions, 1)
        await self._report(self.ctx.t(
            "export.progress", place=self.place, period=self.period, done=self._number(count),
            total=self._number(max(count, self.sessions)),
            percent=100 * count // total), count / total)

    async def summaries(self) -> None:
        await self._report(self.ctx.t(
            "export.progress_summaries", place=self.place, period=self.period,
            total=self._number(self.written)), 1.0)

    def _number(self, value: int) -> str:
        return self.ctx.services.t.number(self.ctx.lang, value)

    async def _report(self, text: str, share: float) -> None:
        """Show ``text`` if it is time to (``share``: how much of the work is done)."""
        ctx = self.ctx
        now = ctx.now
        running = now - self.started
        if running < timedelta(seconds=AFTER_S):
            return
        if ctx.channel.supports_buttons:
            if self.ref is None or text == self.shown or (
                    self.shown_at is not None
                    and now - self.shown_at < timedelta(seconds=EVERY_S)):
                return
        elif (self.shown_at is not None or share > ONE_MESSAGE_BEFORE
              or running < timedelta(seconds=ONE_MESSAGE_AFTER_S)):
            return
        self.shown_at, self.shown = now, text
        try:
            if ctx.channel.supports_buttons and self.ref is not None:
                await ctx.edit(self.ref, OutMessage(text=text))
            else:
                await ctx.send(OutMessage(text=text))
        except Exception:  # the file matters, not its progress line
            log.warning("could not show the export's progress", exc_info=True)
