"""An HTTP/1.1 transport owned here end to end: h11 over anyio streams (trio's default).

httpcore keeps the bytes a server sends past the end of an answer (beyond its
``Content-Length``, or after its last chunk) in the connection's buffer, and reads them
as the answer to the next request on that connection: a server, or anything between, can
forge an answer that way. Here a connection goes back to the pool only when its answer
ended exactly where the bytes did (h11's public ``trailing_data`` is empty), and an idle
connection is reused only while its socket has nothing to read (an idle socket that is
readable was closed by the server, or holds bytes nobody asked for).

The pool's rules (limits, expiry, waits, what is kept) are ``_pool.ConnectionPool``'s.
httpx's per-request timeouts apply to each step: ``connect`` (through a proxy, the
tunnel's opening too), ``write`` per write, ``read`` per read. Errors become ours
(``_transport.translated``) where the response and its body stream are made.

Through a proxy (``proxies``, from the environment; ``http://`` proxy URLs only), an http
URL goes to the proxy with its absolute form as the request line, an https one through a
``CONNECT`` tunnel to its host, TLS over the tunnel, then as over a direct connection.
The proxy's credentials go to the proxy alone, as ``Proxy-Authorization``: on each
forwarded request, on the ``CONNECT``, never inside the tunnel. Connections are pooled
per proxy and target, with the same guards as direct ones.

It runs on any anyio backend; ``_transport.Pool`` uses it under trio.
"""

from __future__ import annotations

import contextlib
import socket
import ssl
from collections.abc import AsyncIterator, Mapping
from typing import Final

import anyio
import anyio.abc
import h11
import httpx
from anyio.streams.tls import TLSAttribute, TLSStream

from ._config import DEFAULT_LIMITS, Proxies
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

__all__ = ["HTTP11Transport"]

# Response heads are read within httpcore's bounds, as on the other transports.
_MAX_HEAD: Final = 100 * 1024
_READ_SIZE: Final = 64 * 1024


class HTTP11Transport(ConnectionPool["_Connection"], httpx.AsyncBaseTransport):
    """A keep-alive pool of HTTP/1.1 connections per origin, within ``limits``.

    ``ssl_context`` for https: httpx's default (certifi's CA bundle) unless given.
    ``proxies``: the proxy, if any, each request goes through (``http://`` ones only).
    """

    def __init__(
        self,
        limits: httpx.Limits = DEFAULT_LIMITS,
        *,
        ssl_context: ssl.SSLContext | None = None,
        proxies: Proxies | None = None,
    ) -> None:
        super().__init__(limits, ssl_context, proxies, ("http",))

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        timeouts: Mapping[str, float | None] = request.extensions.get("timeout") or {}
        url = request.url
        at = origin(url)
        failure: Exception | None = None  # raised out of the except blocks: see _ours
        try:
            connection = await self._acquire(at, url, timeouts)
        except Exception as exc:
            failure = exc
        if failure is not None:
            raise _ours(failure, request)
        read_timeout = timeouts.get("read")
        try:
            head = await connection.send(request, timeouts.get("write"), read_timeout)
        except BaseException as exc:
            await self._drop(connection)
            if not isinstance(exc, Exception):
                raise
            failure = exc
        if failure is not None:
            raise _ours(failure, request)
        extensions = {"http_version": b"HTTP/1.1", "reason_phrase": bytes(head.reason)}
        return httpx.Response(
            head.status_code,
            headers=list(head.headers),
            stream=_Body(self, connection, request, read_timeout),
            extensions=extensions,
        )

    def _now(self) -> float:
        return anyio.current_time()

    async def _connect(self, route: Route, within: float | None) -> _Connection:
        scheme, host, port = route[0], route[1], route[2]
        proxy = route[3] if len(route) == 4 else None
        context = self._context() if scheme == b"https" else None
        name = host.decode("ascii")
        stream: anyio.abc.ByteStream
        try:
            with anyio.fail_after(within):
                if proxy is not None:
                    stream = await anyio.connect_tcp(proxy.host, proxy.port)
                    if context is None:  # http: each request goes to the proxy
                        return _Connection(route, stream, forward=proxy)
                    try:
                        await _open_tunnel(stream, host, port, proxy)
                        stream = await TLSStream.wrap(
                            stream,
                            hostname=name,
                            ssl_context=context,
                            standard_compatible=False,
                        )
                    except BaseException:
                        with anyio.CancelScope(shield=True):
                            await anyio.aclose_forcefully(stream)
                        raise
                elif context is None:
                    stream = await anyio.connect_tcp(name, port)
                else:
                    stream = await anyio.connect_tcp(
                        name,
                        port,
                        ssl_context=context,
                        tls_hostname=name,  # sent as SNI, and checked against the certificate
                        # HTTP frames its own answers: a server that closes without TLS's
                        # close_notify has not truncated one that ended.
                        tls_standard_compatible=False,
                    )
        except TimeoutError as exc:
            raise httpx.ConnectTimeout("Connecting timed out.") from exc
        return _Connection(route, stream)


