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
import math
import sys
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final, Generic, TypedDict, TypeVar

import attrs
import httpx

from ._config import NotGiven, TimeoutTypes, check_headers
from ._exceptions import InvalidParameterError, shown

if TYPE_CHECKING:
    from ._files import FilePart
    from ._streaming import AsyncStream, StreamEnd

__all__ = [
    "OPTION_NAMES",
    "APIRequest",
    "Endpoint",
    "RequestOptions",
    "StreamingEndpoint",
    "check_options",
    "check_query",
    "json_request",
    "pop_options",
    "refuse_unencodable",
    "sse_request",
    "too_long",
]

R = TypeVar("R")
C = TypeVar("C")


class RequestOptions(TypedDict, total=False):
    """The per-call options every endpoint method takes, as the official SDK names them.

    ``extra_headers`` go over the client's headers; ``extra_query`` into the query
    string; ``extra_body`` is merged into the JSON body (or the form of a file upload),
    its keys winning; ``timeout`` replaces the client's timeout for this call
    (``None``: no timeout). Each may be ``NOT_GIVEN`` (or ``omit``), as every optional
    parameter of an endpoint method may: left out, as the SDK types them.
    """

    extra_headers: Mapping[str, str] | NotGiven | None
    extra_query: Mapping[str, object] | NotGiven | None
    extra_body: Mapping[str, object] | NotGiven | None
    timeout: TimeoutTypes | NotGiven


class GivenOptions(TypedDict, total=False):
    """The per-call options a request carries: ``RequestOptions`` without ``NOT_GIVEN``.

    What ``AsyncClient.call`` applies; an ``APIRequest`` made with ``RequestOptions``
    drops the ones left out (``given_options``).
    """

    extra_headers: Mapping[str, str] | None
    extra_query: Mapping[str, object] | None
    extra_body: Mapping[str, object] | None
    timeout: TimeoutTypes


OPTION_NAMES: Final = frozenset(RequestOptions.__optional_keys__)
_NO_OPTIONS: Final = GivenOptions()  # never changed: shared by the calls given none


def given_options(options: RequestOptions | GivenOptions) -> GivenOptions:
    """``options`` without those given as ``NOT_GIVEN`` (or ``omit``): they are left out.

    Endpoint methods drop them with their other arguments; this is for the rest
    (``client.request(..., extra_body=NOT_GIVEN)``), and what lets the type say so.
    """
    kept: Mapping[str, object] = options
    for value in options.values():
        if isinstance(value, NotGiven):
            kept = {name: v for name, v in options.items() if not isinstance(v, NotGiven)}
            break
    return kept  # type: ignore[return-value]


def pop_options(params: dict[str, Any]) -> RequestOptions:
    """Take the per-call options out of an endpoint's keyword arguments.

    What is left is the endpoint's own parameters, for its body.
    """
    options: dict[str, Any] = {}
    for name in OPTION_NAMES.intersection(params):
        options[name] = params.pop(name)
    return options  # type: ignore[return-value]


def check_options(options: Mapping[str, Any]) -> None:
    """Refuse per-call options of the wrong type, and headers HTTP cannot carry."""
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
    options: GivenOptions = attrs.field(default=_NO_OPTIONS, converter=given_options, repr=False)
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


# -- encoding: values JSON, a query string or a form cannot carry are refused, named ----


def check_query(params: Mapping[str, Any]) -> None:
    """Refuse query values httpx would send as their ``str()``, naming the parameter.

    A value is a ``str``, an ``int`` (``bool`` as ``true``/``false``), a finite
    ``float`` or None (sent empty, as httpx does), or a list or tuple of those.
    """
    for name, value in params.items():
        if not isinstance(name, str):
            raise InvalidParameterError("extra_query", f"keys must be strings: {shown(name)}")
        kind = type(value)
        if kind is str or (kind is int and -_PLAIN_INT < value < _PLAIN_INT):
            continue  # most values: nothing more to look at
        for item in value if isinstance(value, list | tuple) else (value,):
            _check_query_value(name, item)


_PLAIN_INT: Final = 10**18  # an int of fewer digits is written without a second look


def _check_query_value(name: str, value: object) -> None:
    if value is None or isinstance(value, str):
        return
    if isinstance(value, int):
        if not too_long(value):
            return
        raise InvalidParameterError(name, f"an integer of {value.bit_length()} bits is too long")
    if isinstance(value, float):
        if math.isfinite(value):
            return
        raise InvalidParameterError(name, f"{value} cannot go into a query string")
    raise InvalidParameterError(
        name, f"expected a string, a number or a bool in the query, got {shown(value)}"
    )


