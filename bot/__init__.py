"""The community digital technology teams' bot."""

import os

# python-telegram-bot 22.x warns on every RetryAfter unless durations are timedeltas; we read
# them as timedeltas already, so opt in to the future behaviour (before telegram is imported).
os.environ.setdefault("PTB_TIMEDELTA", "1")
