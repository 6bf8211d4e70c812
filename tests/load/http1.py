"""A lean HTTP/1.1 client for the load generator: POST a JSON body over kept-alive connections, nothing else.

The load generator shares the machine's two cores with the servers it measures, so every millisecond of CPU it
spends per request is taken from them. httpx, with its request and response models, header normalisation and
connection-pool bookkeeping, spent about 1.4 ms of CPU per request at 150 req/s (docs/benchmarks.md); this client
writes the request bytes itself and reads the answer with asyncio's stream reader (status line, headers, a
``Content-Length`` or chunked body), and keeps idle connections in a list: a request takes the most recently
used idle connection or opens a new one (the open model has no cap; the server's gate refuses what it cannot take).

Only what the load test needs: POST and GET, JSON bodies, keep-alive. A connection whose answer said
``Connection: close``, or that failed or timed out mid-request, is closed and never reused; an idle connection is
reused only while it is open and younger than :data:`IDLE_SECONDS` (below the server's keep-alive timeout), and a
GET whose reused connection turns out closed before any answer (the keep-alive race every HTTP client has) is sent
once more on a new one; a POST is not (the server may have done the work before the connection died).
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass


class HttpError(Exception):
    """The connection failed or the server's answer was not HTTP/1.1 this client can read."""


class _Stale(Exception):
    """The server closed the connection before answering anything: it did not read the request."""


@dataclass(slots=True)
class Response:
    status_code: int
    content: bytes

    def json(self):
        return json.loads(self.content)


#: Seconds a connection may sit idle before it is dropped instead of reused: under uvicorn's keep-alive timeout
#: (5 s), so the server never closes a connection just as a request is written to it.
IDLE_SECONDS = 4.0


class _Connection:
    __slots__ = ("reader", "writer", "idle_since")

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
        self.reader = reader
        self.writer = writer
        self.idle_since = 0.0

    def usable(self, now: float) -> bool:
        return not self.reader.at_eof() and not self.writer.is_closing() and now - self.idle_since < IDLE_SECONDS

    def close(self) -> None:
        self.writer.close()