async def _open_tunnel(stream: anyio.abc.ByteStream, host: bytes, port: int, proxy: Proxy) -> None:
    """Ask the proxy at the other end of ``stream`` for a tunnel to ``host:port``.

    A refusal is a ``ProxyError`` naming its status only (``_proxy.refused``).
    """
    target, headers = connect_request(host, port, proxy)
    exchange = _Connection((b"http", host, port), stream)
    request = h11.Request(method=b"CONNECT", target=target, headers=headers)
    await exchange.write((exchange.h11.send(request) or b""), None)
    while True:
        try:
            event = await exchange.next_event(None)
        except h11.RemoteProtocolError:
            malformed = True
        else:
            malformed = False
        if malformed:
            # h11's message quotes the bytes it could not read: the proxy's words. Raised
            # here, out of the except block, h11's exception is not this one's context.
            raise httpx.ProxyError(NOT_HTTP)
        if isinstance(event, h11.Response):
            break
        if not isinstance(event, h11.InformationalResponse):
            raise httpx.ProxyError(NOT_ANSWERED)
    if not 200 <= event.status_code < 300:
        raise refused(proxy, target, event.status_code)
    if exchange.h11.trailing_data[0]:
        raise httpx.ProxyError(EARLY_BYTES)


class _Connection:
    """One HTTP/1.1 connection: an anyio byte stream and h11's state for it.

    ``forward``: the proxy it goes to, whose requests name their target in full.
    """

    __slots__ = ("forward", "h11", "idle_since", "route", "socket", "stream", "tls")

    def __init__(
        self, route: Route, stream: anyio.abc.ByteStream, forward: Proxy | None = None
    ) -> None:
        self.route = route
        self.stream = stream
        self.forward = forward
        self.h11 = h11.Connection(h11.CLIENT, max_incomplete_event_size=_MAX_HEAD)
        self.socket: socket.socket = stream.extra(anyio.abc.SocketAttribute.raw_socket)
        self.tls = stream.extra(TLSAttribute.ssl_object, None) is not None
        self.idle_since = 0.0

    async def reuse(self) -> bool:
        """Whether this idle one has nothing to read: no close, no bytes nobody asked for.

        Over TLS the bytes may have left the socket already: records that came with
        the answer's last one wait in the TLS layer, where the socket cannot show them.
        """
        if readable(self.socket.fileno()):
            return False
        return not (self.tls and await _holds_bytes(self.stream))

    def rest(self) -> bool:
        """Ready the connection for its next request, if its answer ended where its bytes did."""
        connection = self.h11
        if connection.our_state is not h11.DONE or connection.their_state is not h11.DONE:
            return False  # unfinished, or either side said Connection: close
        trailing, closed = connection.trailing_data
        if trailing or closed:
            return False  # bytes past the answer's end: a desynchronised connection
        connection.start_next_cycle()
        return True

    async def close(self) -> None:
        with anyio.CancelScope(shield=True):
            await anyio.aclose_forcefully(self.stream)

    async def send(
        self, request: httpx.Request, write_timeout: float | None, read_timeout: float | None
    ) -> h11.Response:
        """Send the request; return the head of its answer.

        A server may answer before the body is all sent (413 for an upload too large)
        and close: the write fails, but its answer is the caller's to see, so it is read
        all the same; the write's error is raised only when there is no answer.
        """
        try:
            await self._send_request(request, write_timeout)
        except (anyio.BrokenResourceError, OSError) as exc:
            unsent: Exception | None = exc
        else:
            unsent = None
        try:
            while True:
                event = await self.next_event(read_timeout)
                if isinstance(event, h11.Response):
                    return event
                if not isinstance(event, h11.InformationalResponse):  # 1xx: more follows
                    raise httpx.RemoteProtocolError(
                        "Server disconnected without sending a response."
                    )
        except Exception:
            if unsent is None:
                raise
        # The write's error, raised out of the except block: the read's (h11's, quoting
        # the server's bytes, say) is not its context.
        raise unsent

    async def _send_request(self, request: httpx.Request, write_timeout: float | None) -> None:
        connection = self.h11
        url = request.url
        proxy = self.forward
        if proxy is None:
            target, headers = url.raw_path, request.headers.raw
        else:  # the absolute form; the proxy's credentials for the proxy alone
            target = absolute_target(url)
            headers = request.headers.raw
            if proxy.authorization is not None:
                headers = [*headers, (b"Proxy-Authorization", proxy.authorization)]
        head = connection.send(h11.Request(method=request.method, target=target, headers=headers))
        assert head is not None
        stream = request.stream
        if isinstance(stream, httpx.ByteStream):
            # A body in memory (JSON) goes with the head, in one write.
            body = request.content
            if body:
                head += connection.send(h11.Data(data=body)) or b""
            await self.write(head + (connection.send(h11.EndOfMessage()) or b""), write_timeout)
        else:
            await self.write(head, write_timeout)
            assert isinstance(stream, httpx.AsyncByteStream)
            async for chunk in stream:
                if chunk:
                    await self.write(connection.send(h11.Data(data=chunk)) or b"", write_timeout)
            await self.write(connection.send(h11.EndOfMessage()) or b"", write_timeout)

    async def write(self, data: bytes, within: float | None) -> None:
        if not data:
            return
        try:
            with anyio.fail_after(within):
                await self.stream.send(data)
        except TimeoutError as exc:
            raise httpx.WriteTimeout("Writing the request timed out.") from exc

    async def next_event(
        self, within: float | None
    ) -> h11.Event | type[h11.NEED_DATA] | type[h11.PAUSED]:
        """h11's next event, reading as much as it needs (within ``within`` a read)."""
        connection = self.h11
        while True:
            event = connection.next_event()
            if event is not h11.NEED_DATA:
                return event
            try:
                with anyio.fail_after(within):
                    data = await self.stream.receive(_READ_SIZE)
            except anyio.EndOfStream:
                data = b""
            except TimeoutError as exc:
                raise httpx.ReadTimeout("Reading the response timed out.") from exc
            connection.receive_data(data)


