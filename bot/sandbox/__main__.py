"""``python -m bot.sandbox [port]``: run the sandbox server alone (point a bot at its URL)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys

from bot.sandbox.server import SandboxServer


async def serve(port: int) -> None:
    server = SandboxServer()
    await server.start(port=port)
    print(f"Chat page: {server.url}/  Bot API base_url: {server.bot_api_base_url}", flush=True)
    try:
        await asyncio.Event().wait()  # until Ctrl+C
    finally:
        await server.stop()


def main() -> None:
    logging.basicConfig(level=logging.INFO)
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 8081
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(port))


if __name__ == "__main__":
    main()
