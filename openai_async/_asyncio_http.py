"""An HTTP/1.1 transport on a bare asyncio Protocol, owned here end to end (asyncio only).

aiohttp's layers under our asyncio transport (its parser objects, its StreamReader, a
read-timeout timer made and cancelled at every read) cost about as much per request,
and per streamed chunk, as everything of ours above them. Here one ``asyncio.Protocol``
per connection buffers what arrives, a small parser (``_http1`` for the head and the
framing) reads the answer's head and body from that buffer, and the body stream hands
out each piece as it comes: a streamed
chunk costs one ``data_received`` and one wake-up of its reader.

The guards are those of ``_http11``: the answer's head within 100 KiB, its framing
checked (``Content-Length``, chunked, or up to the close), errors that name what was
wrong without quoting the server's bytes (they may echo the key back), memory bounded
(reading pauses while 64 KiB wait unread), and a connection back in the pool only when
its answer ended exactly where its bytes did. Bytes or a close arriving on an idle
connection mark it dead: it is closed, never handed to a request (issue 14).

The pool's rules (limits, expiry, waits, what is kept) are ``_pool.ConnectionPool``'s,
as for ``_http11``. httpx's ``connect`` and ``write`` timeouts apply to connecting
(through a proxy, the tunnel's opening too) and to each wait for the socket to drain;
its ``read`` timeout, between bytes, is kept by one watchdog timer per connection, which
re-arms itself while bytes keep coming (no timer is made per read).

Through a proxy (``proxies``, from the environment; ``http://`` and ``https://`` proxy
URLs), as through ``_http11``'s: an http URL goes to the proxy with its absolute form as
the request line, an https one through a ``CONNECT`` tunnel to its host, whose answer's
head is read within the same bounds as any, then TLS over the tunnel (asyncio's
``start_tls``), then as over a direct connection. To an ``https://`` proxy the
connection is TLS first (TLS inside TLS for an https URL). The proxy's credentials go
to the proxy alone, as ``Proxy-Authorization``: on each forwarded request, on the
``CONNECT``, never inside the tunnel. Connections are pooled per proxy and target, with
the same guards as direct ones. ``_transport.Pool`` uses this pool on asyncio.
"""

from __future__ import annotations

import asyncio
import ssl
import time
from collections.abc import Mapping
from typing import Final, cast

import anyio.lowlevel
import httpx

from ._config import DEFAULT_LIMITS, Proxies
from ._exceptions import InvalidParameterError
from ._http1 import (
    AFTER_DATA,
    CHUNK_SIZE,
    CHUNKED,
    FIELD,
    LENGTH,
    MAX_HEAD,
    MAX_LINE,
    SIZE_LINE,
    TRAILERS,
    UNTIL_CLOSE,
    framing,
    parse_head,
)
from ._pool import ConnectionPool, origin
from ._proxy import (
    EARLY_BYTES,
    NOT_ANSWERED,
    NOT_HTTP,
    Proxy,
    Route,
    absolute_target,
    connect_request,
    refused,
)
from ._transport import readable, translated

__all__ = ["AsyncioTransport"]

_PAUSE_AT: Final = 64 * 1024  # unread bytes at which reading pauses until they are read
_SLACK: Final = 0.001  # the watchdog may wake this much early, as asyncio's timers do
_MAX_INTERIM: Final = 10  # 1xx answers before the real one


