"""python-telegram-bot's HTTP requests over aiohttp instead of httpx.

PTB lets an application bring its own :class:`telegram.request.BaseRequest`. Its default,
httpx with httpcore, costs about 1 ms of CPU per Bot API call, much of it checking every idle
pooled connection before each request; aiohttp's client (already a dependency) does the same
keep-alive HTTP/1.1 for a fraction of that (see BENCHMARKS.md, "Chat updates"). Requests are
the same as PTB's own: form fields, or multipart when files are uploaded.
"""

from __future__ import annotations

import aiohttp
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

FORM = "application/x-www-form-urlencoded"
# Files take longer to send than a text message (PTB's own default for media).
MEDIA_WRITE_TIMEOUT = 20.0


def _seconds(value: object, default: float | None) -> float | None:
    """A timeout PTB passed, or ours when it passed its "use the default" marker."""
    if value is None or isinstance(value, int | float):
        return None if value is None else float(value)
    return default


class AiohttpRequest(BaseRequest):
    """A pool of keep-alive connections to the Bot API server, for one kind of call.

    ``read_timeout`` must cover a long poll for the request object that does getUpdates (PTB
    adds the poll timeout to it itself).
    """

    __slots__ = ("_connections", "_connect_timeout", "_pool_timeout", "_read_timeout",
                 "_session", "_write_timeout")

    def __init__(self, connections: int = 256, *, read_timeout: float | None = 5.0,
                 write_timeout: float | None = 5.0, connect_timeout: float | None = 5.0,
                 pool_timeout: float | None = 1.0) -> None:
        self._connections = connections
        self._read_timeout = read_timeout
        self._write_timeout = write_timeout
        self._connect_timeout = connect_timeout
        self._pool_timeout = pool_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        """The default read timeout (PTB adds a long poll's own timeout to it)."""
        return self._read_timeout

    async def initialize(self) -> None:
        """Open the connection pool (inside the running event loop, as aiohttp wants)."""
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._connections),
                headers={"User-Agent": self.USER_AGENT})

    async def shutdown(self) -> None:
        """Close every connection."""
        if self._session is not None and not self._session.closed:
            await self._session.close()

    async def do_request(self, url: str, method: str, request_data: RequestData | None = None,
                         read_timeout: object = BaseRequest.DEFAULT_NONE,
                         write_timeout: object = BaseRequest.DEFAULT_NONE,
                         connect_timeout: object = BaseRequest.DEFAULT_NONE,
                         pool_timeout: object = BaseRequest.DEFAULT_NONE) -> tuple[int, bytes]:
        """One Bot API call: (HTTP status, body)."""
        if self._session is None or self._session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        files = request_data.multipart_data if request_data else None
        body: aiohttp.FormData | str | None = None
        headers: dict[str, str] = {}
        if files:
            form = aiohttp.FormData()
            for name, value in request_data.json_parameters.items() if request_data else ():
                form.add_field(name, value)
            for name, (filename, content, mimetype) in files.items():
                form.add_field(name, content, filename=filename, content_type=mimetype)
            body = form
        elif request_data is not None:
            body = request_data.url_encoded_parameters()
            headers["Content-Type"] = FORM
        write = _seconds(write_timeout, MEDIA_WRITE_TIMEOUT if files else self._write_timeout)
        # aiohttp has no write timeout of its own: the whole call gets read + write (+ pool).
        read = _seconds(read_timeout, self._read_timeout)
        pool = _seconds(pool_timeout, self._pool_timeout)
        parts = [read, write, pool]
        total = None if any(p is None for p in parts) else sum(p or 0.0 for p in parts)
        timeout = aiohttp.ClientTimeout(
            total=total, sock_connect=_seconds(connect_timeout, self._connect_timeout),
            sock_read=read)
        try:
            async with self._session.request(method, url, data=body, headers=headers,
                                             timeout=timeout) as response:
                return response.status, await response.read()
        except TimeoutError as error:  # asyncio.TimeoutError is the same class since 3.11
            raise TimedOut from error
        except aiohttp.ClientError as error:
            raise NetworkError(f"aiohttp.{error.__class__.__name__}: {error}") from error