def refuse_unencodable(
    body: object, error: BaseException | None = None, root: str = "json"
) -> None:
    """Raise ``InvalidParameterError`` naming the value of ``body`` JSON cannot carry.

    Called once the JSON encoder has failed with ``error`` (it refuses what JSON has no
    form for: objects, bytes, sets, NaN, infinities, keys of no JSON type, cycles, and
    runs out of recursion on deep nesting), so sending pays nothing for it: the error
    names the path to the value, ``messages[0].content``, and shows only its type.
    Returns if it finds nothing (the failure was elsewhere).
    """
    deepest: tuple[int, _Trail] = (0, None)
    open_containers: set[int] = set()  # the containers above the value being looked at
    stack: list[tuple[object, _Trail, int]] = [(body, None, 0)]
    while stack:
        value, trail, depth = stack.pop()
        if depth < 0:  # leaving a container
            open_containers.discard(id(value))
            continue
        if value is None or isinstance(value, str):
            continue
        problem = None
        if isinstance(value, int):
            if not too_long(value):
                continue
            problem = f"an integer of {value.bit_length()} bits is too long to write"
        elif isinstance(value, float):
            if math.isfinite(value):
                continue
            problem = f"{value} is not a JSON number"
        elif not isinstance(value, dict | list | tuple):
            problem = (
                "expected a JSON value (a string, number, bool, None, list or dict), "
                f"got {shown(value)}"
            )
        elif id(value) in open_containers:
            problem = "contains itself: JSON cannot carry it"
        elif isinstance(value, dict):
            problem = _bad_key(value)
        if problem is not None:
            raise InvalidParameterError(_path(trail, root), problem) from None
        open_containers.add(id(value))
        stack.append((value, trail, -1))
        if depth + 1 > deepest[0]:
            deepest = (depth + 1, trail)
        items: list[tuple[object, _Trail, int]] = []
        if isinstance(value, dict):
            items = [(item, (trail, _key_text(key)), depth + 1) for key, item in value.items()]
        elif isinstance(value, list | tuple):
            items = [(item, (trail, index), depth + 1) for index, item in enumerate(value)]
        stack += reversed(items)
    if deepest[0] > _MAX_DEPTH and (error is None or isinstance(error, RecursionError)):
        raise InvalidParameterError(
            _path(deepest[1], root), f"nested {deepest[0]} levels deep: too deep for JSON"
        ) from None


# Where a value is in a body: None for the body itself, else (where its container is,
# its key or index); made into ``messages[0].content`` only for the error.
_Trail = tuple[Any, Any] | None
_SHOWN_LEVELS: Final = 12


def _path(trail: _Trail, root: str) -> str:
    keys: list[object] = []
    while trail is not None:
        trail, key = trail
        keys.append(key)
    keys.reverse()
    if not keys:
        return root
    text = root
    if isinstance(keys[0], str):
        text, keys = keys[0], keys[1:]
    for key in keys[:_SHOWN_LEVELS]:
        text += f".{key}" if isinstance(key, str) else f"[{key}]"
    return text if len(keys) <= _SHOWN_LEVELS else f"{text}..."


def too_long(number: int) -> bool:
    """Whether Python refuses to write ``number`` (a ValueError, past 4,300 digits)."""
    # sys.get_int_max_str_digits() is the limit; 0 means none.
    limit = sys.get_int_max_str_digits()
    return limit > 0 and abs(number) >= _power_of_ten(limit)


@functools.lru_cache(maxsize=2)
def _power_of_ten(exponent: int) -> int:
    power: int = 10**exponent
    return power


def _key_text(key: object) -> str:
    # An object's key in a path: indices stay ints, keys become text (a subclass of
    # str or int, whose str() could run code, shows by its type's name).
    return str(key) if key is None or type(key) in (str, int, float, bool) else type(key).__name__


def _bad_key(mapping: dict[Any, Any]) -> str | None:
    for key in mapping:
        if not (key is None or isinstance(key, str | int | float)):
            return f"JSON object keys must be strings, got {shown(key)}"
        if isinstance(key, float) and not math.isfinite(key):
            return f"{key} is not a JSON object key"
        if isinstance(key, int) and too_long(key):
            return f"a key of {key.bit_length()} bits is too long to write"
    return None


# Past this many levels Python's JSON encoder may run out of recursion; a deeper body
# is refused only when the encoder has failed on it.
_MAX_DEPTH: Final = 200
