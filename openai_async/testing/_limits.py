"""Server-side rate limits: requests and tokens per sliding window, as the real service.

Every answer carries ``x-ratelimit-limit/remaining/reset-requests`` and ``-tokens``;
a request over a limit gets 429 with ``retry-after``/``retry-after-ms`` and is not
counted. Token cost is estimated from the request as the service does (prompt plus
``max_tokens`` budget). Arrival times of every request are kept, so a test can check
the busiest window the client produced.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque

from .._tokens import estimate_request_tokens
from ._app import error_response
from ._http import ServerRequest, ServerResponse

__all__ = ["ServerRateLimit", "format_reset"]


def format_reset(seconds: float) -> str:
    """Seconds in the service's reset format: ``20ms``, ``1.5s``, ``6m0s``."""
    if seconds < 1:
        return f"{max(1, math.ceil(seconds * 1000))}ms"
    if seconds < 60:
        return f"{seconds:.3g}s"
    minutes, rest = divmod(seconds, 60)
    return f"{int(minutes)}m{rest:.0f}s"


class ServerRateLimit:
    """Requests and tokens allowed per ``window`` seconds (sliding)."""

    def __init__(
        self, *, requests: int | None = None, tokens: int | None = None, window: float = 60.0
    ) -> None:
        self.requests = requests
        self.tokens = tokens
        self.window = window
        self._accepted: deque[tuple[float, int]] = deque()  # (time, tokens) in the window
        self._lock = threading.Lock()
        self.arrivals: list[float] = []  # every request, accepted or not
        self.rejected = 0

    def _expire(self, now: float) -> None:
        while self._accepted and self._accepted[0][0] <= now - self.window:
            self._accepted.popleft()

    def _headers(self, now: float, used_requests: int, used_tokens: int) -> dict[str, str]:
        headers: dict[str, str] = {}
        reset = self._accepted[0][0] + self.window - now if self._accepted else 0.0
        for kind, limit, used in (
            ("requests", self.requests, used_requests),
            ("tokens", self.tokens, used_tokens),
        ):
            if limit is not None:
                headers[f"x-ratelimit-limit-{kind}"] = str(limit)
                headers[f"x-ratelimit-remaining-{kind}"] = str(max(0, limit - used))
                headers[f"x-ratelimit-reset-{kind}"] = format_reset(max(reset, 0.0))
        return headers

    def admit(self, request: ServerRequest) -> tuple[ServerResponse | None, dict[str, str]]:
        """Count ``request``; a 429 response when it is over a limit, and the headers."""
        body = None
        if request.body and request.headers.get("content-type", "").startswith("application/json"):
            try:
                body = request.json()
            except ValueError:
                body = None
        cost = estimate_request_tokens(request.path, body if isinstance(body, dict) else None)
        now = time.monotonic()
        with self._lock:
            self.arrivals.append(now)
            self._expire(now)
            used_requests = len(self._accepted)
            used_tokens = sum(t for _, t in self._accepted)
            over = None
            if self.requests is not None and used_requests + 1 > self.requests:
                over = "requests"
            elif self.tokens is not None and used_tokens + cost > self.tokens:
                over = "tokens"
            if over is not None:
                self.rejected += 1
                headers = self._headers(now, used_requests, used_tokens)
                wait = self._accepted[0][0] + self.window - now if self._accepted else 0.0
                headers["retry-after-ms"] = str(max(1, math.ceil(wait * 1000)))
                headers["retry-after"] = str(max(1, math.ceil(wait)))
                limit = self.requests if over == "requests" else self.tokens
                response = error_response(
                    429,
                    f"Rate limit reached: {limit} {over} per {self.window:g}s.",
                    type=over,
                    code="rate_limit_exceeded",
                )
                return response, headers
            self._accepted.append((now, cost))
            return None, self._headers(now, used_requests + 1, used_tokens + cost)

    def busiest_window(self) -> int:
        """The most requests that arrived within any ``window`` seconds."""
        times = sorted(self.arrivals)
        best, start = 0, 0
        for end, t in enumerate(times):
            while times[start] <= t - self.window:
                start += 1
            best = max(best, end - start + 1)
        return best
