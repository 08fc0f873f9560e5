"""An httpx transport on aiohttp's connection pool, made by ``aiohttp_transport()``.

The client's own pool on asyncio is ``_asyncio_http``'s, proxies or not; this one is
used only when asked for, and needs the ``aiohttp`` extra (aiohttp is no dependency of
the package). Like that pool, and unlike httpcore's, aiohttp's keeps the cost per
request flat as connections grow. It is owned
here end to end: httpx builds the request and decodes the body (content-encoding),
aiohttp moves the bytes, and aiohttp's exceptions become ours in this module, where
the response and its body stream are made (``_errors()``, most specific first).

aiohttp is imported when this transport sends its first request, not with the package
nor with a client that does not use it, so ``import openai_async`` stays light. It runs on
asyncio only; ``_transport.Pool`` gives trio the HTTP/1.1 pool of ``_http11`` instead.
"""

from __future__ import annotations

import functools
import ssl
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

import httpx

from ._config import DEFAULT_LIMITS
from ._exceptions import (
    APIConnectionError,
    APITimeoutError,
    InvalidParameterError,
    quotes_credentials,
)

if TYPE_CHECKING:
    import aiohttp

__all__ = ["AiohttpTransport", "aiohttp_transport"]


_MAX_HEAD = 100 * 1024
# Kept-alive connections found desynchronised in a row before a request gives up.
_MAX_UNSENT = 8


def aiohttp_transport(
    *,
    limits: httpx.Limits = DEFAULT_LIMITS,
    verify: ssl.SSLContext | bool | str = True,
) -> httpx.AsyncBaseTransport:
    """An httpx transport that sends on aiohttp's connection pool (asyncio only).

    Pass it as ``AsyncClient(transport=aiohttp_transport(...))``; ``limits``
    (``max_connections`` and ``keepalive_expiry``; aiohttp has no separate keep-alive
    count) and ``verify`` (httpx's TLS setting: a bool, a CA bundle path or an
    ``ssl.SSLContext``). It sends every request directly, whatever proxies the
    environment names (the client's own pool sends through them). Under trio it raises
    ``InvalidParameterError`` at the first request, before anything is sent.

    Needs aiohttp, the ``aiohttp`` extra (``pip install "openai-anyio[aiohttp]"``):
    without it this raises ``ModuleNotFoundError`` saying so.

    aiohttp's own resending of an idempotent request on a connection closed under
    it is turned off: the client's retry policy decides, as on any transport.
    """
    import importlib.util

    if importlib.util.find_spec("aiohttp") is None:  # found, not imported: that waits
        raise ModuleNotFoundError(
            "aiohttp's transport (aiohttp_transport(), DefaultAioHttpClient) needs "
            'aiohttp, an optional extra: pip install "openai-anyio[aiohttp]"',
            name="aiohttp",
        )
    return AiohttpTransport(limits=limits, verify=verify)


