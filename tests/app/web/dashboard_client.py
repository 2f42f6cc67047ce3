"""A browser-like HTTP client for the dashboard tests: asks the bot for /web in the chat, opens
the link, keeps the session cookie."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from bot.sandbox import SandboxUser


def link_in(text: str) -> str:
    found = re.search(r"https?://\S+/web/login/\S+", text)
    assert found, text
    return found[0]


async def ask_link(person: SandboxUser) -> str:
    await person.send("/web")
    reply = await person.wait_for(lambda m: "/web/login/" in m.text, timeout=20)
    return link_in(reply.text)


@dataclass
class Browser:
    base: str
    session: aiohttp.ClientSession = field(default_factory=lambda: aiohttp.ClientSession(
        cookie_jar=aiohttp.CookieJar(unsafe=True)))

    async def get(self, path: str, **kw: Any) -> tuple[int, str, dict[str, str]]:
        url = path if path.startswith("http") else self.base + path
        async with self.session.get(url, allow_redirects=True, **kw) as response:
            return response.status, await response.text(errors="replace"), dict(response.headers)

    async def get_bytes(self, path: str) -> tuple[int, bytes, dict[str, str]]:
        async with self.session.get(self.base + path) as response:
            return response.status, await response.read(), dict(response.headers)

    async def post(self, path: str, data: dict[str, str]) -> tuple[int, str]:
        async with self.session.post(self.base + path, data=data) as response:
            return response.status, await response.text()

    async def close(self) -> None:
        await self.session.close()


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "no CSRF field on the page"
    return found[1]
