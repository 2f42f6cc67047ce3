"""Debian's chromium for the browser tests (never a browser downloaded by a test tool)."""

from __future__ import annotations

import os

import pytest

CHROMIUM = "/usr/bin/chromium"
#: Without the background-networking flags chromium keeps calling hosts this machine can't reach.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]


def chromium_or_skip() -> str:
    """The browser's path; skipped without one, except in CI where it must be there."""
    if os.path.exists(CHROMIUM):
        return CHROMIUM
    if os.environ.get("CI"):
        pytest.fail(f"{CHROMIUM} is required in CI (apt-get install chromium)")
    pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium); set CI to require it")
