"""The bot's own web server (aiohttp): webhooks of both channels, file links, health, metrics.

It runs when ``WEB_BASE_URL`` (the public https address, behind a reverse proxy) is set,
listening on ``WEB_HOST``:``WEB_PORT``. The sandbox demo mounts the same routes on the
sandbox's own address, so the demo and the tests exercise the same code.
"""
