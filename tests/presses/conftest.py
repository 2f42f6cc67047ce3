"""Fast tests of the flows through the real dispatcher, in-process (see tests/inprocess.py)."""

from tests.inprocess import demo_database, inprocess

__all__ = ["demo_database", "inprocess"]
