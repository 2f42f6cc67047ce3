"""Running the bot (admins): the registry /import, /audit, /schedule, /category, /status and the
figures of ``/healthz`` and ``/metrics``."""
