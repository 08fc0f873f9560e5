"""The local server's application: routing, recorded requests, injected faults.

Endpoints live in ``_routes_*`` modules and register with ``@route``; each handler
gets the shared ``State`` and the request and returns a ``ServerResponse``.
"""

from __future__ import annotations

import asyncio
import contextvars
import itertools
import re
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any, Literal, get_args

import attrs

from ._http import DROP, RESET, ServerRequest, ServerResponse, json_response

if TYPE_CHECKING:
    from ._limits import ServerRateLimit

__all__ = [
    "App",
    "Fault",
    "State",
    "StreamAction",
    "current_fault",
    "dispatch",
    "error_response",
    "route",
]

StreamAction = Literal["abort", "end", "error", "garbage", "stall"]


@attrs.frozen(kw_only=True)
class Fault:
    """A misbehaviour for the next ``times`` matching requests.

    ``delay`` seconds pass before anything else happens; then ``drop`` closes the
    connection without an answer, or ``status`` answers with ``headers`` and ``body``
    (a JSON-able object, ``str`` or ``bytes``; OpenAI's error object by default);
    with neither, the request goes on to its endpoint after the delay.
    ``path`` matches when the request path contains it; ``method`` when equal.

    ``reset`` closes the connection with a TCP reset instead of answering (the
    client sees "connection reset by peer"). ``stall_body`` seconds pass after the
    headers and the first half of a ``status`` answer's body, before the rest: a
    read that stalls midway (``status=200`` with a ``body`` stalls a success).

    For streamed (server-sent event) answers, the request goes on to its endpoint and
    the stream misbehaves: ``event_delay`` seconds before each event, the body written
    in pieces of ``write_size`` bytes (cutting events anywhere), a ``: keep-alive``
    comment before each event with ``keepalive``, and after ``after_events`` events
    the ``stream_action``: ``"abort"`` (close the connection halfway through an event),
    ``"end"`` (end the body cleanly without ``[DONE]``), ``"error"`` (an event
    ``{"error": ...}``, or ``body`` if given, a text body as an ``event: error``; then
    the end), ``"garbage"`` (an event that is not JSON, then go on) or ``"stall"``
    (pause ``stall`` seconds, then go on; ``after_events`` past the last event stalls
    before the end of the body).
    """

    status: int | None = None
    headers: Mapping[str, str] = attrs.field(factory=dict)
    body: object = None
    delay: float = 0.0
    drop: bool = False
    times: int = 1
    path: str | None = None
    method: str | None = None
    reset: bool = False
    stall_body: float = 0.0
    event_delay: float = 0.0
    write_size: int | None = None
    keepalive: bool = False
    stream_action: StreamAction | None = attrs.field(
        default=None,
        validator=attrs.validators.optional(attrs.validators.in_(get_args(StreamAction))),
    )
    after_events: int = 0
    stall: float = 0.0

    def matches(self, request: ServerRequest) -> bool:
        return (self.path is None or self.path in request.path) and (
            self.method is None or self.method == request.method
        )

    def response(self) -> ServerResponse:
        assert self.status is not None
        body = self.body
        if body is None:
            body = {
                "error": {
                    "message": f"Injected fault: status {self.status}",
                    "type": "server_error" if self.status >= 500 else "invalid_request_error",
                    "param": None,
                    "code": None,
                }
            }
        if isinstance(body, bytes | str):
            raw = body.encode() if isinstance(body, str) else body
            headers = {"content-type": "text/plain; charset=utf-8", **self.headers}
            return _stalled(ServerResponse(self.status, headers, raw), self.stall_body)
        return _stalled(json_response(body, self.status, self.headers), self.stall_body)


def _stalled(response: ServerResponse, seconds: float) -> ServerResponse:
    body = response.body
    if not seconds or not isinstance(body, bytes):
        return response

    async def pause_halfway() -> AsyncIterator[bytes]:
        half = len(body) // 2
        yield body[:half]
        await asyncio.sleep(seconds)
        yield body[half:]

    return attrs.evolve(response, body=pause_halfway())


def error_response(
    status: int,
    message: str,
    *,
    type: str = "invalid_request_error",
    param: str | None = None,
    code: str | None = None,
) -> ServerResponse:
    """OpenAI's error body: ``{"error": {"message", "type", "param", "code"}}``."""
    error = {"message": message, "type": type, "param": param, "code": code}
    return json_response({"error": error}, status)


