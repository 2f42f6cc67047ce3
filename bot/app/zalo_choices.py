"""The Zalo port's memory of what each chat was offered, kept in the database.

A typed "2" means the second choice of the newest bot message (see ``bot.channels.zalo_text``).
That message may have gone out before a restart, or from the outbox sender while the person's
answer is handled by the poller, so the memory lives in ``zalo_chat_options``, written through
the single writer connection — the port itself knows no database.
"""

from __future__ import annotations

from bot.channels.zalo_text import Offered, Options
from handlers.kit.context import Clock
from storage.db import Database
from storage.repos.zalo import ZaloRepo


class StoredChoices:
    """:class:`bot.channels.zalo.ChoiceMemory` over storage."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock

    async def recall(self, chat_id: str) -> Offered:
        options, menu = await ZaloRepo(self.db.reader).remembered(chat_id)
        return Offered(Options.from_json(options) if options is not None else None, tuple(menu))

    async def remember(self, chat_id: str, options: Options | None,
                       menu: tuple[str, ...] | None) -> None:
        now = self.clock()
        async with self.db.write() as conn:
            repo = ZaloRepo(conn)
            if menu is not None:
                await repo.set_menu(chat_id, list(menu), now)
            await repo.set_options(chat_id, options.to_json() if options else None, now)
