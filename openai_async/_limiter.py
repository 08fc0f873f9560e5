"""Client-side rate limiting for batch jobs: weighted token buckets served in order.

A bucket of capacity ``B`` refilled at ``r`` per second lets through at most
``B + r * t`` units in any interval of length ``t``. To stay under a server limit of
``L`` per window ``W`` in *every* window, the refill rate is at most ``(L - B - 1) / W``;
2 % more is kept back for delivery jitter, so a job runs at about 95 % of the limit
with the default burst of 2 %, and never above it. Buckets start half full, so a job
does not open with a minute's quota in one burst.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

import anyio

__all__ = ["JobLimiter", "TokenBucket"]

Clock = Callable[[], float]

HEADROOM = 0.02


class TokenBucket:
    """A weighted token bucket; ``delay(cost)`` says how long until ``cost`` fits.

    A cost larger than the capacity waits for a full bucket and then drives the level
    negative, so large requests are delayed, never refused, and the average rate holds.
    """

    __slots__ = ("_level", "_updated", "capacity", "rate")

    def __init__(self, *, rate: float, capacity: float, level: float, now: float) -> None:
        if rate <= 0 or capacity <= 0:
            raise ValueError("rate and capacity must be positive")
        self.rate = rate
        self.capacity = capacity
        self._level = min(level, capacity)
        self._updated = now

    def level(self, now: float) -> float:
        if now > self._updated:
            self._level = min(self.capacity, self._level + (now - self._updated) * self.rate)
            self._updated = now
        return self._level

    def delay(self, cost: float, now: float) -> float:
        """Seconds until ``cost`` (capped at the capacity) is available; 0 if now."""
        missing = min(cost, self.capacity) - self.level(now)
        return 0.0 if missing <= 0 else missing / self.rate

    def take(self, cost: float, now: float) -> None:
        self.level(now)
        self._level -= cost

    def give(self, amount: float, now: float) -> None:
        """Return ``amount`` (negative: charge more), never above the capacity."""
        self.level(now)
        self._level = min(self.capacity, self._level + amount)


def _bucket(limit: float, period: float, burst: float, now: float) -> TokenBucket:
    capacity = max(1.0, limit * burst)
    # The headroom absorbs delivery jitter: a request sent late in one window may reach
    # the server together with the next window's first ones.
    rate = max((limit - capacity) * (1 - HEADROOM) - 1.0, limit * 0.5) / period
    return TokenBucket(rate=rate, capacity=capacity, level=capacity / 2, now=now)


class JobLimiter:
    """Requests-per-period and tokens-per-period limits for one job, FIFO and adaptive.

    ``acquire(tokens)`` waits in arrival order until both buckets allow the request.
    ``slow_down()`` (on a 429) halves the pace for the whole job and ``pause()`` holds
    everything until a reset time the server gave; every success recovers a little of
    the pace (multiplicative decrease, additive increase).
    """

    MIN_FACTOR = 1 / 16
    RECOVERY_STEP = 1 / 32

    def __init__(
        self,
        *,
        requests: float | None,
        tokens: float | None,
        period: float = 60.0,
        burst: float = 0.02,
        clock: Clock = time.monotonic,
    ) -> None:
        now = clock()
        self._clock = clock
        self._requests = None if requests is None else _bucket(requests, period, burst, now)
        self._tokens = None if tokens is None else _bucket(tokens, period, burst, now)
        self._base_rates = tuple(b.rate if b else 0.0 for b in (self._requests, self._tokens))
        self._lock = anyio.Lock()  # FIFO on both backends: waiters are served in order
        self._paused_until = -math.inf
        self.factor = 1.0

    def _delay(self, tokens: float, now: float) -> float:
        delay = self._paused_until - now
        if self._requests is not None:
            delay = max(delay, self._requests.delay(1, now))
        if self._tokens is not None:
            delay = max(delay, self._tokens.delay(tokens, now))
        return delay

    async def acquire(self, tokens: float) -> None:
        """Wait until one request of ``tokens`` estimated tokens may be sent."""
        async with self._lock:
            # Waiting on time, not on an event: the buckets refill as the clock runs,
            # and a 429 elsewhere may lengthen the wait while we sleep.
            while (delay := self._delay(tokens, self._clock())) > 0:  # noqa: ASYNC110
                await anyio.sleep(delay)
            now = self._clock()
            if self._requests is not None:
                self._requests.take(1, now)
            if self._tokens is not None:
                self._tokens.take(tokens, now)

    def settle(self, estimated: float, actual: float) -> None:
        """Correct the token bucket once the real usage of a request is known."""
        if self._tokens is not None:
            self._tokens.give(estimated - actual, self._clock())

    def pause(self, seconds: float) -> None:
        """Hold every request for ``seconds`` (a server said its quota resets then)."""
        if seconds > 0 and math.isfinite(seconds):
            self._paused_until = max(self._paused_until, self._clock() + seconds)

    def slow_down(self) -> None:
        """A 429 arrived: halve the pace of the whole job."""
        self._set_factor(max(self.MIN_FACTOR, self.factor / 2))

    def recover(self) -> None:
        """A request succeeded: win back a little of the configured pace."""
        if self.factor < 1.0:
            self._set_factor(min(1.0, self.factor + self.RECOVERY_STEP))

    def _set_factor(self, factor: float) -> None:
        self.factor = factor
        for bucket, base in zip((self._requests, self._tokens), self._base_rates, strict=True):
            if bucket is not None:
                bucket.level(self._clock())  # settle the refill at the old rate first
                bucket.rate = base * factor