class State:
    """Everything the endpoints share; ``reset()`` restores the initial state."""

    def __init__(self, *, api_key: str | None = None, record: bool = True) -> None:
        self.api_key = api_key
        self.record = record
        self._lock = threading.Lock()
        self._faults: list[list[Any]] = []  # [fault, remaining times]
        self.requests: list[ServerRequest] = []
        self.data: dict[str, Any] = {}
        self.rate_limit: ServerRateLimit | None = None
        # Quirks of other servers, for clients to cope with: llama.cpp refuses several
        # prompts in one request; any server may list choices or embeddings out of order.
        self.packed_prompts = True
        self.out_of_order = False
        self._ids = itertools.count(1)
        self.reset()

    def reset(self) -> None:
        from ._fixtures import initial_data

        with self._lock:
            self._faults.clear()
            self.requests.clear()
            self.rate_limit = None
            self.packed_prompts = True
            self.out_of_order = False
            self.data = initial_data()

    def new_id(self, prefix: str) -> str:
        return f"{prefix}-{next(self._ids):06d}"

    def add_fault(self, fault: Fault) -> Fault:
        with self._lock:
            self._faults.append([fault, fault.times])
        return fault

    def take_fault(self, request: ServerRequest) -> Fault | None:
        with self._lock:
            for entry in self._faults:
                fault = entry[0]
                if fault.matches(request):
                    entry[1] -= 1
                    if entry[1] <= 0:
                        self._faults.remove(entry)
                    return fault  # type: ignore[no-any-return]
        return None


_CURRENT_FAULT: contextvars.ContextVar[Fault | None] = contextvars.ContextVar(
    "openai_async_fault", default=None
)


def current_fault() -> Fault | None:
    """The fault taken for the request being handled (streaming endpoints read it)."""
    return _CURRENT_FAULT.get()


_AZURE_PATH = re.compile(r"/openai(?:/deployments/[^/]+)?(?P<rest>/.+)")

RouteHandler = Callable[[State, ServerRequest, Mapping[str, str]], Awaitable[ServerResponse]]
_ROUTES: list[tuple[str, re.Pattern[str], RouteHandler]] = []


def route(method: str, pattern: str) -> Callable[[RouteHandler], RouteHandler]:
    """Register a handler for ``method`` and a path regex (named groups become params)."""
    compiled = re.compile(pattern + r"\Z")

    def register(handler: RouteHandler) -> RouteHandler:
        _ROUTES.append((method, compiled, handler))
        return handler

    return register


class App:
    """Dispatch a request: record it, apply a fault, check auth, route."""

    def __init__(self, state: State) -> None:
        self.state = state
        self._request_ids = itertools.count(1)
        from . import (  # noqa: F401  (register routes)
            _routes_chat,
            _routes_completions,
            _routes_control,
            _routes_endpoints,
            _routes_fine_tunes,
            _routes_models,
        )

    async def __call__(self, request: ServerRequest) -> ServerResponse:
        response = await self._dispatch(request)
        if response is DROP or response is RESET:
            return response
        request_id = f"req_{next(self._request_ids):08x}"
        return attrs.evolve(response, headers={"x-request-id": request_id, **response.headers})

    async def _dispatch(self, request: ServerRequest) -> ServerResponse:
        state = self.state
        is_control = request.path.startswith("/_control/")
        if state.record and not is_control:
            state.requests.append(request)
        fault = None if is_control else state.take_fault(request)
        if fault is not None:
            if fault.delay:
                await asyncio.sleep(fault.delay)
            if fault.drop:
                return DROP
            if fault.reset:
                return RESET
            if fault.status is not None:
                return fault.response()
        azure = None if is_control else _AZURE_PATH.fullmatch(request.path)
        if azure is not None:
            # Azure OpenAI's URLs (``/openai/deployments/{name}/chat/completions``, or
            # ``/openai/models``, with ``?api-version=``) answered as OpenAI's, and its
            # ``api-key`` header taken as the key, so that Azure clients can be tested.
            if "api-version" not in request.query:
                return error_response(404, "Resource not found", code="404")
            request = attrs.evolve(request, path="/v1" + azure["rest"])
        authorized = state.api_key is None or is_control
        if azure is not None and state.api_key is not None:
            authorized = request.headers.get("api-key") == state.api_key
        if not authorized and request.headers.get("authorization") != f"Bearer {state.api_key}":
            # The real service echoes part of the key; this server never does.
            return error_response(401, "Incorrect API key provided.", code="invalid_api_key")
        limited: dict[str, str] = {}
        if state.rate_limit is not None and not is_control:
            refusal, limited = state.rate_limit.admit(request)
            if refusal is not None:
                return attrs.evolve(refusal, headers={**refusal.headers, **limited})
        response = await self._route(request, fault)
        if limited:
            response = attrs.evolve(response, headers={**response.headers, **limited})
        return response

    async def _route(self, request: ServerRequest, fault: Fault | None) -> ServerResponse:
        return await dispatch(self.state, request, fault)


async def dispatch(
    state: State, request: ServerRequest, fault: Fault | None = None
) -> ServerResponse:
    """Hand ``request`` to its endpoint: no recording, auth, rate limit or fault taken.

    ``App`` calls it after those steps; batches call it for the requests of their file.
    """
    allowed = []
    for method, pattern, handler in _ROUTES:
        match = pattern.match(request.path)
        if match is None:
            continue
        if method == request.method:
            token = _CURRENT_FAULT.set(fault)
            try:
                return await handler(state, request, match.groupdict())
            finally:
                _CURRENT_FAULT.reset(token)
        allowed.append(method)
    if allowed:
        return error_response(405, f"Method {request.method} not allowed on {request.path}")
    return error_response(404, f"Unknown path {request.path}", code="unknown_url")
