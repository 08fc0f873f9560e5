"""The local server's application: routing, recorded requests, injected faults.

Endpoints live in ``_routes_*`` modules and register with ``@route``; each handler
gets the shared ``State`` and the request and returns a ``ServerResponse``.
"""

from __future__ import annotations

import asyncio
import itertools
import re
import threading
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import attrs

from ._http import DROP, ServerRequest, ServerResponse, json_response

__all__ = ["App", "Fault", "State", "error_response", "route"]


@attrs.frozen(kw_only=True)
class Fault:
    """A misbehaviour for the next ``times`` matching requests.

    ``delay`` seconds pass before anything else happens; then ``drop`` closes the
    connection without an answer, or ``status`` answers with ``headers`` and ``body``
    (a JSON-able object, ``str`` or ``bytes``; OpenAI's error object by default);
    with neither, the request goes on to its endpoint after the delay.
    ``path`` matches when the request path contains it; ``method`` when equal.
    """

    status: int | None = None
    headers: Mapping[str, str] = attrs.field(factory=dict)
    body: object = None
    delay: float = 0.0
    drop: bool = False
    times: int = 1
    path: str | None = None
    method: str | None = None

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
            return ServerResponse(status=self.status, headers=headers, body=raw)
        return json_response(body, self.status, self.headers)


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
        self._ids = itertools.count(1)
        self.reset()

    def reset(self) -> None:
        from ._fixtures import initial_data

        with self._lock:
            self._faults.clear()
            self.requests.clear()
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
        from . import _routes_control, _routes_endpoints, _routes_models  # noqa: F401  (register routes)

    async def __call__(self, request: ServerRequest) -> ServerResponse:
        response = await self._dispatch(request)
        if response is DROP:
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
            if fault.status is not None:
                return fault.response()
        authorized = state.api_key is None or is_control
        if not authorized and request.headers.get("authorization") != f"Bearer {state.api_key}":
            # The real service echoes part of the key; this server never does.
            return error_response(401, "Incorrect API key provided.", code="invalid_api_key")
        allowed = []
        for method, pattern, handler in _ROUTES:
            match = pattern.match(request.path)
            if match is None:
                continue
            if method == request.method:
                return await handler(state, request, match.groupdict())
            allowed.append(method)
        if allowed:
            return error_response(405, f"Method {request.method} not allowed on {request.path}")
        return error_response(404, f"Unknown path {request.path}", code="unknown_url")