class AsyncioTransport(ConnectionPool["_Connection"], httpx.AsyncBaseTransport):
    """A keep-alive pool of HTTP/1.1 connections per origin, within ``limits`` (asyncio only).

    ``ssl_context`` for https (to ``https://`` proxies too): httpx's default (certifi's CA
    bundle) unless given. ``proxies``: the proxy, if any, each request goes through
    (``http://`` and ``https://`` ones). Under trio the first request raises
    ``InvalidParameterError``, before anything is sent.
    """

    _kind = "asyncio HTTP/1.1"

    def __init__(
        self,
        limits: httpx.Limits = DEFAULT_LIMITS,
        *,
        ssl_context: ssl.SSLContext | None = None,
        proxies: Proxies | None = None,
    ) -> None:
        super().__init__(limits, ssl_context, proxies, ("http", "https"))

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            raise InvalidParameterError(
                "transport",
                "AsyncioTransport runs on asyncio only (is this trio?); "
                "use the default transport there",
            ) from None
        timeouts: Mapping[str, float | None] = request.extensions.get("timeout") or {}
        url = request.url
        at = origin(url)
        failure: Exception | None = None  # raised after the except block: see translated()
        try:
            connection = await self._acquire(at, url, timeouts)
        except Exception as exc:
            failure = exc
        if failure is not None:
            raise translated(failure, request)
        try:
            status, reason, headers = await connection.exchange(request, timeouts)
        except BaseException as exc:
            await self._drop(connection)
            if not isinstance(exc, Exception):
                raise
            failure = exc
        if failure is not None:
            raise translated(failure, request)
        return httpx.Response(
            status,
            headers=headers,
            stream=_Body(self, connection, request),
            extensions={"http_version": b"HTTP/1.1", "reason_phrase": reason},
        )

    async def aclose(self) -> None:
        await super().aclose()
        # asyncio closes an aborted connection's socket in a callback: one pass of the
        # loop runs those callbacks (this close's, and any earlier drop's), so that no
        # socket is left open once the client is closed. (anyio's: a transport made
        # under trio, which refuses to send, is closed there too.)
        await anyio.lowlevel.cancel_shielded_checkpoint()

    def _now(self) -> float:
        # Idle times are compared with each other only: any monotonic clock serves, and
        # this one (the default loop's) needs no loop at hand.
        return time.monotonic()

    async def _connect(self, route: Route, within: float | None) -> _Connection:
        scheme, host, port = route[0], route[1], route[2]
        proxy = route[3] if len(route) == 4 else None
        context = self._context() if scheme == b"https" else None
        name = host.decode("ascii")
        loop = asyncio.get_running_loop()
        connection = _Connection(loop, route)
        try:
            async with asyncio.timeout(within):
                if proxy is None:
                    await loop.create_connection(
                        lambda: connection,
                        name,
                        port,
                        ssl=context,
                        server_hostname=None if context is None else name,  # SNI, and checked
                    )
                else:
                    await loop.create_connection(
                        lambda: connection,
                        proxy.host,
                        proxy.port,
                        ssl=self._context() if proxy.tls else None,
                        server_hostname=proxy.host if proxy.tls else None,
                    )
                    if context is None:  # http: each request goes to the proxy
                        connection.forward = proxy
                    else:
                        await connection.tunnel(host, port, proxy, context)
        except BaseException as exc:
            connection.abort()  # made, if it was, as the time ran out or a cancellation came
            if isinstance(exc, TimeoutError):
                raise httpx.ConnectTimeout("Connecting timed out.") from exc
            if isinstance(exc, OSError):  # refused, unreachable, a certificate refused
                raise httpx.ConnectError(str(exc) or type(exc).__name__) from exc
            raise
        return connection


