"""One DEBUG line per attempt on the ``openai_async`` logger.

Turn it on with ``logging.getLogger("openai_async").setLevel(logging.DEBUG)``.
Retries are logged at INFO by the retry middleware on the same logger. A line
carries method, path, status, attempt, duration and request id, also as record
attributes (``record.status`` ...) for structured handlers; it never carries
headers, the query string or a body, so neither the key nor a prompt can leak.
"""

from __future__ import annotations

import logging

import anyio
import httpx

from ._exceptions import APIError
from ._middleware import CallNext
from ._retry import attempt_of

__all__ = ["LogAttempts", "logger"]

logger = logging.getLogger("openai_async")


class LogAttempts:
    """Log each attempt that passes through, with its outcome and duration."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "LogAttempts()"

    async def __call__(self, request: httpx.Request, call_next: CallNext) -> httpx.Response:
        if not logger.isEnabledFor(logging.DEBUG):
            return await call_next(request)
        started = anyio.current_time()
        attempt = attempt_of(request)
        path = request.url.path
        try:
            response = await call_next(request)
        except APIError as exc:
            logger.debug(
                "%s %s failed after %.3f s: %s (attempt %d)",
                request.method,
                path,
                anyio.current_time() - started,
                type(exc).__name__,
                attempt,
                extra={
                    "method": request.method,
                    "path": path,
                    "status": None,
                    "attempt": attempt,
                    "request_id": None,
                },
            )
            raise
        request_id = response.headers.get("x-request-id")
        logger.debug(
            "%s %s -> %d in %.3f s (attempt %d, request id %s)",
            request.method,
            path,
            response.status_code,
            anyio.current_time() - started,
            attempt,
            request_id,
            extra={
                "method": request.method,
                "path": path,
                "status": response.status_code,
                "attempt": attempt,
                "request_id": request_id,
            },
        )
        return response
