"""``with_raw_response`` and ``with_streaming_response``: the HTTP answer, then the result.

Built once for every resource, as the official SDK names them::

    raw = await client.chat.completions.with_raw_response.create(model=..., messages=...)
    raw.headers["x-ratelimit-remaining-requests"]
    completion = raw.parse()                    # the ChatCompletion

    async with client.files.with_streaming_response.content("file-abc") as response:
        async for chunk in response.iter_bytes():   # the body as it arrives
            ...

A raw response has its body read (unless the call streams: ``stream=True``), so
``parse()`` is a plain method. A streaming response has not read its body yet:
``await response.parse()``, or read it in pieces; leaving the ``async with`` block
releases the connection however the block ends.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import AsyncIterator, Awaitable, Callable, Generator
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Final, Generic, TypeVar

import anyio
import httpx

from ._decode import decode_json

if TYPE_CHECKING:
    from ._client import AsyncClient
    from .resources._base import Resource

__all__ = [
    "APIResponse",
    "ClientResponseMethods",
    "RawResponseMethods",
    "StreamedAPIResponse",
    "StreamingResponseMethods",
]

R = TypeVar("R")


class _ResponseInfo:
    """What both kinds of response show of the HTTP answer."""

    __slots__ = ("_parsed", "_read", "http_response")

    def __init__(self, response: httpx.Response, read: Callable[[httpx.Response], Any]) -> None:
        self.http_response = response
        self._read = read
        self._parsed: Any = _UNSET

    @property
    def headers(self) -> httpx.Headers:
        return self.http_response.headers

    @property
    def status_code(self) -> int:
        return self.http_response.status_code

    @property
    def url(self) -> httpx.URL:
        return self.http_response.url

    @property
    def method(self) -> str:
        return self.http_response.request.method

    @property
    def request_id(self) -> str | None:
        """The ``x-request-id`` header, for support requests."""
        request_id: str | None = self.http_response.headers.get("x-request-id")
        return request_id

    @property
    def elapsed(self) -> Any:
        return self.http_response.elapsed

    @property
    def http_request(self) -> httpx.Request:
        """The request as it was last sent (the SDK's name)."""
        return self.http_response.request

    @property
    def http_version(self) -> str:
        return self.http_response.http_version

    @property
    def is_closed(self) -> bool:
        return self.http_response.is_closed

    def __repr__(self) -> str:
        response = self.http_response
        return f"<{type(self).__name__} [{response.status_code}] {self.method} {response.url}>"


_UNSET: Any = object()


class APIResponse(_ResponseInfo, Generic[R]):
    """What ``with_raw_response`` methods return: the HTTP answer, parsed on demand.

    ``parse()`` gives what the plain method would have returned (once, then the same
    object). The body is read already, except for a streamed call, whose ``parse()``
    gives the ``AsyncStream`` that reads it.
    """

    __slots__ = ()

    def parse(self) -> R:
        if self._parsed is _UNSET:
            self._parsed = self._read(self.http_response)
        result: R = self._parsed
        return result

    @property
    def content(self) -> bytes:
        return self.http_response.content

    @property
    def text(self) -> str:
        return self.http_response.text

    def json(self) -> Any:
        return _json(self.http_response)


class StreamedAPIResponse(_ResponseInfo, Generic[R]):
    """What ``with_streaming_response`` methods give in ``async with``: the body unread.

    ``await parse()`` reads what it needs and gives the plain method's result; or read
    the body yourself with ``iter_bytes()``, ``iter_text()``, ``iter_lines()``,
    ``read()``, ``text()`` or ``json()``, or write it to disk with ``stream_to_file()``.
    """

    __slots__ = ()

    async def parse(self) -> R:
        if self._parsed is _UNSET:
            streams = _is_stream_reader(self.http_response)
            if not streams:
                await self.read()
            try:
                self._parsed = self._read(self.http_response)
            except httpx.ResponseNotRead:
                # Events read whole, not as a stream (speech with stream_format="sse").
                await self.read()
                self._parsed = self._read(self.http_response)
        result: R = self._parsed
        return result

    async def read(self) -> bytes:
        """The whole body; past ``max_response_size``, ``ResponseTooLargeError``.

        ``iter_bytes()`` and ``stream_to_file()`` have no such cap: they hold one
        chunk at a time.
        """
        from ._bodies import coding_layers, read_whole
        from ._middleware import options_of
        from ._transport import close_response, translate_errors

        response = self.http_response
        with contextlib.suppress(httpx.ResponseNotRead):
            return response.content  # read already
        with translate_errors(response.request):
            try:
                self.http_response = await read_whole(
                    response,
                    options_of(response.request).max_response_size,
                    coding_layers(response),
                )
            finally:
                await close_response(response)
        return self.http_response.content

    async def text(self) -> str:
        await self.read()
        return self.http_response.text

    async def json(self) -> Any:
        await self.read()
        return _json(self.http_response)

    async def iter_bytes(self, chunk_size: int | None = None) -> AsyncIterator[bytes]:
        from ._transport import translate_errors
        from .types._file import check_chunk_size

        check_chunk_size(chunk_size)  # before anything is read
        with translate_errors(self.http_response.request):
            async for chunk in self.http_response.aiter_bytes(chunk_size):
                yield chunk

    async def iter_text(self, chunk_size: int | None = None) -> AsyncIterator[str]:
        from ._transport import translate_errors
        from .types._file import check_chunk_size

        check_chunk_size(chunk_size)  # before anything is read
        with translate_errors(self.http_response.request):
            async for chunk in self.http_response.aiter_text(chunk_size):
                yield chunk

    async def iter_lines(self) -> AsyncIterator[str]:
        from ._transport import translate_errors

        with translate_errors(self.http_response.request):
            async for line in self.http_response.aiter_lines():
                yield line

    async def stream_to_file(
        self, file: str | os.PathLike[str], *, chunk_size: int | None = None
    ) -> None:
        """Write the body to the file at ``file`` as it arrives (the SDK's name for it).

        Memory holds one chunk at a time, whatever the body's size. The bytes go to
        a temporary file beside ``file`` that replaces it only once the whole body has
        arrived, so a broken transfer never leaves a truncated file behind.
        """
        from ._streaming import finish_chunks
        from ._transport import translate_errors
        from .types._file import check_chunk_size

        check_chunk_size(chunk_size)  # before the file is opened
        target = Path(file)
        partial = target.with_name(f".{target.name}.{os.urandom(4).hex()}.part")
        request = self.http_response.request
        chunks = self.http_response.aiter_bytes(chunk_size)
        out = await anyio.open_file(partial, "wb")
        try:
            try:
                while True:
                    # Only the network side is translated: a full disk stays an OSError.
                    with translate_errors(request):
                        chunk = await anext(chunks, None)
                    if chunk is None:
                        break
                    await out.write(chunk)
            finally:
                # Shielded: a cancellation must not leave the file open.
                with anyio.CancelScope(shield=True):
                    await out.aclose()
            os.replace(partial, target)
        except BaseException:
            partial.unlink(missing_ok=True)
            # Closed first, so that httpx's nested generators end at once (trio reports
            # any left half-way), and the half-read connection leaves the pool.
            with anyio.CancelScope(shield=True):
                await self.http_response.aclose()
                await finish_chunks(chunks)
            raise

    async def close(self) -> None:
        with anyio.CancelScope(shield=True):
            await self.http_response.aclose()


def _is_stream_reader(response: httpx.Response) -> bool:
    # A streamed endpoint (``stream=True``) asked for events: its result reads them.
    content_type: str = response.headers.get("content-type", "")
    return content_type.startswith("text/event-stream")


def _json(response: httpx.Response) -> Any:
    return decode_json(response)  # deep nesting and bad UTF-8 are typed errors there


class _StreamingCall(Generic[R]):
    """``async with`` a streaming call: sends on entry, releases the connection on exit."""

    __slots__ = ("_call", "_response")

    def __init__(self, call: Awaitable[StreamedAPIResponse[R]]) -> None:
        self._call = call
        self._response: StreamedAPIResponse[R] | None = None

    async def __aenter__(self) -> StreamedAPIResponse[R]:
        self._response = await self._call
        return self._response

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._response is not None:
            await self._response.close()

    def __await__(self) -> Generator[Any, None, StreamedAPIResponse[R]]:
        # Awaiting without ``async with`` leaves closing to the caller (``close()``).
        return self._call.__await__()


class RawResponseMethods:
    """``resource.with_raw_response``: each method answers with an ``APIResponse``."""

    __slots__ = ("_resource",)

    def __init__(self, resource: Resource) -> None:
        from ._client import RAW

        self._resource = type(resource)(resource._client._answering(RAW))

    def __getattr__(self, name: str) -> Any:
        # A method, or a nested namespace (``client.chat.with_raw_response.completions``),
        # already bound to the client that answers raw.
        from .resources._base import Resource

        method = _endpoint(self._resource, name, "with_raw_response")
        if isinstance(method, Resource):
            return RawResponseMethods(method)  # whose helpers are refused as here
        return method

    def __repr__(self) -> str:
        return f"<with_raw_response of {self._resource!r}>"


class StreamingResponseMethods:
    """``resource.with_streaming_response``: each method is used with ``async with``."""

    __slots__ = ("_resource",)

    def __init__(self, resource: Resource) -> None:
        from ._client import STREAMING

        self._resource = type(resource)(resource._client._answering(STREAMING))

    def __getattr__(self, name: str) -> Any:
        from .resources._base import Resource

        method = _endpoint(self._resource, name, "with_streaming_response")
        if isinstance(method, Resource):
            return StreamingResponseMethods(method)

        def call(*args: Any, **kwargs: Any) -> _StreamingCall[Any]:
            return _StreamingCall(method(*args, **kwargs))

        return call

    def __repr__(self) -> str:
        return f"<with_streaming_response of {self._resource!r}>"


class ClientResponseMethods:
    """``client.with_raw_response`` / ``client.with_streaming_response``, as the SDK has them.

    ``client.with_raw_response.chat.completions.create(...)`` is
    ``client.chat.with_raw_response.completions.create(...)``: each namespace of the
    client, through the resource's own ``with_raw_response`` (or
    ``with_streaming_response``).
    """

    __slots__ = ("_client", "_streaming")

    def __init__(self, client: AsyncClient, *, streaming: bool) -> None:
        self._client = client
        self._streaming = streaming

    def __getattr__(self, name: str) -> Any:
        from .resources._base import Resource

        namespace = getattr(self._client, name, None) if not name.startswith("_") else None
        if not isinstance(namespace, Resource):
            raise AttributeError(f"the client has no namespace {name!r} of endpoint methods")
        if self._streaming:
            return namespace.with_streaming_response
        return namespace.with_raw_response

    def __repr__(self) -> str:
        kind = "with_streaming_response" if self._streaming else "with_raw_response"
        return f"<{kind} of {self._client!r}>"


# The helpers that manage a stream of their own: the SDK has them on the namespace only.
# Through these wrappers they would send and leave the connection to nobody.
_HELPERS: Final = frozenset({"stream"})


def _endpoint(resource: Resource, name: str, kind: str) -> Any:
    from .resources._base import Resource

    owner = type(resource).__name__
    if name in _HELPERS and hasattr(resource, name):
        raise AttributeError(
            f"{owner}.{kind} has no {name}() (nor has the SDK's): call {name}() on the "
            f"namespace itself, whose stream.response is the HTTP response, or "
            f"{kind}.create(..., stream=True)"
        )
    method = getattr(resource, name, None) if not name.startswith("_") else None
    if not callable(method) and not isinstance(method, Resource):
        raise AttributeError(f"{owner} has no endpoint method {name!r}")
    return method
