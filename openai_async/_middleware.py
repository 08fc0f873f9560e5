"""The middleware chain between the client and the transport.

A middleware is any async callable ``(request, call_next) -> response``. It may
change the request, time the call, retry it, or answer without calling on::

    async def add_header(request: httpx.Request, call_next: CallNext) -> httpx.Response:
        request.headers["x-team"] = "search"
        return await call_next(request)

    client = AsyncClient(middleware=[add_header])

The chain is built once per client; per-call settings (retries, streaming) travel
with the request in ``request.extensions`` and are read with ``options_of``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

import attrs
import httpx

__all__ = ["CallNext", "Middleware", "RequestOptions", "build_chain", "options_of"]

CallNext = Callable[[httpx.Request], Awaitable[httpx.Response]]
Middleware = Callable[[httpx.Request, CallNext], Awaitable[httpx.Response]]

OPTIONS_KEY = "openai_async.options"


@attrs.frozen
class RequestOptions:
    """Per-call settings that middleware may read from a request."""

    max_retries: int = 0
    stream: bool = False


_DEFAULT_OPTIONS = RequestOptions()


def options_of(request: httpx.Request) -> RequestOptions:
    """The options the client attached to ``request`` (defaults if there are none)."""
    options = request.extensions.get(OPTIONS_KEY, _DEFAULT_OPTIONS)
    assert isinstance(options, RequestOptions)
    return options


def _link(middleware: Middleware, call_next: CallNext) -> CallNext:
    async def call(request: httpx.Request) -> httpx.Response:
        return await middleware(request, call_next)

    return call


def build_chain(middleware: Sequence[Middleware], endpoint: CallNext) -> CallNext:
    """Compose ``middleware`` (first = outermost) around ``endpoint``."""
    call = endpoint
    for item in reversed(middleware):
        call = _link(item, call)
    return call
