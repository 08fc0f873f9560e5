"""The innermost step of the request path: the pool, and sending on it.

``Pool`` is the transport a client builds for itself: our own HTTP/1.1 pools,
``_asyncio_http``'s on asyncio and ``_http11``'s on trio, chosen by the event loop;
``Shards`` of httpcore's pools (trio's default before) stay available.
``HTTPXSend`` sends through ``httpx.AsyncClient.send``, httpx's public path, whichever
transport is underneath.

Errors are translated where the response and its body stream are made: the aiohttp
and HTTP/1.1 transports and ``Shards`` raise our errors themselves; for any other
transport ``HTTPXSend`` turns httpx, anyio and OS exceptions into ``APIConnectionError`` /
``APITimeoutError``, both those of sending and those of reading the body later (it
wraps the response's stream). Every layer above sees only our tree.
"""

from __future__ import annotations

import select
import ssl
import sys
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager, suppress
from typing import Any, Final

import anyio
import httpx

from ._bodies import Pieces, check_codings, coding_layers, read_error, read_whole
from ._config import DEFAULT_LIMITS, Proxies
from ._exceptions import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    ClientStateError,
    caused_by,
)
from ._middleware import options_of

__all__ = [
    "HTTPXSend",
    "OwnHTTPClient",
    "Pool",
    "Shards",
    "close_response",
    "translate_errors",
    "translated",
]

_CONNECTION_ERRORS: Final = (
    httpx.TransportError,
    httpx.DecodingError,
    anyio.BrokenResourceError,
    anyio.ClosedResourceError,
    anyio.EndOfStream,
    OSError,
)


def translated(exc: Exception, request: httpx.Request) -> Exception:
    """Our error for an httpx, anyio or OS exception, caused by it; others unchanged.

    The result carries its cause already. Raise it after the ``except`` block that
    caught ``exc``, not inside it: raised inside, ``exc`` stays reachable as its
    ``__context__``, also where the cause is left out because it quotes the request's
    credentials (a parser's message quoting a line a server echoed the key into).
    """
    error: APIConnectionError
    if isinstance(exc, APIError):
        return exc
    if isinstance(exc, httpx.TimeoutException | TimeoutError):
        error = APITimeoutError(f"Request timed out ({type(exc).__name__}).", request=request)
    elif isinstance(exc, httpx.LocalProtocolError):
        # h11 refused to write the request (a header value with a line break, say); its
        # message quotes the value, which may be a key, so neither it nor the cause
        # goes on.
        error = APIConnectionError(
            "Connection error: the request is not valid HTTP and was not sent "
            "(httpx.LocalProtocolError; its text is withheld: it can quote header values)",
            request=request,
        )
        error.__suppress_context__ = True
        return error
    elif isinstance(exc, _CONNECTION_ERRORS):
        error = APIConnectionError(
            f"Connection error: {str(exc) or type(exc).__name__}", request=request
        )
    else:
        return exc
    # A server's bytes quoted in the error (h11's text for a malformed answer) may hold
    # the key it echoed: the message is redacted (APIError), and such a cause left out.
    return caused_by(error, exc)


def readable(fd: int) -> bool:
    """Whether reading socket ``fd`` would not block: it holds bytes, or the peer closed it.

    The pools ask before reusing an idle connection: bytes nobody asked for, or a close,
    may be waiting there unseen while the event loop was busy.
    """
    try:
        if fd < 0:
            return True
        if hasattr(select, "poll"):
            poller = select.poll()
            poller.register(fd, select.POLLIN)
            return bool(poller.poll(0))
        return bool(select.select([fd], [], [], 0)[0])  # Windows: no poll
    except (OSError, ValueError):
        return True


@contextmanager
def translate_errors(request: httpx.Request) -> Iterator[None]:
    """``translated`` for the exceptions raised inside the block.

    For code that reads a response's body through httpx: read errors come translated
    from the stream already, but httpx's content decoding fails above the stream.
    """
    try:
        yield
    except Exception as exc:
        error = translated(exc, request)
        if error is exc:
            raise
        raise error  # noqa: B904  (it carries its cause)