class AiohttpTransport(httpx.AsyncBaseTransport):
    """Send httpx requests on one ``aiohttp.ClientSession``, made at the first request.

    Directly: not through aiohttp's ``trust_env``, which also reads ``~/.netrc`` (and
    would add its Basic auth to requests that carry ours).
    """

    def __init__(
        self,
        *,
        limits: httpx.Limits = DEFAULT_LIMITS,
        verify: ssl.SSLContext | bool | str = True,
    ) -> None:
        self._limits = limits
        self._verify = verify
        self._session: aiohttp.ClientSession | None = None
        self._url: Any = None  # yarl.URL, imported with aiohttp
        self._ssl: Any = None  # made at the first https request: loading CAs is slow
        self._closed = False

    def __repr__(self) -> str:
        return "<aiohttp transport>"

    def _open(self) -> aiohttp.ClientSession:
        # Imported here: aiohttp (and asyncio) add ~60 ms to ``import openai_async``.
        import asyncio

        try:
            asyncio.get_running_loop()
        except RuntimeError:
            raise InvalidParameterError(
                "transport",
                "the aiohttp transport runs on asyncio only (is this trio?); "
                "use the default transport there",
            ) from None
        import aiohttp

        if self._closed:
            raise RuntimeError("Cannot send a request, as the transport has been closed.")
        connector = aiohttp.TCPConnector(
            limit=self._limits.max_connections or 0,
            limit_per_host=0,
            keepalive_timeout=self._limits.keepalive_expiry,
        )
        # Our requests come with their headers complete (httpx's and ours): aiohttp must
        # add none, and httpx decodes the body, so aiohttp must not.
        # Response heads are read within httpcore's bounds (100 KiB), not aiohttp's
        # smaller defaults (8 KiB a header), so that both transports take the same answers.
        session = aiohttp.ClientSession(
            connector=connector,
            request_class=_request_class(),
            auto_decompress=False,
            skip_auto_headers=("User-Agent", "Accept", "Accept-Encoding"),
            trust_env=False,
            max_line_size=_MAX_HEAD,
            max_field_size=_MAX_HEAD,
            max_headers=1024,
        )
        # aiohttp resends an idempotent request once, unseen, when a kept-alive
        # connection closes under it. The client's retry middleware owns retries (it
        # counts them, logs them, keeps to the deadline); aiohttp has no public switch,
        # so its own attribute is turned off (tests/test_retry.py fails if it goes).
        session._retry_connection = False
        self._session = session
        from yarl import URL  # aiohttp's own URL type

        self._url = URL
        return session

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        session = self._session or self._open()
        # A body in memory (JSON) goes as bytes; any other stream (a multipart upload
        # from disk) is sent as it is read.
        stream = request.stream
        upload = None if isinstance(stream, httpx.ByteStream) else _Upload(stream)
        timeout = request.extensions.get("timeout")
        ssl = True
        if request.url.scheme == "https":
            if self._ssl is None:
                self._ssl = _ssl_context(self._verify)
            ssl = self._ssl
        failure: Exception | None = None  # raised out of the except block: see _translated
        try:
            for _ in range(_MAX_UNSENT):
                try:
                    response = await session.request(
                        request.method,
                        # As httpx encoded it: yarl would otherwise decode what it may.
                        self._url(str(request.url), encoded=True),
                        headers=_header_items(request.headers),
                        data=request.content or None if upload is None else upload,
                        allow_redirects=False,
                        timeout=_client_timeout(**timeout) if timeout else None,
                        ssl=ssl,
                    )
                    break
                except _Desynchronised:
                    continue  # nothing was sent; aiohttp closed that connection
            else:
                raise _Desynchronised
        except Exception as exc:
            if upload is not None and upload.error is not None:
                # The body's own error (a file that shrank while sent), which aiohttp
                # wraps in a connection error: it is the caller's to see.
                raise upload.error from None
            failure = exc
        if failure is not None:
            raise _translated(failure, request)
        return httpx.Response(
            response.status,
            headers=response.raw_headers,
            stream=_Body(response, request),
            extensions={"http_version": b"HTTP/1.1"}
            if response.reason is None
            else {"http_version": b"HTTP/1.1", "reason_phrase": response.reason.encode()},
        )

    async def aclose(self) -> None:
        self._closed = True
        if self._session is not None:
            await self._session.close()


class _Body(httpx.AsyncByteStream):
    """An aiohttp response body as httpx reads it; closing an unfinished one drops it.

    Iterated, it is its own iterator: one ``readany`` a chunk, no async generator.
    """

    __slots__ = ("_content", "_request", "_response")

    def __init__(self, response: aiohttp.ClientResponse, request: httpx.Request) -> None:
        self._response = response
        self._content = response.content
        self._request = request

    def __aiter__(self) -> _Body:
        return self

    async def __anext__(self) -> bytes:
        failure: Exception | None = None  # raised out of the except block: see _translated
        try:
            chunk = await self._content.readany()
        except Exception as exc:
            failure = exc
        if failure is not None:
            raise _translated(failure, self._request)
        if not chunk:
            raise StopAsyncIteration
        return chunk

    async def aclose(self) -> None:
        # Back to the pool when the body was read to its end; otherwise closed.
        self._response.release()


class _Upload:
    """An httpx request stream as the async iterable of bytes aiohttp sends."""

    __slots__ = ("_stream", "error")

    def __init__(self, stream: object) -> None:
        self._stream = stream
        self.error: Exception | None = None

    async def __aiter__(self) -> AsyncIterator[bytes]:
        assert isinstance(self._stream, httpx.AsyncByteStream)
        try:
            async for chunk in self._stream:
                yield chunk
        except Exception as exc:
            self.error = exc
            raise


class _Desynchronised(Exception):
    """A kept-alive connection had bytes waiting before the request was written."""

    def __str__(self) -> str:
        return "the server sent bytes on idle kept-alive connections"


@functools.cache
def _request_class() -> type[aiohttp.ClientRequest]:
    import aiohttp

    class CheckedRequest(aiohttp.ClientRequest):
        """Refuses a connection that received bytes while idle in the pool.

        Such bytes overran the previous answer: aiohttp parses them as an answer and
        would hand them to this request (aio-libs/aiohttp#13656, so in 3.14.5). The
        protocol's ``should_close`` is true once they arrived, and it is read here,
        before anything is written: the transport sends the request again, on another
        connection, and aiohttp closes this one.
        """

        async def send(self, conn: aiohttp.connector.Connection) -> aiohttp.ClientResponse:
            protocol = conn.protocol
            if protocol is not None and protocol.should_close:
                raise _Desynchronised
            return await super().send(conn)

    return CheckedRequest


