"""The shared fixtures are pytest plugins in tests/harness, registered here, so a test module
works wherever it lives in the tree: the clock and a real database, the end-to-end worlds (the
real bot polling the sandbox, on Telegram, Zalo and behind webhooks), the in-process bot, small
hand-built provinces and an operator's installation."""

from __future__ import annotations

import pytest

pytest_plugins = [
    "tests.harness.clock",
    "tests.harness.database",
    "tests.harness.world",
    "tests.harness.zalo_world",
    "tests.harness.hooked",
    "tests.harness.inprocess",
    "tests.harness.province",
    "tests.harness.small_province",
    "tests.harness.installation",
]


def pytest_configure(config: pytest.Config) -> None:
    # A message key missing from the catalogues fails the test that uses it, never a reply.
    from bot.core.i18n import Translator

    Translator.strict = True
