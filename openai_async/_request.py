"""The request description: what an endpoint method asks the client to send.

Every endpoint method checks its arguments, then describes its request with an
``APIRequest`` (method, path, JSON body or form, query, how the answer is read, whether
it streams, and the caller's per-call options) and hands it to ``AsyncClient.call``,
the one method that sends. Packing, batch jobs and pagination use the same seam.

The per-call options are the official SDK's: ``extra_headers``, ``extra_query``,
``extra_body`` (merged into the JSON body or the form: vLLM's ``top_k`` or
``guided_json``) and ``timeout``. They are accepted by every endpoint method through
``RequestOptions`` and applied here, once, by ``AsyncClient.call``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final, Generic, TypedDict, TypeVar

import attrs
import httpx

from ._config import NotGiven, TimeoutTypes, check_headers
from ._exceptions import InvalidParameterError

if TYPE_CHECKING:
    from ._files import FilePart
    from ._streaming import AsyncStream, StreamEnd

__all__ = [
    "OPTION_NAMES",
    "APIRequest",
    "Endpoint",
    "RequestOptions",
    "StreamingEndpoint",
    "json_request",
    "pop_options",
    "sse_request",
]

R = TypeVar("R")
C = TypeVar("C")


class RequestOptions(TypedDict, total=False):
    """The per-call options every endpoint method takes, as the official SDK names them.

    ``extra_headers`` go over the client's headers; ``extra_query`` into the query
    string; ``extra_body`` is merged into the JSON body (or the form of a file upload),
    its keys winning; ``timeout`` replaces the client's timeout for this call
    (``None``: no timeout).
    """

    extra_headers: Mapping[str, str] | None
    extra_query: Mapping[str, object] | None
    extra_body: Mapping[str, object] | None
    timeout: TimeoutTypes | NotGiven


OPTION_NAMES: Final = frozenset(RequestOptions.__optional_keys__)
_NO_OPTIONS: Final = RequestOptions()  # never changed: shared by the calls given none


def pop_options(params: dict[str, Any]) -> RequestOptions:
    """Take the per-call options out of an endpoint's keyword arguments.

    What is left is the endpoint's own parameters, for its body.
    """
    options: dict[str, Any] = {}
    for name in OPTION_NAMES.intersection(params):
        options[name] = params.pop(name)
    _check_options(options)
    return options  # type: ignore[return-value]


def _check_options(options: Mapping[str, Any]) -> None:
    for name in ("extra_headers", "extra_query", "extra_body"):
        value = options.get(name)
        if value is not None and not isinstance(value, Mapping):
            raise InvalidParameterError(name, f"expected a mapping, got {type(value).__name__}")
    headers = options.get("extra_headers")
    if headers:
        check_headers(headers, "extra_headers")


@attrs.frozen(kw_only=True)
class APIRequest(Generic[R]):
    """One call of an endpoint, described: the client turns it into HTTP and sends it.

    ``read`` turns the answer into the result: a model, bytes, an ``AsyncStream``.
    With ``stream`` the body is left unread for ``read`` to consume as it goes. A JSON
    ``body``, or a multipart ``form`` with ``files``, or neither.
    """

    method: str
    path: str
    read: Callable[[httpx.Response], R] = attrs.field(repr=False)
    stream: bool = False
    body: Mapping[str, Any] | None = None
    form: Mapping[str, Any] | None = None
    files: Sequence[FilePart] = ()
    query: Mapping[str, Any] | None = None
    headers: Mapping[str, str] | None = None
    # The escape hatch's ``content``, ``files`` and ``data``, for httpx as they are.
    httpx_body: Mapping[str, Any] | None = None
    options: RequestOptions = attrs.field(default=_NO_OPTIONS, repr=False)
    # Per-request values for the middleware (e.g. a batch item's attempt counter).
    extensions: Mapping[str, object] = attrs.field(factory=dict, repr=False)


def json_request(
    method: str,
    path: str,
    cast_to: type[R],
    *,
    body: Mapping[str, Any] | None = None,
    query: Mapping[str, Any] | None = None,
    options: RequestOptions | None = None,
) -> APIRequest[R]:
    """A request whose answer is read whole and decoded as ``cast_to``.

    ``cast_to`` is a model, ``bytes``, ``str`` or ``httpx.Response`` (see ``_decode``).
    """
    return APIRequest(
        method=method,
        path=path,
        read=reader(cast_to),
        body=body,
        query=query,
        options=options or _NO_OPTIONS,
    )


# Made once per result type (and per chunk type and end rule): endpoints ask again and
# again for the same few, and building them per call was a third of describing a call.
_readers: dict[object, Callable[[httpx.Response], Any]] = {}


def reader(cast_to: type[R]) -> Callable[[httpx.Response], R]:
    """The ``read`` of a request whose answer is read whole and decoded as ``cast_to``."""
    read = _readers.get(cast_to)
    if read is None:
        from ._decode import decode

        read = _readers[cast_to] = functools.partial(decode, cast_to=cast_to)
    return read


def _sse_reader(chunk: type[C], end: StreamEnd | None) -> Callable[[httpx.Response], Any]:
    key = (chunk, end, "sse")
    read = _readers.get(key)
    if read is None:
        from ._models import structurer
        from ._streaming import DONE, AsyncStream

        decode = structurer(chunk)
        rule = DONE if end is None else end

        def read(response: httpx.Response) -> AsyncStream[C]:
            return AsyncStream(response, decode, end=rule)

        _readers[key] = read
    return read


_SSE_ACCEPT: Final = {"Accept": "text/event-stream"}


def sse_request(
    method: str,
    path: str,
    chunk: type[C],
    *,
    body: Mapping[str, Any] | None = None,
    query: Mapping[str, Any] | None = None,
    options: RequestOptions | None = None,
    end: StreamEnd | None = None,
) -> APIRequest[AsyncStream[C]]:
    """A request answered by server-sent events, each decoded as ``chunk``.

    ``end`` is how the endpoint's stream ends (``data: [DONE]`` unless told otherwise).
    """
    return APIRequest(
        method=method,
        path=path,
        read=_sse_reader(chunk, end),
        stream=True,
        body=body,
        query=query,
        headers=_SSE_ACCEPT,
        options=options or _NO_OPTIONS,
    )


@attrs.frozen
class Endpoint(Generic[R]):
    """An endpoint declared once: its method, path, result model and parameters.

    ``params`` is the ``TypedDict`` of its parameters (checked against the OpenAPI
    spec by the tests). Batch jobs find a path's result model here.
    """

    method: str
    path: str
    result: type[R]
    params: type | None = None

    def request(
        self, body: Mapping[str, Any] | None, options: RequestOptions | None = None
    ) -> APIRequest[R]:
        return json_request(self.method, self.path, self.result, body=body, options=options)


@attrs.frozen
class StreamingEndpoint(Endpoint[R], Generic[R, C]):
    """An endpoint that answers with server-sent events when asked to stream."""

    chunk: type[C] = attrs.field(kw_only=True)
    end: StreamEnd | None = attrs.field(default=None, kw_only=True)

    def stream(
        self, body: Mapping[str, Any] | None, options: RequestOptions | None = None
    ) -> APIRequest[AsyncStream[C]]:
        return sse_request(
            self.method, self.path, self.chunk, body=body, options=options, end=self.end
        )
