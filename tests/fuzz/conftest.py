"""Fuzzing the real dispatcher (see harness.py); fixtures come from tests/harness."""
