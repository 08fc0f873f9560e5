"""One DEBUG line per attempt on the ``openai_async`` logger.

Turn it on with ``logging.getLogger("openai_async").setLevel(logging.DEBUG)``.
Retries are logged at INFO by the retry middleware on the same logger. A line
carries method, path, status, attempt, duration and request id, also as record
attributes (``record.status`` ...) for structured handlers; it never carries
headers, the query string or a body, so neither the key nor a prompt can leak.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable

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

    def __call__(self, request: httpx.Request, call_next: CallNext) -> Awaitable[httpx.Response]:
        if not logger.isEnabledFor(logging.DEBUG):
            return call_next(request)  # no frame of its own when nothing is logged
        return self._logged(request, call_next)

    async def _logged(self, request: httpx.Request, call_next: CallNext) -> httpx.Response:
        started = anyio.current_time()
        attempt = attempt_of(request)
        method, path = request.method, request.url.path
        try:
            response = await call_next(request)
        except APIError as exc:
            logger.debug(
                "%s %s failed after %.3f s: %s (attempt %d)",
                *(method, path, anyio.current_time() - started, type(exc).__name__, attempt),
                extra=_fields(method, path, None, attempt, None),
            )
            raise
        status, request_id = response.status_code, response.headers.get("x-request-id")
        logger.debug(
            "%s %s -> %d in %.3f s (attempt %d, request id %s)",
            *(method, path, status, anyio.current_time() - started, attempt, request_id),
            extra=_fields(method, path, status, attempt, request_id),
        )
        return response


def _fields(
    method: str, path: str, status: int | None, attempt: int, request_id: str | None
) -> dict[str, object]:
    """The record attributes every line of ours carries, for structured handlers."""
    return {
        "method": method,
        "path": path,
        "status": status,
        "attempt": attempt,
        "request_id": request_id,
    }