async def _holds_bytes(stream: anyio.abc.ByteStream) -> bool:
    """Whether ``stream`` holds bytes received already (in its TLS layer), or its end.

    A receive in a scope cancelled before it starts returns what needs no wait, and is
    cancelled at its first wait otherwise, having read nothing from the socket.
    """
    with anyio.CancelScope() as scope:
        scope.cancel()
        with contextlib.suppress(Exception):  # closed (a close_notify waiting) or broken
            await stream.receive()
        return True  # it gave bytes nobody asked for, or its end: not reusable
    return False  # cancelled at its first wait: it held nothing


class _Body(httpx.AsyncByteStream):
    """An answer's body as httpx reads it; closed, its connection is kept or closed."""

    __slots__ = ("_connection", "_done", "_pool", "_read_timeout", "_request")

    def __init__(
        self,
        pool: HTTP11Transport,
        connection: _Connection,
        request: httpx.Request,
        read_timeout: float | None,
    ) -> None:
        self._pool = pool
        self._connection: _Connection | None = connection
        self._request = request
        self._read_timeout = read_timeout
        self._done = False

    async def __aiter__(self) -> AsyncIterator[bytes]:
        connection = self._connection
        assert connection is not None, "read after close"
        try:
            while True:
                event = await connection.next_event(self._read_timeout)
                if isinstance(event, h11.Data):
                    yield bytes(event.data)
                elif isinstance(event, h11.EndOfMessage):
                    self._done = True
                    return
                else:
                    raise httpx.RemoteProtocolError("The answer's body ended unexpectedly.")
        except Exception as exc:
            failure = exc
        raise _ours(failure, self._request)

    async def aclose(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None and not self._pool._release(connection, self._done):
            await connection.close()


def _ours(exc: Exception, request: httpx.Request) -> Exception:
    """Our error for ``exc``: ``translated``, h11's protocol errors as httpx's first.

    Raise it outside the ``except`` block that caught ``exc``: raised inside, it would
    have ``exc`` as its ``__context__``, and h11's message quotes the line it refused,
    which may hold the key a server echoed. Out of the block, an error that quotes
    credentials chains to nothing, any other to its cause only.
    """
    return translated(_as_httpx(exc), request)


def _as_httpx(exc: Exception) -> Exception:
    """h11's protocol errors as httpx's, which ``translated`` knows; others unchanged."""
    if isinstance(exc, h11.LocalProtocolError):
        return httpx.LocalProtocolError(str(exc))
    if isinstance(exc, h11.RemoteProtocolError):
        error = httpx.RemoteProtocolError(str(exc))
        error.__cause__ = exc
        return error
    return exc
