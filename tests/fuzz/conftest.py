"""Fuzzing the real dispatcher (see harness.py)."""

from tests.inprocess import demo_database

__all__ = ["demo_database"]
