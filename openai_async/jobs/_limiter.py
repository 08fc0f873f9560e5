"""Client-side rate limiting for one job: a sliding window and a token bucket per limit.

For a limit of ``L`` per window ``W``, the job keeps a log of what it sent and never
lets more than ``L`` (less 0.5 %) into any window of ``W`` seconds *as the server can
count it*: a request counts from its reservation until ``W`` after its answer
(``SlidingWindow``), so no latency or jitter can put more into the server's window.
That bound holds whatever happens, and lets a job that was held up (a busy machine,
a slow consumer) catch up at once within it, so a job runs at ``W / (W + latency)``
of the limit, ~99 % for a minute's window. A token bucket on top paces the sending
at a little over the server's rate (1.1 ``L / W``, to catch up after a hold-up) with a
small burst (2 % of ``L``, 1.2 s of a per-minute limit): a job never opens with a
window's quota at once, and stays close to the limit's rate over short spans too,
as a service that enforces a minute's limit per second (OpenAI may) wants.
Requests wait in arrival order (FIFO).

The limits themselves are learned as the job runs (``_learn``): the windows follow.

How tokens are charged, as the service charges them: when a request is admitted, its
prompt (estimated) plus its completion budget, ``max_tokens`` times ``n`` (or
``best_of``); nothing is given back when the answer used less, since the service
keeps the whole reservation too. A request without ``max_tokens`` that used more than
its estimate is charged the difference when its usage arrives. A request refused with
429 is not charged by the service; the bucket of the limit it hit is emptied instead,
since the server has just said that budget is spent.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable
from typing import Protocol

import anyio

from ._learn import KINDS, Answer, Change, LimitLearner, Reservation

__all__ = [
    "Limiter",
    "LocalLimiter",
    "SlidingWindow",
    "TokenBucket",
    "pace_shape",
    "window_limit",
]

Clock = Callable[[], float]

# LocalLimiter: the share of a limit kept back in its window, and the pacing burst.
WINDOW_HEADROOM = 0.005
PACE_BURST = 0.02
PACE_SPEEDUP = 1.1


class Limiter(Protocol):
    """What a job needs of a rate limiter: a local one, or one shared through Redis.

    ``acquire`` waits until one request of ``tokens`` estimated tokens may go and
    reserves its budget; ``settle`` is told every answer (``Answer(status=None)`` for
    none), once per ``acquire``.
    """

    async def acquire(self, tokens: int) -> Reservation: ...

    async def settle(self, reservation: Reservation, answer: Answer) -> None: ...


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

    def empty(self, now: float) -> None:
        """Nothing left now (a debt stays a debt): the next unit comes at the refill rate."""
        self._level = min(self.level(now), 0.0)

    def reshape(self, rate: float, capacity: float, now: float) -> None:
        """A new limit: refill at the old rate up to now, then at the new one."""
        self.level(now)
        self.rate = rate
        self.capacity = capacity
        self._level = min(self._level, capacity)


class SlidingWindow:
    """At most ``limit`` units in any ``period`` seconds, as the server can count them.

    The server counts a request when it arrives, some time between our sending it and
    our reading its answer. So a request counts here from the moment it is reserved
    until a full ``period`` after its answer: whatever the latency and its jitter, the
    server's count in any window is never above ours. A request the server refused
    (429) stops counting at its answer, as it never counted there.

    A cost above the limit waits for an empty window and then goes alone, so large
    requests are delayed, never refused. Memory: one entry per answer in the window.
    """

    __slots__ = ("_log", "_logged", "limit", "pending", "period")

    def __init__(self, *, limit: float, period: float) -> None:
        self.limit = limit
        self.period = period
        self._log: deque[tuple[float, float]] = deque()  # (answered at, amount), in order
        self._logged = 0.0
        self.pending = 0.0  # reserved, not answered yet

    def used(self, now: float) -> float:
        log = self._log
        while log and log[0][0] <= now - self.period:
            self._logged -= log.popleft()[1]
        if not log:
            self._logged = 0.0  # no float drift survives an empty window
        return self._logged + self.pending

    def delay(self, cost: float, now: float) -> float:
        """Seconds until ``cost`` (capped at the limit) fits; 0 if now, inf: an answer first."""
        excess = self.used(now) + min(cost, self.limit) - self.limit
        if excess <= 1e-9:
            return 0.0
        for at, amount in self._log:
            excess -= amount
            if excess <= 1e-9:
                return at + self.period - now
        return math.inf  # what is in flight must be answered first

    def reserve(self, cost: float) -> None:
        self.pending += cost

    def answered(self, cost: float, now: float, *, counted: bool = True) -> None:
        """A reserved request was answered; ``counted`` False: the server did not count it."""
        self.pending = max(0.0, self.pending - cost)
        if counted:
            self.charge(cost, now)

    def charge(self, amount: float, now: float) -> None:
        """Count ``amount`` from ``now`` on (tokens used beyond a reservation)."""
        self.used(now)
        self._log.append((now, amount))
        self._logged += amount


class _Pace:
    """One limit: its sliding window and the bucket that paces the sending."""

    __slots__ = ("bucket", "window")

    def __init__(self, limit: float, period: float, now: float) -> None:
        rate, capacity = pace_shape(limit, period)
        self.bucket = TokenBucket(rate=rate, capacity=capacity, level=capacity / 2, now=now)
        self.window = SlidingWindow(limit=window_limit(limit), period=period)

    def reshape(self, limit: float, period: float, now: float) -> None:
        self.bucket.reshape(*pace_shape(limit, period), now)
        self.window.limit = window_limit(limit)

    def delay(self, cost: float, now: float) -> float:
        return max(self.bucket.delay(cost, now), self.window.delay(cost, now))


def pace_shape(limit: float, period: float) -> tuple[float, float]:
    # A little faster than the server's rate, so a job held up (a busy machine) can
    # catch up: the window, not the pace, keeps it within the limit.
    return limit / period * PACE_SPEEDUP, max(1.0, limit * PACE_BURST)


def window_limit(limit: float) -> float:
    return max(1.0, math.floor(limit * (1 - WINDOW_HEADROOM)))


class LocalLimiter:
    """Requests and tokens per period for one job, FIFO, learning the limits as it goes.

    ``requests``/``tokens`` are the limits you give per ``period`` seconds (None: learn
    them); ``max_hold`` caps how long a server's ``retry-after`` may hold the job.
    """

    def __init__(
        self,
        *,
        requests: float | None,
        tokens: float | None,
        period: float = 60.0,
        max_hold: float = 60.0,
        clock: Clock = time.monotonic,
    ) -> None:
        self._clock = clock
        self.learner = LimitLearner(
            requests=requests, tokens=tokens, period=period, max_hold=max_hold
        )
        self._paces: dict[str, _Pace] = {}
        self._reshape(self.learner.limits(), clock())
        self._lock = anyio.Lock()  # FIFO on both backends: waiters are served in order
        self._held_until = -math.inf
        self._answered: anyio.Event | None = None  # made when someone waits on it

    def __repr__(self) -> str:
        limits = self.learner.limits()
        return f"<LocalLimiter requests={limits['requests']} tokens={limits['tokens']}>"

    def window(self, kind: str) -> SlidingWindow | None:
        pace = self._paces.get(kind)
        return None if pace is None else pace.window

    def _reshape(self, limits: dict[str, float | None], now: float) -> None:
        period = self.learner.period
        for kind in KINDS:
            limit = limits[kind]
            pace = self._paces.get(kind)
            if limit is None:
                self._paces.pop(kind, None)
            elif pace is None:
                self._paces[kind] = _Pace(limit, period, now)
            else:
                pace.reshape(limit, period, now)

    def delay(self, tokens: float, now: float) -> float:
        """Seconds until a request of ``tokens`` may go (ignoring the congestion window)."""
        delay = self._held_until - now
        for kind, pace in self._paces.items():
            delay = max(delay, pace.delay(1 if kind == "requests" else tokens, now))
        return delay

    def take(self, tokens: int, now: float) -> Reservation:
        """Reserve one request of ``tokens`` now, whatever the wait would have been."""
        windows = {}
        for kind, pace in self._paces.items():
            cost = 1 if kind == "requests" else tokens
            pace.bucket.take(cost, now)
            pace.window.reserve(cost)
            windows[kind] = pace.window
        self.learner.sent()
        return Reservation(tokens=tokens, at=now, handle=windows)

    async def acquire(self, tokens: int) -> Reservation:
        """Wait until one request of ``tokens`` estimated tokens may be sent; reserve it."""
        async with self._lock:
            while True:
                # Waiting on time, not on an event: the windows free up as the clock
                # runs, and an answer may lengthen the wait while we sleep.
                delay = self.delay(tokens, self._clock())
                if 0 < delay < math.inf:
                    await anyio.sleep(delay)
                elif delay > 0 or not self.learner.may_send():
                    if self._answered is None:
                        self._answered = anyio.Event()
                    await self._answered.wait()
                else:
                    break
            return self.take(tokens, self._clock())

    async def settle(self, reservation: Reservation, answer: Answer) -> None:
        """Learn from one answer and charge what the service charges (see the module)."""
        self.apply(reservation, answer)

    def apply(self, reservation: Reservation, answer: Answer) -> None:
        now = self._clock()
        change = self.learner.answered(reservation, answer, now)
        extra = self.learner.extra_tokens(reservation, answer)
        if isinstance(reservation.handle, dict):  # the windows it was reserved in
            for kind, window in reservation.handle.items():
                cost = 1 if kind == "requests" else reservation.tokens
                window.answered(cost, now, counted=not answer.rate_limited)
        tokens = self._paces.get("tokens")
        if extra and tokens is not None:
            tokens.bucket.take(extra, now)
            tokens.window.charge(extra, now)
        if change is not None:
            self._apply(change, now)
        if not answer.rate_limited:
            # Sent before this limit was known (the answer that taught it, say): the
            # server counted it all the same.
            reserved = reservation.handle if isinstance(reservation.handle, dict) else {}
            for kind, pace in self._paces.items():
                if kind not in reserved:
                    pace.window.charge(1 if kind == "requests" else reservation.tokens, now)
        if self._answered is not None:
            self._answered.set()
            self._answered = None

    def _apply(self, change: Change, now: float) -> None:
        self._reshape(change.limits, now)
        for kind in change.emptied:
            pace = self._paces.get(kind)
            if pace is not None:
                pace.bucket.empty(now)
        if change.hold > 0 and math.isfinite(change.hold):
            self._held_until = max(self._held_until, now + change.hold)