class _Connection(asyncio.Protocol):
    """One HTTP/1.1 connection: the protocol asyncio feeds, its buffer, and its watchdog.

    ``forward``: the proxy it goes to, whose requests name their target in full.
    """

    __slots__ = (
        "buffer", "dead", "ended", "error", "forward", "framing", "idle", "idle_since",
        "keep_alive", "last_read", "loop", "reading_paused", "route", "timeout", "transport",
        "waiter", "watchdog", "writable",
    )  # fmt: skip

    def __init__(self, loop: asyncio.AbstractEventLoop, route: Route) -> None:
        self.loop = loop
        self.route = route
        self.forward: Proxy | None = None
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()  # received, not yet read
        self.ended = False  # the server closed its side, or the connection is lost
        self.error: Exception | None = None  # why it was lost, if by an error
        self.idle = False  # in the pool: any byte or close that arrives kills it
        self.dead = False
        self.idle_since = 0.0
        self.keep_alive = True  # the answer being read allows a next request
        # How the answer's body is framed: its mode, and its length or chunked state.
        self.framing = (LENGTH, 0)
        self.reading_paused = False
        self.waiter: asyncio.Future[None] | None = None  # the reader's, while it waits
        self.writable: asyncio.Future[None] | None = None  # resolved when writing may go on
        self.timeout: float | None = None  # the read timeout of the request in progress
        self.last_read = 0.0  # when bytes last came, or a reader started waiting
        self.watchdog: asyncio.TimerHandle | None = None

    # -- asyncio's callbacks -------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)

    def data_received(self, data: bytes) -> None:
        if self.idle:
            self.dead = True  # bytes nobody asked for: never read as an answer
            self.abort()
            return
        self.buffer += data
        self.last_read = self.loop.time()
        if len(self.buffer) >= _PAUSE_AT and not self.reading_paused:
            self.reading_paused = True
            assert self.transport is not None
            self.transport.pause_reading()
        waiter = self.waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def eof_received(self) -> bool:
        self._end()
        return False  # close our side too: nothing more is sent after an answer's end

    def connection_lost(self, exc: Exception | None) -> None:
        self.error = exc
        self._end()
        if self.watchdog is not None:
            self.watchdog.cancel()
            self.watchdog = None
        writable = self.writable
        if writable is not None and not writable.done():
            writable.set_result(None)

    def pause_writing(self) -> None:
        self.writable = self.loop.create_future()

    def resume_writing(self) -> None:
        writable, self.writable = self.writable, None
        if writable is not None and not writable.done():
            writable.set_result(None)

    def _end(self) -> None:
        self.ended = True
        if self.idle:
            self.dead = True
        waiter = self.waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    # -- for the pool ----------------------------------------------------------------------

    def rest(self) -> bool:
        """Put the connection at rest in the pool, if its answer ended where its bytes did
        and allows another: from now on, anything arriving kills it. False: it cannot rest.
        """
        if not self.keep_alive or self.buffer or self.ended:
            return False  # Connection: close, bytes past the answer's end, or closed
        self.idle = True
        if self.watchdog is not None:
            self.watchdog.cancel()
            self.watchdog = None
        if self.reading_paused:  # so that a byte or close arriving now is seen
            self.reading_paused = False
            assert self.transport is not None
            self.transport.resume_reading()
        return True

    async def reuse(self) -> bool:
        """Take it out of rest for a request, if nothing arrived while it was idle.

        What arrived was seen by the protocol (``dead``), or is still in the socket while
        the loop was busy elsewhere.
        """
        if self.dead:
            return False
        transport = self.transport
        sock = None if transport is None else transport.get_extra_info("socket")
        if sock is None or readable(sock.fileno()):
            return False
        self.idle = False
        return True

    async def close(self) -> None:
        self.abort()

    def abort(self) -> None:
        if self.transport is not None:
            self.transport.abort()
        if self.watchdog is not None:
            self.watchdog.cancel()
            self.watchdog = None

    # -- reading ---------------------------------------------------------------------------

    async def more(self) -> None:
        """Wait for bytes past those buffered, within the read timeout; fail at the end."""
        if self.ended:
            if self.error is not None:
                raise httpx.ReadError(str(self.error) or type(self.error).__name__)
            raise _Ended("The server closed the connection mid-answer.")
        if self.reading_paused:
            self.reading_paused = False
            assert self.transport is not None
            self.transport.resume_reading()
        waiter = self.waiter = self.loop.create_future()
        if self.timeout is not None:
            self.last_read = self.loop.time()
            if self.watchdog is None:
                self.watchdog = self.loop.call_at(self.last_read + self.timeout, self._watch)
        try:
            await waiter
        finally:
            self.waiter = None

    def _watch(self) -> None:
        """The read timeout: fail the waiting reader if no byte came within it, else re-arm."""
        self.watchdog = None
        waiter, timeout = self.waiter, self.timeout
        if waiter is None or waiter.done() or timeout is None:
            return  # nobody waits: the next wait arms it again
        due = self.last_read + timeout
        if due - self.loop.time() > _SLACK:
            self.watchdog = self.loop.call_at(due, self._watch)
        else:
            waiter.set_exception(httpx.ReadTimeout("Reading the response timed out."))

    async def exchange(
        self, request: httpx.Request, timeouts: Mapping[str, float | None]
    ) -> tuple[int, bytes, list[tuple[bytes, bytes]]]:
        """Send the request; return its answer's status, reason and headers.

        A server may answer before the body is all sent (413 for an upload too large)
        and close: the answer, if it came whole, is the caller's to see; the write's
        error is raised only when there is none.
        """
        timeout = timeouts.get("read")
        if timeout != self.timeout and self.watchdog is not None:
            self.watchdog.cancel()  # armed for another request's timeout
            self.watchdog = None
        self.timeout = timeout
        try:
            await self._send(request, timeouts.get("write"))
        except httpx.WriteError as exc:
            if b"\r\n\r\n" not in self.buffer:
                raise
            unsent: httpx.WriteError | None = exc
        else:
            unsent = None
        try:
            return await self._read_head(request.method == "HEAD")
        except Exception:
            if unsent is not None:
                raise unsent from None
            raise

    async def _send(self, request: httpx.Request, within: float | None) -> None:
        proxy = self.forward
        target = request.url.raw_path if proxy is None else absolute_target(request.url)
        lines = [b"%s %s HTTP/1.1" % (request.method.encode("ascii"), target)]
        lines += [name + b": " + value for name, value in request.headers.raw]
        if proxy is not None and proxy.authorization is not None:  # for the proxy alone
            lines.append(b"Proxy-Authorization: " + proxy.authorization)
        head = b"\r\n".join(lines) + b"\r\n\r\n"
        # A line break or NUL in a header (or the target) would write a line of its own.
        breaks = len(lines) + 1
        if head.count(b"\n") != breaks or head.count(b"\r") != breaks or b"\0" in head:
            raise httpx.LocalProtocolError("A header holds a line break or a NUL.")
        stream = request.stream
        if isinstance(stream, httpx.ByteStream):  # a body in memory (JSON): in one write
            await self._write(head + request.content, within)
            return
        assert isinstance(stream, httpx.AsyncByteStream)
        chunked = request.headers.get("transfer-encoding", "").lower() == "chunked"
        declared = request.headers.get("content-length")
        await self._write(head, within)
        sent = 0
        async for chunk in stream:
            if chunk:
                sent += len(chunk)
                await self._write(
                    b"%x\r\n%s\r\n" % (len(chunk), chunk) if chunked else chunk, within
                )
        if chunked:
            await self._write(b"0\r\n\r\n", within)
        elif declared is not None and declared.isdigit() and sent != int(declared):
            # The server would read the difference as (part of) another request.
            raise httpx.LocalProtocolError("The request body's length is not its Content-Length.")

    async def _write(self, data: bytes, within: float | None) -> None:
        if self.ended or self.transport is None or self.transport.is_closing():
            raise httpx.WriteError("The connection closed while the request was written.")
        self.transport.write(data)
        writable = self.writable
        if writable is not None:  # the socket's buffer is full: wait for it to drain
            try:
                async with asyncio.timeout(within):
                    await asyncio.shield(writable)  # a timeout cancels the wait, not the future
            except TimeoutError as exc:
                raise httpx.WriteTimeout("Writing the request timed out.") from exc
            if self.ended:
                raise httpx.WriteError("The connection closed while the request was written.")

    async def tunnel(self, host: bytes, port: int, proxy: Proxy, context: ssl.SSLContext) -> None:
        """Through the proxy at the other end, a ``CONNECT`` tunnel to ``host:port``, then TLS.

        The proxy's answer is read as any answer's head; a refusal is a ``ProxyError``
        naming its status only (``_proxy.refused``).
        """
        target, headers = connect_request(host, port, proxy)
        lines = [b"CONNECT " + target + b" HTTP/1.1"] + [
            name + b": " + value for name, value in headers
        ]
        await self._write(b"\r\n".join(lines) + b"\r\n\r\n", None)
        try:
            status = (await self._read_head(True))[0]
        except (_Ended, httpx.ReadError) as exc:
            raise httpx.ProxyError(NOT_ANSWERED) from exc
        except httpx.RemoteProtocolError as exc:  # its text names the fault, never the bytes
            raise httpx.ProxyError(NOT_HTTP) from exc
        if not 200 <= status < 300:
            raise refused(proxy, target, status)
        if self.buffer:
            raise httpx.ProxyError(EARLY_BYTES)
        if self.ended:
            raise httpx.ConnectError("The proxy closed the tunnel as it opened.")
        # start_tls takes the socket's reading over, paused or not.
        self.reading_paused = False
        transport = await self.loop.start_tls(
            cast(asyncio.Transport, self.transport),
            self,
            context,
            server_hostname=host.decode("ascii"),  # SNI, and checked
        )
        if transport is None:  # closed as the handshake ended
            raise httpx.ConnectError("The proxy closed the tunnel as it opened.")
        self.transport = transport

    async def _read_head(self, no_body: bool) -> tuple[int, bytes, list[tuple[bytes, bytes]]]:
        searched = 0
        interim = 0
        while True:
            buffer = self.buffer
            end = buffer.find(b"\r\n\r\n", searched)
            if end < 0 or end > MAX_HEAD:
                if len(buffer) > MAX_HEAD:
                    raise httpx.RemoteProtocolError("The answer's head is larger than 100 KiB.")
                if self.ended and not buffer and self.error is None:
                    raise _Ended("Server disconnected without sending a response.")
                searched = max(0, len(buffer) - 3)
                await self.more()
                continue
            head = bytes(buffer[:end])
            del buffer[: end + 4]
            searched = 0
            status, reason, headers = parse_head(head)
            if status < 200 and status != 101:
                # An interim answer (100 Continue, 103 Early Hints): the real one follows,
                # unless a server sends them without end.
                interim += 1
                if interim > _MAX_INTERIM:
                    raise httpx.RemoteProtocolError("The server sent too many interim answers.")
                continue
            mode, left, self.keep_alive = framing(
                status, headers, no_body, head.startswith(b"HTTP/1.0")
            )
            self.framing = (mode, left)
            return status, reason, headers


