"""Fast tests of the flows through the real dispatcher, in-process (tests/harness/inprocess.py)."""
