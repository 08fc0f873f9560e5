"""Server-side rate limits: requests and tokens per sliding window, as the real service.

Every answer carries ``x-ratelimit-limit/remaining/reset-requests`` and ``-tokens``
(unless ``headers=False``: many compatible servers send none). ``reset`` is, as the
service documents it, the time until the limit is back to its initial state: for a
sliding window, until the newest request in it leaves, which is ~a whole window away
while a job runs. A request over a limit gets 429 with ``retry-after``/
``retry-after-ms``, the time until it would fit (the next free slot), and is not
counted; its error's ``type`` names the limit hit (``requests`` or ``tokens``), as
the service's does. Token cost is estimated from the request as the service does
(prompt plus ``max_tokens`` budget). Arrival times of every request are kept, so a
test can check the busiest window the client produced.
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
        self,
        *,
        requests: int | None = None,
        tokens: int | None = None,
        window: float = 60.0,
        headers: bool = True,
    ) -> None:
        self.requests = requests
        self.tokens = tokens
        self.window = window
        self.send_headers = headers
        self._accepted: deque[tuple[float, int]] = deque()  # (time, tokens) in the window
        self._lock = threading.Lock()
        self.arrivals: list[float] = []  # every request, accepted or not
        self.rejected = 0

    def _expire(self, now: float) -> None:
        while self._accepted and self._accepted[0][0] <= now - self.window:
            self._accepted.popleft()

    def _headers(self, now: float, used_requests: int, used_tokens: int) -> dict[str, str]:
        headers: dict[str, str] = {}
        if not self.send_headers:
            return headers
        reset = self._accepted[-1][0] + self.window - now if self._accepted else 0.0
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
                wait = self._fits_in(now, cost if over == "tokens" else None)
                if self.send_headers:
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

    def _fits_in(self, now: float, cost: int | None) -> float:
        """Seconds until one more request (of ``cost`` tokens, if given) would fit."""
        if cost is None:
            return self._accepted[0][0] + self.window - now if self._accepted else 0.0
        assert self.tokens is not None
        excess = sum(t for _, t in self._accepted) + cost - self.tokens
        for accepted_at, tokens in self._accepted:
            excess -= tokens
            if excess <= 0:
                return accepted_at + self.window - now
        return self.window  # more than the limit alone: never fits; ask for a window

    def busiest_window(self) -> int:
        """The most requests that arrived within any ``window`` seconds."""
        times = sorted(self.arrivals)
        best, start = 0, 0
        for end, t in enumerate(times):
            while times[start] <= t - self.window:
                start += 1
            best = max(best, end - start + 1)
        return best
