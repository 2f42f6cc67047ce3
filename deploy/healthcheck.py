"""The container's health check (Docker HEALTHCHECK): exit 0 healthy, 1 not. Standard library only.

With WEB_BASE_URL the bot's web server answers /healthz: 200 healthy, 503 not (urllib raises on
503 or no answer). Without it the bot polls and nothing listens; then the bot is alive when it
holds its run lock (``<DATABASE_PATH>.lock``, an flock the running bot keeps for its lifetime:
``bot.app.run_lock``) — a lock nobody holds means the bot is not running on its database.
"""

from __future__ import annotations

import fcntl
import os
import sys
import urllib.request


def main() -> int:
    if os.environ.get("WEB_BASE_URL"):
        port = os.environ.get("WEB_PORT", "8443")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=8)
        except OSError:
            return 1
        return 0
    lock = os.environ.get("DATABASE_PATH", "data/tocns.sqlite3") + ".lock"
    try:
        fd = os.open(lock, os.O_RDONLY)
    except OSError:
        return 1  # never started on this database
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return 0  # held: the bot is running
    finally:
        os.close(fd)
    return 1


if __name__ == "__main__":
    sys.exit(main())
