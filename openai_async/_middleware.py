"""The middleware chain between the client and the transport.

A middleware is any async callable ``(request, call_next) -> response``. It may
change the request, time the call, retry it, or answer without calling on. Two
examples, a header on every request and a timer::

    import logging
    import time

    import httpx
    from openai_async import AsyncClient, CallNext


    async def add_header(request: httpx.Request, call_next: CallNext) -> httpx.Response:
        request.headers["x-team"] = "search"
        return await call_next(request)


    async def timed(request: httpx.Request, call_next: CallNext) -> httpx.Response:
        start = time.perf_counter()
        try:
            return await call_next(request)
        finally:
            elapsed = time.perf_counter() - start
            logging.info("%s %s took %.3f s", request.method, request.url.path, elapsed)


    client = AsyncClient(middleware=[add_header, timed])

The client builds its chain once, in this order, outermost first::

    retry (``_retry.Retry``) -> logging (``_logging.LogAttempts``) -> your middleware,
    in the order given -> transport (``_transport.HTTPXSend``)

so your middleware runs once per attempt, and sees every retry. The transport
reads the body of every non-streamed answer (and every error) before returning,
so a middleware may read ``response.content``; a streamed 2xx answer comes back
unread and belongs to the caller. Per-call settings (the retry policy, streaming)
travel with the request in ``request.extensions`` and are read with ``options_of``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

import attrs
import httpx

from ._backoff import RetryPolicy
from ._bodies import DEFAULT_MAX_ERROR_SIZE, DEFAULT_MAX_EVENT_SIZE, DEFAULT_MAX_RESPONSE_SIZE

__all__ = ["CallNext", "Middleware", "RequestOptions", "build_chain", "options_of"]

CallNext = Callable[[httpx.Request], Awaitable[httpx.Response]]
Middleware = Callable[[httpx.Request, CallNext], Awaitable[httpx.Response]]

OPTIONS_KEY = "openai_async.options"


_NO_RETRIES = RetryPolicy(max_retries=0)


@attrs.frozen(kw_only=True)
class RequestOptions:
    """Per-call settings that middleware may read from a request.

    ``retry`` is the policy of the client (or ``with_options`` variant) that built
    the request; ``stream`` says the caller reads a 2xx body itself;
    ``max_event_size`` caps one line or event of a streamed answer (``AsyncStream``);
    ``stream_timeout`` bounds the reading of a streamed body, from its headers.
    ``max_response_size`` caps a reply read whole and ``max_error_size`` an error
    body (decoded bytes, ``_bodies``).
    """

    retry: RetryPolicy = _NO_RETRIES
    stream: bool = False
    max_event_size: int = DEFAULT_MAX_EVENT_SIZE
    stream_timeout: float | None = None
    max_response_size: int = DEFAULT_MAX_RESPONSE_SIZE
    max_error_size: int = DEFAULT_MAX_ERROR_SIZE

    @property
    def max_retries(self) -> int:
        return self.retry.max_retries


_DEFAULT_OPTIONS = RequestOptions()


def options_of(request: httpx.Request) -> RequestOptions:
    """The options the client attached to ``request`` (defaults if there are none)."""
    options = request.extensions.get(OPTIONS_KEY, _DEFAULT_OPTIONS)
    assert isinstance(options, RequestOptions)
    return options


def _link(middleware: Middleware, call_next: CallNext) -> CallNext:
    # A plain function handing back the middleware's awaitable: one coroutine frame
    # less per layer and attempt than an ``async def`` awaiting it.
    def call(request: httpx.Request) -> Awaitable[httpx.Response]:
        return middleware(request, call_next)

    return call


def build_chain(middleware: Sequence[Middleware], endpoint: CallNext) -> CallNext:
    """Compose ``middleware`` (first = outermost) around ``endpoint``."""
    call = endpoint
    for item in reversed(middleware):
        call = _link(item, call)
    return call