class Client:
    """``await client.post(path, json=..., headers=...)`` -> :class:`Response`. ``timeout`` bounds the whole
    request (connect, write, read); use as an async context manager so idle connections are closed at the end."""

    def __init__(self, base_url: str, timeout: float = 10.0):
        scheme, _, rest = base_url.partition("://")
        if scheme != "http":
            raise ValueError(f"only http:// URLs: {base_url}")
        hostport = rest.split("/", 1)[0]
        host, _, port = hostport.rpartition(":")
        self.host, self.port = host, int(port)
        self._host_header = hostport.encode()
        self.timeout = timeout
        self._idle: list[_Connection] = []
        self._open: set[_Connection] = set()

    async def __aenter__(self) -> Client:
        return self

    async def __aexit__(self, *exc) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        for conn in list(self._open):
            conn.close()
        self._open.clear()
        self._idle.clear()

    @property
    def connections(self) -> int:
        """Connections open now (idle or busy)."""
        return len(self._open)

    async def post(self, path: str, *, json: object = None, headers: dict[str, str] | None = None) -> Response:
        body = b"" if json is None else _dumps(json)
        return await self.request("POST", path, body, headers)

    async def get(self, path: str, *, headers: dict[str, str] | None = None) -> Response:
        return await self.request("GET", path, b"", headers)

    async def request(self, method: str, path: str, body: bytes, headers: dict[str, str] | None) -> Response:
        message = self._head(method, path, body, headers) + body
        async with asyncio.timeout(self.timeout):
            conn = self._reuse()
            if conn is not None:
                try:
                    return self._done(conn, *await self._exchange(conn, message))
                except _Stale as exc:
                    # Closed before any answer: the server may have closed it idle (send again) or died after
                    # doing the work (sending again would do it twice): only a GET is sent again.
                    if method != "GET":
                        raise HttpError("the server closed the connection") from exc
            conn = await self._connect()
            try:
                return self._done(conn, *await self._exchange(conn, message))
            except _Stale as exc:
                raise HttpError("the server closed the connection") from exc

    async def _exchange(self, conn: _Connection, message: bytes) -> tuple[int, bool, bytes]:
        try:
            conn.writer.write(message)
            return await _read_response(conn.reader)
        except (_Stale, HttpError):
            self._discard(conn)
            raise
        except (ValueError, asyncio.LimitOverrunError) as exc:  # an answer this client cannot read
            self._discard(conn)
            raise HttpError(f"unreadable answer: {exc}") from exc
        except ConnectionError as exc:  # a reset: on a kept-alive connection, the server closed it as we wrote
            self._discard(conn)
            raise _Stale() from exc
        except BaseException:  # a timeout, a bad answer: the connection's state is unknown
            self._discard(conn)
            raise

    def _done(self, conn: _Connection, status: int, keep: bool, content: bytes) -> Response:
        if keep:
            conn.idle_since = time.monotonic()
            self._idle.append(conn)
        else:
            self._discard(conn)
        return Response(status, content)

    def _reuse(self) -> _Connection | None:
        """The most recently used idle connection still open and not near the server's keep-alive timeout."""
        now = time.monotonic()
        while self._idle:
            conn = self._idle.pop()
            if conn.usable(now):
                return conn
            self._discard(conn)
        return None

    def _head(self, method: str, path: str, body: bytes, headers: dict[str, str] | None) -> bytes:
        lines = [f"{method} {path} HTTP/1.1".encode(), b"Host: " + self._host_header]
        if body or method == "POST":
            lines.append(b"Content-Type: application/json")
            lines.append(b"Content-Length: " + str(len(body)).encode())
        for name, value in (headers or {}).items():
            lines.append(f"{name}: {value}".encode("latin-1"))
        lines.append(b"\r\n")
        return b"\r\n".join(lines)

    async def _connect(self) -> _Connection:
        try:
            reader, writer = await asyncio.open_connection(self.host, self.port)
        except OSError as exc:
            raise HttpError(f"connect: {exc}") from exc
        conn = _Connection(reader, writer)
        self._open.add(conn)
        return conn

    def _discard(self, conn: _Connection) -> None:
        self._open.discard(conn)
        conn.close()


def _dumps(value: object) -> bytes:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bool, bytes]:
    """(status, whether the connection stays open, body) of one HTTP/1.1 answer."""
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError as exc:
        if not exc.partial:
            raise _Stale() from exc
        raise HttpError("the server closed the connection mid-head") from exc
    except asyncio.LimitOverrunError as exc:
        raise HttpError("response head too long") from exc
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ", 2)
    if len(parts) < 2 or not parts[0].startswith("HTTP/1.") or not parts[1].isdigit():
        raise HttpError(f"not an HTTP/1.x status line: {lines[0][:80]!r}")
    status = int(parts[1])
    length = None
    chunked = False
    keep = parts[0] == "HTTP/1.1"
    for line in lines[1:]:
        if not line:
            continue
        name, _, value = line.partition(":")
        name = name.strip().lower()
        value = value.strip()
        if name == "content-length":
            length = int(value)
        elif name == "transfer-encoding":
            chunked = "chunked" in value.lower()
        elif name == "connection":
            keep = value.lower() != "close" if keep else value.lower() == "keep-alive"
    try:
        if chunked:
            content = await _read_chunked(reader)
        elif length is not None:
            content = await reader.readexactly(length)
        elif status in (204, 304) or 100 <= status < 200:
            content = b""
        else:  # no length: the body runs to the end of the connection
            content = await reader.read()
            keep = False
    except asyncio.IncompleteReadError as exc:
        raise HttpError("the server closed the connection mid-body") from exc
    return status, keep, content


async def _read_chunked(reader: asyncio.StreamReader) -> bytes:
    chunks = []
    while True:
        size_line = await reader.readuntil(b"\r\n")
        size = int(size_line.split(b";", 1)[0].strip(), 16)
        if size == 0:
            while (await reader.readuntil(b"\r\n")) != b"\r\n":  # trailers, then the blank line
                pass
            return b"".join(chunks)
        chunks.append(await reader.readexactly(size))
        await reader.readexactly(2)
