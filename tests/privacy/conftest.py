"""The end-to-end worlds: Telegram through the sandbox, and Zalo next to it."""

from tests.e2e.conftest import demo_database, world
from tests.zalo.conftest import zworld

__all__ = ["demo_database", "world", "zworld"]