def _header_items(headers: httpx.Headers) -> list[tuple[str, str]]:
    try:  # nearly always ASCII: skips httpx's encoding guess for every item
        return [(name.decode("ascii"), value.decode("ascii")) for name, value in headers.raw]
    except UnicodeDecodeError:
        return headers.multi_items()


@functools.lru_cache(maxsize=64)
def _client_timeout(
    connect: float | None, read: float | None, write: float | None, pool: float | None
) -> aiohttp.ClientTimeout:
    import aiohttp

    # httpx's pool timeout is the wait for a free connection; aiohttp's ``connect``
    # covers that wait and the connecting, so it gets both.
    whole_connect = None if pool is None or connect is None else pool + connect
    # aiohttp has no write timeout: a stalled upload ends at the read timeout.
    return aiohttp.ClientTimeout(
        total=None, connect=whole_connect, sock_connect=connect, sock_read=read
    )


def _ssl_context(verify: ssl.SSLContext | bool | str) -> Any:
    # httpx's own (certifi's CA bundle unless told otherwise), so that both transports
    # trust the same servers.
    return httpx.create_ssl_context(verify=verify) if verify is not False else False


def _translated(exc: Exception, request: httpx.Request) -> Exception:
    """Our error for an aiohttp (or OS) exception, caused by it; others unchanged.

    Raise it outside the ``except`` block that caught ``exc``: raised inside, it would
    have ``exc`` as its ``__context__``, suppressed or not, and aiohttp's exceptions can
    quote the server's words or (in their repr) the request's headers. Out of the
    block, a withheld error chains to nothing.
    """
    for kind, make in _errors():
        if isinstance(exc, kind):
            error: Exception = make(exc, request)
            if quotes_credentials(exc, request):
                # A server's words that echo the key: the message is redacted (APIError),
                # and the exceptions that quote them are not chained.
                error.__cause__ = None
                error.__suppress_context__ = True
            elif error.__cause__ is None and not error.__suppress_context__:
                error.__cause__ = exc
            return error
    return exc


def _timeout(exc: BaseException, request: httpx.Request) -> APITimeoutError:
    return APITimeoutError(f"Request timed out ({type(exc).__name__}).", request=request)


def _connection(exc: BaseException, request: httpx.Request) -> APIConnectionError:
    return APIConnectionError(
        f"Connection error: {str(exc) or type(exc).__name__}", request=request
    )


def _bad_response(exc: BaseException, request: httpx.Request) -> APIConnectionError:
    # aiohttp's error carries the request's headers (``request_info``), so its repr
    # shows the key: the cause is what it wraps instead.
    error = _connection(exc, request)
    error.__cause__ = exc.__cause__
    error.__suppress_context__ = True
    return error


def _invalid_url(exc: BaseException, request: httpx.Request) -> APIConnectionError:
    # aiohttp's message is the URL it could not parse, credentials and all: it is
    # withheld, as is the cause that quotes it.
    del exc
    return _withheld(
        "Connection error: the URL is not valid "
        "(aiohttp.InvalidURL; its text is withheld: it can hold credentials)",
        request,
    )


def _invalid_request(exc: BaseException, request: httpx.Request) -> APIConnectionError:
    # aiohttp refused to write the request (a header value with a line break, say); its
    # message may quote the value, which may be a key, so it is withheld.
    del exc
    return _withheld(
        "Connection error: the request is not valid HTTP and was not sent "
        "(its text is withheld: it can quote header values)",
        request,
    )


def _withheld(message: str, request: httpx.Request) -> APIConnectionError:
    """Our error with ``message`` alone, aiohttp's exception (whose text it replaces) unchained.

    ``_translated`` chains no cause to an error that suppresses its context.
    """
    error = APIConnectionError(message, request=request)
    error.__suppress_context__ = True
    return error


@functools.cache
def _errors() -> tuple[tuple[type[BaseException] | tuple[type[BaseException], ...], Any], ...]:
    import aiohttp

    return (
        (TimeoutError, _timeout),  # aiohttp's timeouts are TimeoutErrors too
        ((aiohttp.ClientConnectionError, aiohttp.ClientPayloadError), _connection),
        (_Desynchronised, _connection),
        # A malformed status line or header from the server.
        (aiohttp.ClientResponseError, _bad_response),
        (aiohttp.InvalidURL, _invalid_url),
        (aiohttp.ClientError, _connection),
        (OSError, _connection),
        (ValueError, _invalid_request),
    )