class Pool(httpx.AsyncBaseTransport):
    """The client's own pool: an HTTP/1.1 pool owned here, on asyncio and on trio.

    ``_asyncio_http``'s on asyncio, ``_http11``'s on trio. Not httpcore's: it reuses a
    connection whose answer overran its end, and reads the extra bytes as the next
    answer (issue 14). Nor aiohttp's (``_aiohttp``, an optional extra), which costs about
    twice as much per request.

    Chosen at the first request, by the event loop it runs in; a pool serves one
    event loop for its life, as both libraries' pools do. Used from another event loop
    (a second ``asyncio.run`` with a client made in the first) it raises
    ``ClientStateError``: its connections belong to a loop that has ended, where they
    can be neither reused nor closed. This is the one place that check is made, for
    every pool a client makes for itself.

    ``proxies`` (from the environment): each pool sends through a proxy itself, with
    the same guards as without one: on asyncio through an ``http://`` or ``https://``
    proxy, on trio through an ``http://`` one. Requests the environment sends through a
    proxy a pool cannot speak to (SOCKS; on trio an ``https://`` proxy URL) go through
    httpcore's pool for that proxy (``_ProxyRoutes``), the others through the pool above.

    ``ssl_context`` for https, on whichever pool is chosen: httpx's default (certifi's CA
    bundle, loaded at the first https request) unless given.
    """

    def __init__(
        self,
        limits: httpx.Limits = DEFAULT_LIMITS,
        *,
        proxies: Proxies | None = None,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        self._limits = limits
        self._proxies = proxies
        self._ssl_context = ssl_context
        self._inner: httpx.AsyncBaseTransport | None = None
        self._loop: object = None  # the event loop (or trio run) the pool was made in
        self._closed = False
        if _on_asyncio() or _on_trio():
            # Made inside an event loop (the usual way): choose now, so that the first
            # request does not also pay for importing the pool's module.
            self._choose()

    def __repr__(self) -> str:
        return f"<Pool {self._inner!r}>"

    @property
    def inner(self) -> httpx.AsyncBaseTransport | None:
        """The transport chosen at the first request (None before it)."""
        return self._inner

    def _choose(self) -> httpx.AsyncBaseTransport:
        if self._closed:
            raise ClientStateError("The client is closed: make a new one to send requests.")
        inner: httpx.AsyncBaseTransport
        self._loop = _current_loop()
        proxies = self._proxies
        context = self._ssl_context
        if _on_asyncio():
            # The HTTP/1.1 pool on a bare asyncio Protocol: half of aiohttp's cost per
            # request and per streamed read (benchmarks/README.md, issue 13).
            from ._asyncio_http import AsyncioTransport

            inner = AsyncioTransport(self._limits, ssl_context=context, proxies=proxies)
            spoken: tuple[str, ...] = ("http://", "https://")
        else:
            from ._http11 import HTTP11Transport

            inner = HTTP11Transport(self._limits, ssl_context=context, proxies=proxies)
            spoken = ("http://",)  # not https:// proxy URLs (TLS to the proxy)
        if proxies is not None and not all(url.lower().startswith(spoken) for url in proxies.urls):
            inner = _ProxyRoutes(inner, proxies, self._limits, spoken, context)
        self._inner = inner
        return inner

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        inner = self._inner or self._choose()
        if _current_loop() is not self._loop:
            raise ClientStateError(
                "This client's connection pool belongs to another event loop (one that "
                "has ended, as after a second asyncio.run). Make the client inside the "
                "loop that uses it: in your async main, or a FastAPI lifespan."
            )
        return await inner.handle_async_request(request)

    async def aclose(self) -> None:
        self._closed = True
        if self._inner is not None:
            await self._inner.aclose()


class _ProxyRoutes(httpx.AsyncBaseTransport):
    """Requests the environment sends through a proxy ``direct`` cannot speak to go on
    httpcore's pool for that proxy.

    The others go on ``direct``, which sends through the proxies whose URLs start with
    one of ``spoken`` itself. Only for proxies the client's own pools cannot speak to:
    SOCKS, and on trio ``https://`` proxy URLs (``Pool``). httpcore's pool, made per
    proxy URL at its first request, reuses a connection whose answer overran its end
    (``tests/test_desync.py``): the guard the client's own pools have does not hold for
    these requests.
    """

    def __init__(
        self,
        direct: httpx.AsyncBaseTransport,
        proxies: Proxies,
        limits: httpx.Limits,
        spoken: tuple[str, ...] = (),
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        self._direct = direct
        self._proxies = proxies
        self._limits = limits
        self._spoken = spoken
        self._verify: ssl.SSLContext | bool = ssl_context or True
        self._via: dict[str, httpx.AsyncHTTPTransport] = {}

    def __repr__(self) -> str:
        return f"<{self._direct!r}, {self._proxies!r}>"

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        proxy = self._proxies.for_url(request.url)
        if proxy is None or proxy.lower().startswith(self._spoken):
            return await self._direct.handle_async_request(request)
        pool = self._via.get(proxy)
        if pool is None:
            pool = httpx.AsyncHTTPTransport(proxy=proxy, limits=self._limits, verify=self._verify)
            self._via[proxy] = pool
        failure: Exception | None = None
        try:
            response = await pool.handle_async_request(request)
        except Exception as exc:
            failure = translated(exc, request)
        if failure is not None:
            raise failure  # after the except block: see translated()
        response.stream = _Translated(response.stream, request)
        return response

    async def aclose(self) -> None:
        try:
            for pool in self._via.values():
                await pool.aclose()
        finally:
            await self._direct.aclose()


class OwnHTTPClient(httpx.AsyncClient):
    """The httpx client a client makes for itself, whose jar reads only cookie-setting answers.

    httpx hands every answer to its cookie jar, which first dresses request and answer
    as urllib objects, even when the answer sets no cookie, as most servers' answers do
    (vLLM, llama.cpp, Ollama; api.openai.com's Cloudflare sets some): about 15 % of the
    instructions of a whole chat request on aiohttp's pool (``benchmarks/instructions.py``).
    This client's jar skips those answers; one with a ``Set-Cookie`` header is read as
    httpx reads it, and its cookies go back on later requests.
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._jar = _SetCookieJar(kwargs.get("cookies"))

    @property
    def cookies(self) -> httpx.Cookies:
        return self._jar

    @cookies.setter
    def cookies(self, cookies: Any) -> None:  # httpx.Cookies takes what httpx does
        self._jar = _SetCookieJar(cookies)


class _SetCookieJar(httpx.Cookies):
    """httpx's cookie jar, which reads an answer only when it sets a cookie."""

    def extract_cookies(self, response: httpx.Response) -> None:
        if "set-cookie" in response.headers:
            super().extract_cookies(response)


class Shards(httpx.AsyncBaseTransport):
    """httpcore pools side by side, each request sent on the one with the fewest in flight.

    httpcore's pool walks all its connections and queued requests on every request
    event, so its cost per request grows with the number in flight; ``count`` pools
    of a ``count``-th of the limits each walk a ``count``-th of them. A client that
    sends one request at a time uses the first pool only, so it keeps reusing one
    connection. ``limits`` are shared out: ``max_connections`` and
    ``max_keepalive_connections`` are split between the pools.
    """

    def __init__(self, limits: httpx.Limits = DEFAULT_LIMITS, count: int = 8) -> None:
        def share(total: int | None) -> int | None:
            return None if total is None else max(1, total // count)

        self._shard_limits = httpx.Limits(
            max_connections=share(limits.max_connections),
            max_keepalive_connections=share(limits.max_keepalive_connections),
            keepalive_expiry=limits.keepalive_expiry,
        )
        # Loaded once, now, as httpx's transport does when it is made: the CA bundle
        # takes tens of ms to load, which the first request should not wait for.
        self._ssl_context = httpx.create_ssl_context()
        # Made when first needed: a client that sends one request at a time needs one.
        self._pools: list[httpx.AsyncHTTPTransport | None] = [None] * count
        self._in_flight = [0] * count

    @property
    def pools(self) -> list[httpx.AsyncHTTPTransport]:
        """The pools made so far."""
        return [pool for pool in self._pools if pool is not None]

    def _pool(self, index: int) -> httpx.AsyncHTTPTransport:
        pool = self._pools[index]
        if pool is None:
            pool = httpx.AsyncHTTPTransport(limits=self._shard_limits, verify=self._ssl_context)
            self._pools[index] = pool
        return pool

    def __repr__(self) -> str:
        return f"<Shards of {len(self._pools)} httpcore pools>"

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        in_flight = self._in_flight
        index = in_flight.index(min(in_flight))
        in_flight[index] += 1
        failure: Exception | None = None
        try:
            response = await self._pool(index).handle_async_request(request)
        except BaseException as exc:
            in_flight[index] -= 1
            if not isinstance(exc, Exception):
                raise
            failure = translated(exc, request)
        if failure is not None:
            raise failure  # after the except block: see translated()
        response.stream = _Counted(response.stream, in_flight, index, request)
        return response

    async def aclose(self) -> None:
        for pool in self.pools:
            await pool.aclose()


def _current_loop() -> object:
    """The running asyncio loop or trio run (its token), to tell event loops apart."""
    asyncio = sys.modules.get("asyncio")
    if asyncio is not None:
        try:
            return asyncio.get_running_loop()
        except RuntimeError:
            pass
    trio = sys.modules.get("trio")
    if trio is not None:
        try:
            return trio.lowlevel.current_trio_token()
        except RuntimeError:
            pass
    return None


def _on_trio() -> bool:
    trio = sys.modules.get("trio")  # never imported here
    if trio is None:
        return False
    try:
        trio.lowlevel.current_trio_token()
    except RuntimeError:
        return False
    return True


def _on_asyncio() -> bool:
    asyncio = sys.modules.get("asyncio")  # never imported here: trio needs none of it
    if asyncio is None:
        return False
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


class HTTPXSend:
    """Send a request and, unless the caller streams a 2xx answer, read its body.

    Reading the body here, inside the middleware chain, means a connection that
    breaks halfway through a non-streamed body is seen by the retry middleware like
    any other connection error. The bodies of answers that are not 2xx are always
    read (the error needs them), up to ``max_error_size``; a reply read whole holds
    at most ``max_response_size`` (``_bodies``). What is read may come back as a
    new, read response.

    ``own_pool``: the client's ``Pool`` is underneath, whose transports raise our errors
    from their bodies already; any other transport's body stream is wrapped to.
    """

    __slots__ = ("_http", "_own_pool")

    def __init__(self, http: httpx.AsyncClient, *, own_pool: bool = False) -> None:
        self._http = http
        self._own_pool = own_pool

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        failure: Exception | None = None
        try:
            response = await self._http.send(request, stream=True)
        except Exception as exc:
            failure = translated(exc, request)
        if failure is not None:
            raise failure  # after the except block: see translated()
        if not self._own_pool:
            response.stream = _Translated(response.stream, request)
        # Compressed bodies reach httpx's decoder in pieces, streamed or not.
        layers = coding_layers(response)
        Pieces.wrap(response, layers)
        options = options_of(request)
        if options.stream and response.is_success:
            try:
                check_codings(response, layers, options.max_response_size, "max_response_size")
            except BaseException:
                await close_response(response)
                raise
            return response
        try:
            if not response.is_success:
                read = await read_error(response, options.max_error_size, layers)
            else:
                read = await read_whole(response, options.max_response_size, layers)
        except Exception as exc:  # httpx's content decoding fails above the stream
            failure = translated(exc, request)
        finally:
            await close_response(response)
        if failure is not None:
            raise failure  # after the except block: see translated()
        with suppress(RuntimeError):  # httpx sets it on closing; a body cut short had not
            read.elapsed = response.elapsed
        return read


async def close_response(response: httpx.Response) -> None:
    """Close ``response``, shielded from a cancellation around it, unless it is closed."""
    # Shielded: after a cancelled read this close runs inside the cancelled scope.
    # httpcore has released the connection by then, and aiohttp's close releases it
    # before its first await; but a transport given to the constructor may await
    # first, and a close cut short there leaves its connection checked out for good
    # (tests/test_aiohttp_transport.py). A body read to its end is closed already: no
    # scope to pay for.
    if not response.is_closed:
        with anyio.CancelScope(shield=True):
            await response.aclose()


class _Translated(httpx.AsyncByteStream):
    """A response body whose read errors are ours."""

    __slots__ = ("_request", "_stream")

    def __init__(self, stream: object, request: httpx.Request) -> None:
        assert isinstance(stream, httpx.AsyncByteStream)
        self._stream = stream
        self._request = request

    async def __aiter__(self) -> AsyncIterator[bytes]:
        failure: Exception | None = None
        try:
            async for chunk in self._stream:
                yield chunk
        except Exception as exc:
            failure = translated(exc, self._request)
        if failure is not None:
            raise failure  # after the except block: see translated()

    async def aclose(self) -> None:
        await self._stream.aclose()


class _Counted(_Translated):
    """A response body whose read errors are ours; closed, it counts its request out."""

    __slots__ = ("_in_flight", "_index")

    def __init__(
        self, stream: object, in_flight: list[int], index: int, request: httpx.Request
    ) -> None:
        super().__init__(stream, request)
        self._in_flight: list[int] | None = in_flight
        self._index = index

    async def aclose(self) -> None:
        in_flight, self._in_flight = self._in_flight, None
        if in_flight is not None:  # once, however often it is closed
            in_flight[self._index] -= 1
            await super().aclose()
