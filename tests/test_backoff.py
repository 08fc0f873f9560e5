"""The pure rules of retrying: backoff, jitter, Retry-After parsing, what is retried."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from email.utils import format_datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from openai_async import InvalidParameterError, RetryPolicy
from openai_async._backoff import (
    DEFAULT_RETRY_STATUSES,
    backoff_delay,
    parse_retry_after,
    should_retry,
)

NOW = 1_700_000_000.0  # a fixed wall clock for HTTP dates

delays = st.floats(min_value=0, max_value=1e6, allow_nan=False)
jitters = st.floats(min_value=0, max_value=1, exclude_max=True)
retries = st.integers(min_value=0, max_value=10_000)


@given(retry=retries, initial=delays, maximum=delays, jitter=jitters)
def test_backoff_stays_within_the_capped_exponential(
    retry: int, initial: float, maximum: float, jitter: float
) -> None:
    """A wait is never negative, never above the cap, never above initial * 2**retry."""
    wait = backoff_delay(retry, initial_delay=initial, max_delay=maximum, jitter=jitter)
    assert 0 <= wait <= maximum
    if retry < 1000:
        assert wait <= initial * 2.0**retry
    assert math.isfinite(wait)


@given(retry=st.integers(min_value=0, max_value=60), initial=delays, maximum=delays)
def test_backoff_full_jitter_spans_zero_to_the_ceiling(
    retry: int, initial: float, maximum: float
) -> None:
    """Jitter 0 waits nothing; jitter near 1 waits nearly the whole capped exponential."""
    ceiling = min(maximum, initial * 2.0**retry)
    assert backoff_delay(retry, initial_delay=initial, max_delay=maximum, jitter=0.0) == 0.0
    top = backoff_delay(retry, initial_delay=initial, max_delay=maximum, jitter=0.999)
    assert top == pytest.approx(0.999 * ceiling)


@given(retry=st.integers(min_value=0, max_value=200), jitter=jitters)
def test_backoff_grows_then_holds_at_the_cap(retry: int, jitter: float) -> None:
    """For a fixed draw, each retry waits at least as long as the one before, up to the cap."""
    kwargs = {"initial_delay": 0.5, "max_delay": 8.0, "jitter": jitter}
    assert backoff_delay(retry, **kwargs) <= backoff_delay(retry + 1, **kwargs) <= 8.0


def test_backoff_examples() -> None:
    """With the defaults, the ceilings double from 0.5 s and stop at 8 s."""
    ceilings = [backoff_delay(n, initial_delay=0.5, max_delay=8.0, jitter=1.0) for n in range(7)]
    assert ceilings == [0.5, 1.0, 2.0, 4.0, 8.0, 8.0, 8.0]


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"retry-after": "1"}, 1.0),
        ({"retry-after": " 2.5 "}, 2.5),
        ({"retry-after-ms": "250"}, 0.25),
        ({"retry-after-ms": "250", "retry-after": "9"}, 0.25),
        ({"retry-after-ms": "0", "retry-after": "3"}, 3.0),
        ({"retry-after-ms": "soon", "retry-after": "3"}, 3.0),
        ({"retry-after-ms": "-5", "retry-after": "3"}, 3.0),
        ({}, None),
        ({"retry-after": ""}, None),
        ({"retry-after": "0"}, None),
        ({"retry-after": "-1"}, None),
        ({"retry-after": "inf"}, None),
        ({"retry-after": "Infinity"}, None),
        ({"retry-after": "nan"}, None),
        ({"retry-after": "1e400"}, None),
        ({"retry-after": "9" * 400}, None),
        ({"retry-after-ms": "nan"}, None),
        ({"retry-after": "soon"}, None),
        ({"retry-after": "1_0"}, None),
        ({"retry-after": "Mon, 99 Foo 9999 99:99:99 GMT"}, None),
    ],
)
def test_parse_retry_after(headers: dict[str, str], expected: float | None) -> None:
    """retry-after-ms beats Retry-After; only positive, finite, plain numbers count."""
    assert parse_retry_after(headers, now=NOW) == expected


def test_parse_retry_after_http_date() -> None:
    """An HTTP date in the future means the seconds until then; one in the past, nothing."""
    future = format_datetime(datetime.fromtimestamp(NOW + 30, UTC), usegmt=True)
    past = format_datetime(datetime.fromtimestamp(NOW - 30, UTC), usegmt=True)
    assert parse_retry_after({"retry-after": future}, now=NOW) == pytest.approx(30)
    assert parse_retry_after({"retry-after": past}, now=NOW) is None


def test_parse_retry_after_date_without_zone_is_gmt() -> None:
    """A date without a zone is read as GMT, never as the machine's local time."""
    stamp = datetime.fromtimestamp(NOW + 60, UTC).strftime("%a, %d %b %Y %H:%M:%S")
    assert parse_retry_after({"retry-after": stamp}, now=NOW) == pytest.approx(60)


