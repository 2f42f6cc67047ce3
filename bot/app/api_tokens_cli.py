"""``python -m bot api-token create|list|revoke``: read-only tokens for the feed API.

``create "<who holds it>"`` prints the token once (only its hash is stored, so it cannot be
shown again: a lost token is revoked and a new one made); ``list`` shows every token's id,
holder, dates and state; ``revoke <id>`` stops one at once.
"""

from __future__ import annotations

import argparse
import asyncio
from datetime import UTC, datetime

from bot.config import Settings


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    api = sub.add_parser("api-token", help="read-only tokens of the feed API (/api/v1/feed)")
    verbs = api.add_subparsers(dest="verb", metavar="create|list|revoke", required=True)
    create = verbs.add_parser("create", help="make a token and print it once")
    create.add_argument("label", help="who holds it, e.g. \"national collector\"")
    verbs.add_parser("list", help="list the tokens (never the tokens themselves)")
    revoke = verbs.add_parser("revoke", help="stop a token")
    revoke.add_argument("id", type=int)


def run(settings: Settings, args: argparse.Namespace) -> int:
    return asyncio.run(_run(settings, args))


async def _run(settings: Settings, args: argparse.Namespace) -> int:
    from storage.db import Database
    from storage.file_links import new_token, token_hash
    from storage.repos import Repos

    now = datetime.now(UTC)
    async with Database(settings.database_path) as db:
        if args.verb == "create":
            label = " ".join(args.label.split())[:80]
            if not label:
                print("api-token create: give the holder's name, e.g. \"national collector\"")
                return 2
            token = new_token()
            async with db.write() as conn:
                token_id = await Repos(conn).web.add_token(token_hash(token), label, now)
            print(f"token {token_id} for {label}:\n{token}\n"
                  "Shown only now. Use it as: Authorization: Bearer <token>")
            return 0
        if args.verb == "list":
            tokens = await Repos(db.reader).web.tokens()
            if not tokens:
                print("no API tokens")
            for t in tokens:
                state = (f"revoked {t.revoked_at:%Y-%m-%d}" if t.revoked_at else
                         f"last used {t.last_used_at:%Y-%m-%d %H:%M}Z" if t.last_used_at
                         else "never used")
                print(f"{t.id:>4}  {t.label}  created {t.created_at:%Y-%m-%d}  {state}")
            return 0
        async with db.write() as conn:
            done = await Repos(conn).web.revoke_token(args.id, now)
        print(f"token {args.id} revoked" if done else f"no live token {args.id}")
        return 0 if done else 1