class _Ended(httpx.RemoteProtocolError):
    """The server closed the connection before the answer's end (a proxy's, for ``tunnel``)."""


class _Body(httpx.AsyncByteStream):
    """An answer's body as httpx reads it: its own iterator, each piece as it arrives.

    Closed at its end, its connection goes back to the pool; closed before, it is closed.
    """

    __slots__ = ("_connection", "_done", "_left", "_mode", "_pool", "_request")

    def __init__(
        self, pool: AsyncioTransport, connection: _Connection, request: httpx.Request
    ) -> None:
        self._pool = pool
        self._connection: _Connection | None = connection
        self._request = request
        self._mode, self._left = connection.framing
        self._done = self._mode == LENGTH and not self._left

    def __aiter__(self) -> _Body:
        return self

    async def __anext__(self) -> bytes:
        connection = self._connection
        if connection is None or self._done:
            raise StopAsyncIteration
        try:
            while True:
                data = (
                    self._chunked(connection) if self._mode == CHUNKED else self._take(connection)
                )
                if data:
                    return data
                if data is not None:
                    break  # the body's end
                await connection.more()
        except Exception as exc:
            failure = exc
        else:
            raise StopAsyncIteration
        raise translated(failure, self._request)  # after the except block: see translated()

    def _take(self, connection: _Connection) -> bytes | None:
        """The next piece of a body framed by length or close, b"" at its end; None: wait."""
        buffer = connection.buffer
        if not buffer:
            if self._mode == UNTIL_CLOSE and connection.ended and connection.error is None:
                self._done = True
                return b""
            return None
        if self._mode == UNTIL_CLOSE or len(buffer) <= self._left:
            data = bytes(buffer)
            buffer.clear()
        else:
            data = bytes(buffer[: self._left])
            del buffer[: self._left]
        if self._mode == LENGTH:
            self._left -= len(data)
            self._done = not self._left
        return data

    def _chunked(self, connection: _Connection) -> bytes | None:
        """The next piece of a chunked body's data, b"" at its end; None: wait."""
        buffer = connection.buffer
        while True:
            left = self._left
            if left > 0:  # in a chunk's data: what has come of it
                if not buffer:
                    return None
                if len(buffer) <= left:
                    data = bytes(buffer)
                    buffer.clear()
                else:
                    data = bytes(buffer[:left])
                    del buffer[:left]
                self._left = left - len(data) or AFTER_DATA
                return data
            if left == SIZE_LINE:
                end = buffer.find(b"\r\n", 0, MAX_LINE + 2)
                if end < 0:
                    if len(buffer) > MAX_LINE:
                        raise httpx.RemoteProtocolError("A chunk's size line is too long.")
                    return None
                size = CHUNK_SIZE.fullmatch(buffer, 0, end)
                if size is None:
                    raise httpx.RemoteProtocolError("A chunk's size line is not valid.")
                self._left = int(size[1], 16) or TRAILERS  # read before the bytes go
                del buffer[: end + 2]
            elif left == AFTER_DATA:
                if len(buffer) < 2:
                    return None
                if buffer[:2] != b"\r\n":
                    raise httpx.RemoteProtocolError("A chunk's data runs past its size.")
                del buffer[:2]
                self._left = SIZE_LINE
            else:  # the trailers, read and dropped, up to the empty line that ends them
                if buffer[:2] == b"\r\n":
                    end = -2
                else:
                    end = buffer.find(b"\r\n\r\n", 0, MAX_HEAD + 4)
                    if end < 0:
                        if len(buffer) > MAX_HEAD:
                            raise httpx.RemoteProtocolError("The answer's trailers are too large.")
                        return None
                    for line in bytes(buffer[:end]).split(b"\r\n"):
                        if FIELD.fullmatch(line) is None:
                            raise httpx.RemoteProtocolError("A trailer line is malformed.")
                del buffer[: end + 4]
                self._done = True
                return b""

    async def aclose(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None and not self._pool._release(connection, self._done):
            connection.abort()