@given(st.text(max_size=40), st.text(max_size=40))
def test_parse_retry_after_never_raises(after: str, after_ms: str) -> None:
    """Whatever a server sends, the answer is None or a positive finite wait."""
    for headers in ({"retry-after": after}, {"retry-after-ms": after_ms, "retry-after": after}):
        wait = parse_retry_after(headers, now=NOW)
        assert wait is None or 0 < wait < math.inf


@given(st.floats(min_value=0.001, max_value=1e9))
def test_parse_retry_after_seconds_roundtrip(seconds: float) -> None:
    """A positive number of seconds, written out, is read back exactly."""
    assert parse_retry_after({"retry-after": repr(seconds)}, now=NOW) == seconds


def test_policy_wait_prefers_the_server_up_to_the_ceiling() -> None:
    """The server's wait is used, capped at max_retry_after; without one, backoff."""
    policy = RetryPolicy(max_retry_after=20.0)
    assert policy.wait(0, {"retry-after": "7"}, now=NOW, jitter=0.9) == 7.0
    assert policy.wait(0, {"retry-after": "3600"}, now=NOW, jitter=0.9) == 20.0
    assert policy.wait(2, {"retry-after": "-3"}, now=NOW, jitter=0.5) == 1.0
    assert policy.wait(2, None, now=NOW, jitter=0.5) == 1.0


@given(retry=st.integers(min_value=0, max_value=50), jitter=jitters)
def test_policy_wait_without_server_hint_is_bounded(retry: int, jitter: float) -> None:
    """Without a server hint, a default policy waits between 0 and 8 seconds."""
    assert 0 <= RetryPolicy().wait(retry, {}, now=NOW, jitter=jitter) <= 8.0


@pytest.mark.parametrize(
    ("status", "headers", "code", "expected"),
    [
        (408, {}, None, True),
        (409, {}, None, True),
        (429, {}, None, True),
        (429, {}, "rate_limit_exceeded", True),
        (429, {}, "insufficient_quota", False),
        (500, {}, None, True),
        (503, {}, None, True),
        (599, {}, None, True),
        (400, {}, None, False),
        (401, {}, None, False),
        (404, {}, None, False),
        (422, {}, None, False),
        (500, {"x-should-retry": "false"}, None, False),
        (503, {"x-should-retry": "False"}, None, False),
        (400, {"x-should-retry": "true"}, None, True),
        (429, {"x-should-retry": "true"}, "insufficient_quota", True),
        (500, {"x-should-retry": "maybe"}, None, True),
    ],
)
def test_should_retry(
    status: int, headers: dict[str, str], code: str | None, expected: bool
) -> None:
    """408, 409, 429 and 5xx are retried; x-should-retry wins both ways; quota is final."""
    assert should_retry(status, headers, code) is expected


def test_should_retry_honours_custom_statuses() -> None:
    """A policy may retry other statuses, or fewer."""
    assert should_retry(425, {}, None, frozenset({425}))
    assert not should_retry(503, {}, None, frozenset({425}))


def test_policy_defaults_and_repr() -> None:
    """The defaults are 2 retries from 0.5 s up to 8 s, a 60 s ceiling and no deadline."""
    policy = RetryPolicy()
    assert (policy.max_retries, policy.initial_delay, policy.max_delay) == (2, 0.5, 8.0)
    assert (policy.max_retry_after, policy.deadline) == (60.0, None)
    assert policy.statuses == DEFAULT_RETRY_STATUSES
    assert "DEFAULT_RETRY_STATUSES" in repr(policy)
    assert "{429, 503}" in repr(RetryPolicy(statuses=[503, 429]))


@pytest.mark.parametrize(
    ("kwargs", "param"),
    [
        ({"max_retries": -1}, "max_retries"),
        ({"max_retries": True}, "max_retries"),
        ({"max_retries": 1.5}, "max_retries"),
        ({"initial_delay": -0.1}, "initial_delay"),
        ({"initial_delay": math.nan}, "initial_delay"),
        ({"max_delay": "8"}, "max_delay"),
        ({"max_retry_after": -1}, "max_retry_after"),
        ({"deadline": 0}, "deadline"),
        ({"deadline": math.inf}, "deadline"),
        ({"deadline": math.nan}, "deadline"),
        ({"statuses": ["429"]}, "statuses"),
        ({"statuses": 429}, "statuses"),
    ],
)
def test_policy_rejects_bad_values(kwargs: dict[str, object], param: str) -> None:
    """A bad RetryPolicy argument raises InvalidParameterError naming it."""
    with pytest.raises(InvalidParameterError) as info:
        RetryPolicy(**kwargs)  # type: ignore[arg-type]
    assert info.value.param == param
