"""The job's limiter without a server: windows, pacing, and what answers teach it."""

from __future__ import annotations

import heapq
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from openai_async import RateLimits
from openai_async.jobs import Answer, LocalLimiter, Reservation
from openai_async.jobs._learn import kind_of_refusal
from openai_async.jobs._limiter import SlidingWindow, TokenBucket


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


OK = Answer(status=200)


def _stated(requests: int | None = None, tokens: int | None = None, **more: float) -> Answer:
    limits = RateLimits(limit_requests=requests, limit_tokens=tokens, **more)  # type: ignore[arg-type]
    return Answer(status=200, limits=limits)


def _send_now(limiter: LocalLimiter, clock: FakeClock, tokens: int = 0) -> Reservation:
    """Move the clock to when the limiter lets a request go, and reserve it."""
    delay = limiter.delay(tokens, clock.now)
    assert delay < math.inf
    clock.now += max(delay, 0.0)
    return limiter.take(tokens, clock.now)


def test_bucket_refills_at_its_rate_up_to_capacity() -> None:
    """A drained bucket refills linearly and stops at its capacity."""
    bucket = TokenBucket(rate=2.0, capacity=10.0, level=0.0, now=0.0)
    assert bucket.level(1.0) == pytest.approx(2.0)
    assert bucket.level(100.0) == pytest.approx(10.0)


def test_bucket_delay_for_cost_above_capacity_waits_for_full() -> None:
    """A cost above capacity waits for a full bucket, then drives the level negative."""
    bucket = TokenBucket(rate=1.0, capacity=4.0, level=0.0, now=0.0)
    assert bucket.delay(100, 0.0) == pytest.approx(4.0)
    bucket.take(100, 4.0)
    assert bucket.level(4.0) == pytest.approx(-96.0)
    assert bucket.delay(1, 4.0) == pytest.approx(97.0)


def test_window_counts_a_request_until_a_period_after_its_answer() -> None:
    """Reserved counts at once; answered counts a full period from the answer; refused never."""
    window = SlidingWindow(limit=2, period=10.0)
    window.reserve(1)
    window.reserve(1)
    assert window.delay(1, 0.0) == math.inf  # both in flight: an answer must come first
    window.answered(1, 3.0)
    window.answered(1, 4.0, counted=False)  # a 429: the server never counted it
    assert window.delay(1, 4.0) == 0.0
    window.reserve(1)
    window.answered(1, 5.0)
    assert window.delay(1, 6.0) == pytest.approx(7.0)  # the answer at 3.0 leaves at 13.0
    assert window.delay(1, 13.0) == 0.0


@settings(deadline=None, max_examples=60)
@given(
    limit=st.integers(min_value=2, max_value=400),
    gaps=st.lists(st.floats(min_value=0, max_value=0.5), min_size=1, max_size=300),
    latencies=st.lists(st.floats(min_value=0, max_value=3.0), min_size=1, max_size=50),
    arrive=st.floats(min_value=0, max_value=1),
)
def test_server_never_counts_more_than_the_limit_in_any_window(
    limit: int, gaps: list[float], latencies: list[float], arrive: float
) -> None:
    """Whatever the latencies, the server's count in any window stays within the limit.

    Each request reaches the server somewhere between its sending and its answer.
    """
    clock = FakeClock()
    window = 1.0
    limiter = LocalLimiter(requests=limit, tokens=None, period=window, clock=clock)
    answers: list[tuple[float, int, Reservation]] = []
    arrivals = []
    for n, gap in enumerate(gaps):
        clock.now += gap
        while limiter.delay(0, clock.now) == math.inf or (
            answers and answers[0][0] <= clock.now + max(limiter.delay(0, clock.now), 0)
        ):
            at, _, reservation = heapq.heappop(answers)
            clock.now = max(clock.now, at)
            limiter.apply(reservation, OK)
        reservation = _send_now(limiter, clock)
        latency = latencies[n % len(latencies)]
        arrivals.append(clock.now + arrive * latency)
        heapq.heappush(answers, (clock.now + latency, n, reservation))
    arrivals.sort()
    start = 0
    for end, t in enumerate(arrivals):
        while arrivals[start] <= t - window:
            start += 1
        assert end - start + 1 <= limit


def test_steady_rate_is_close_to_the_limit() -> None:
    """Back to back with instant answers, a job gets 97-100 % of its limit."""
    clock = FakeClock()
    limiter = LocalLimiter(requests=600, tokens=None, period=60.0, clock=clock)
    granted = 0
    while clock.now < 600:  # ten windows
        limiter.apply(_send_now(limiter, clock), OK)
        granted += 1
    assert 0.97 * 6000 <= granted <= 6000


def test_no_opening_burst() -> None:
    """A fresh job sends a few requests at once, not a window's worth."""
    clock = FakeClock()
    limiter = LocalLimiter(requests=1000, tokens=None, period=60.0, clock=clock)
    at_once = 0
    while limiter.delay(0, clock.now) <= 0:
        limiter.take(0, clock.now)
        at_once += 1
    assert at_once <= 0.05 * 1000


def test_the_servers_stated_limit_wins_over_a_higher_one_given() -> None:
    """Told 150 %, the job adopts the limit its answers state; told less, it keeps yours."""
    clock = FakeClock()
    limiter = LocalLimiter(requests=150, tokens=15_000, period=60.0, clock=clock)
    limiter.apply(_send_now(limiter, clock, 10), _stated(requests=100, tokens=20_000))
    assert limiter.learner.limits() == {"requests": 100, "tokens": 15_000}
    window = limiter.window("requests")
    assert window is not None
    assert window.limit < 100


