"""python-telegram-bot's HTTP layer on aiohttp instead of httpx.

On the update path every answer is one Bot API call, and profiling showed httpx/httpcore as a
quarter of the bot's CPU per update. aiohttp (already the sandbox's and the web server's
library) does the same request for much less. File uploads (documents, photos) and
downloads go through it too; timeouts and errors map to python-telegram-bot's own
(``TimedOut``, ``NetworkError``) so callers see no difference.
"""

from __future__ import annotations

from typing import Any

import aiohttp
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

#: Connections kept open to the Bot API: answers to different chats go out side by side.
POOL_SIZE = 64
#: The class of the marker python-telegram-bot passes for "no timeout given": its public face is
#: ``BaseRequest.DEFAULT_NONE``, the class itself lives in a private module of the library.
_DefaultValue = type(BaseRequest.DEFAULT_NONE)


class AiohttpRequest(BaseRequest):
    def __init__(self, *, read_timeout: float | None = 5.0, connect_timeout: float = 5.0,
                 write_timeout: float = 5.0, media_write_timeout: float = 20.0,
                 pool_size: int = POOL_SIZE) -> None:
        self._read_timeout = read_timeout
        self._connect_timeout = connect_timeout
        self._write_timeout = write_timeout
        self._media_write_timeout = media_write_timeout
        self._pool_size = pool_size
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        return self._read_timeout

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._pool_size),
                headers={"User-Agent": self.USER_AGENT})

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if self._session is None or self._session.closed:
            raise RuntimeError("AiohttpRequest is not initialized")
        files = request_data.multipart_data if request_data else None
        read = self._read_timeout if isinstance(read_timeout, _DefaultValue) else read_timeout
        connect = (self._connect_timeout if isinstance(connect_timeout, _DefaultValue)
                   else connect_timeout)
        write = (write_timeout if not isinstance(write_timeout, _DefaultValue)
                 else self._media_write_timeout if files else self._write_timeout)
        # aiohttp has no separate write timeout: the whole request gets connect + write + read.
        total = None if read is None else (connect or 0) + (write or 0) + read
        timeout = aiohttp.ClientTimeout(total=total, connect=connect, sock_read=read)
        body: Any = None
        if files:
            form = aiohttp.FormData(quote_fields=False)
            for name, value in (request_data.json_parameters if request_data else {}).items():
                form.add_field(name, value)
            for name, part in files.items():
                filename, content, *rest = part
                mime = rest[0] if rest else "application/octet-stream"
                data = content if isinstance(content, bytes) else content.read()
                form.add_field(name, data, filename=filename, content_type=mime)
            body = form
        elif request_data is not None:
            body = aiohttp.FormData(request_data.json_parameters, quote_fields=False)
        try:
            async with self._session.request(method, url, data=body,
                                             timeout=timeout) as response:
                return response.status, await response.read()
        except TimeoutError as exc:
            raise TimedOut from exc
        except aiohttp.ClientError as exc:
            raise NetworkError(f"aiohttp: {type(exc).__name__}: {exc}") from exc