def test_told_nothing_the_first_request_goes_alone_then_the_stated_limit_applies() -> None:
    """With no limits, one request goes; once its answer states a limit, the job paces by it."""
    clock = FakeClock()
    limiter = LocalLimiter(requests=None, tokens=None, period=60.0, clock=clock)
    first = limiter.take(0, clock.now)
    assert not limiter.learner.may_send()
    limiter.apply(first, _stated(requests=120))
    assert limiter.learner.may_send()
    assert limiter.learner.limit("requests") == 120


def test_told_nothing_without_headers_the_congestion_window_grows_and_halves() -> None:
    """No limit known: one more in flight per answer, half as many after a 429."""
    clock = FakeClock()
    limiter = LocalLimiter(requests=None, tokens=None, period=60.0, clock=clock)
    for _ in range(6):
        limiter.apply(limiter.take(0, clock.now), OK)
    assert limiter.learner.window == 7
    reservations = [limiter.take(0, clock.now) for _ in range(7)]
    assert not limiter.learner.may_send()
    limiter.apply(reservations[0], Answer(status=429, refused="requests"))
    assert limiter.learner.limit("requests") == 6  # the six admitted this window


def test_remaining_zero_waits_for_the_next_slot_not_the_window_reset() -> None:
    """remaining: 0 empties the pace: the next request waits ~one slot, not the reset."""
    clock = FakeClock()
    limiter = LocalLimiter(requests=60, tokens=None, period=60.0, clock=clock)
    reservation = _send_now(limiter, clock)
    limiter.apply(reservation, _stated(requests=60, remaining_requests=0, reset_requests=59.0))
    assert 0 < limiter.delay(0, clock.now) <= 1.0


def test_429_holds_for_retry_after_capped() -> None:
    """A 429's retry-after holds every request, capped at max_hold."""
    clock = FakeClock()
    limiter = LocalLimiter(requests=6000, tokens=None, period=60.0, max_hold=5.0, clock=clock)
    limiter.apply(_send_now(limiter, clock), Answer(status=429, retry_after=2.5))
    assert limiter.delay(0, clock.now) == pytest.approx(2.5)
    limiter.apply(_send_now(limiter, clock), Answer(status=429, retry_after=3600))
    assert limiter.delay(0, clock.now) == pytest.approx(5.0)


def test_429_without_headers_estimates_the_limit_from_what_was_admitted() -> None:
    """Told 150 % and no headers: the first 429 sets the limit to what the server took."""
    clock = FakeClock()
    limiter = LocalLimiter(requests=150, tokens=None, period=60.0, clock=clock)
    for _ in range(100):
        limiter.apply(_send_now(limiter, clock), OK)
    limiter.apply(_send_now(limiter, clock), Answer(status=429, refused="requests"))
    assert limiter.learner.limit("requests") == 100
    clock.now += 61  # a whole window without a 429: the estimate creeps up again
    limiter.apply(_send_now(limiter, clock), OK)
    assert limiter.learner.limit("requests") == pytest.approx(102)


def test_tokens_are_charged_as_the_service_charges_them() -> None:
    """No refund when usage is below the reservation; the excess when it is above."""
    clock = FakeClock()
    limiter = LocalLimiter(requests=None, tokens=1000, period=60.0, clock=clock)
    limiter.learner.window = math.inf
    window = limiter.window("tokens")
    assert window is not None
    limiter.apply(limiter.take(300, clock.now), Answer(status=200, used_tokens=50))
    assert window.used(clock.now) == 300  # max_tokens reserved and kept, as the service does
    limiter.apply(limiter.take(100, clock.now), Answer(status=200, used_tokens=250))
    assert window.used(clock.now) == 550  # a request without max_tokens pays what it used
    limiter.apply(limiter.take(200, clock.now), Answer(status=429, refused="tokens"))
    assert window.used(clock.now) == 550  # refused: the service did not charge it


@pytest.mark.parametrize(
    ("error", "limits", "kind"),
    [
        ({"type": "tokens", "message": ""}, RateLimits(), "tokens"),
        ({"type": "requests", "message": ""}, RateLimits(), "requests"),
        (
            {"message": "Rate limit reached on tokens per min (TPM): Limit 10"},
            RateLimits(),
            "tokens",
        ),
        ({"message": "Limit on requests per min (RPM)"}, RateLimits(), "requests"),
        (None, RateLimits(remaining_tokens=0, remaining_requests=3), "tokens"),
        (None, RateLimits(remaining_requests=0), "requests"),
        (None, RateLimits(), None),
    ],
)
def test_kind_of_refusal(
    error: dict[str, str] | None, limits: RateLimits, kind: str | None
) -> None:
    """Which limit a 429 hit: its error type, its message, or the headers at zero."""
    assert kind_of_refusal(error, limits) == kind


def test_the_request_that_taught_a_limit_counts_in_its_window() -> None:
    """A request sent before its limit was known still counts: the server counted it."""
    clock = FakeClock()
    limiter = LocalLimiter(requests=None, tokens=None, period=60.0, clock=clock)
    first = limiter.take(108, clock.now)
    limiter.apply(first, Answer(status=200, limits=RateLimits(limit_tokens=1000)))
    window = limiter.window("tokens")
    assert window is not None
    assert window.used(clock.now) == 108


def test_an_answered_request_counts_a_window_from_its_answer() -> None:
    """Answered late, a request still counts a full window after its answer, not its send."""
    clock = FakeClock()
    limiter = LocalLimiter(requests=100, tokens=None, period=1.0, clock=clock)
    reservation = limiter.take(0, clock.now)
    clock.now = 0.5
    limiter.apply(reservation, OK)
    window = limiter.window("requests")
    assert window is not None
    clock.now = 1.2  # the server may have counted it as late as 0.5
    assert window.used(clock.now) == 1
    clock.now = 1.5
    assert window.used(clock.now) == 0
