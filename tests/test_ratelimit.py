"""Rate-limit headers: durations, parsing, and where a caller finds them."""

from __future__ import annotations

import gc
import math

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from openai_async import (
    AsyncClient,
    RateLimitError,
    RateLimits,
    _response_meta,
    rate_limits_of,
    response_headers,
)
from openai_async._ratelimit import parse_duration
from openai_async.testing import LocalServer
from openai_async.types import Model

pytestmark = pytest.mark.anyio

OPENAI_HEADERS = {
    "x-ratelimit-limit-requests": "10000",
    "x-ratelimit-limit-tokens": "2000000",
    "x-ratelimit-remaining-requests": "9999",
    "x-ratelimit-remaining-tokens": "1999970",
    "x-ratelimit-reset-requests": "6ms",
    "x-ratelimit-reset-tokens": "1m30.5s",
}
MODELS = {"object": "list", "data": [{"id": "m1", "object": "model", "owned_by": "me"}]}
PARSED = RateLimits(
    limit_requests=10000,
    limit_tokens=2000000,
    remaining_requests=9999,
    remaining_tokens=1999970,
    reset_requests=0.006,
    reset_tokens=90.5,
)


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("1s", 1.0),
        ("0s", 0.0),
        ("6m0s", 360.0),
        ("20ms", 0.02),
        ("1h2m3.5s", 3723.5),
        ("1.5h", 5400.0),
        ("250us", 0.00025),
        ("250µs", 0.00025),
        ("100ns", 1e-7),
        ("60", 60.0),
        ("0.5", 0.5),
        (" 2s ", 2.0),
    ],
)
def test_parse_duration(text: str, seconds: float) -> None:
    """Go-style durations and bare seconds become float seconds."""
    assert parse_duration(text) == pytest.approx(seconds)


@pytest.mark.parametrize("text", ["", "s", "-1s", "1x", "1 s", "inf", "nan", "1s-", "m1", "1e3s"])
def test_parse_duration_rejects_garbage(text: str) -> None:
    """Anything that is not a duration gives None, never an exception or a guess."""
    assert parse_duration(text) is None


@given(
    h=st.integers(0, 99),
    m=st.integers(0, 59),
    s=st.integers(0, 59),
    ms=st.integers(0, 999),
)
def test_parse_duration_adds_its_parts(h: int, m: int, s: int, ms: int) -> None:
    """Each part of an h/m/s/ms duration counts with its unit."""
    text = f"{h}h{m}m{s}s{ms}ms"
    assert parse_duration(text) == pytest.approx(h * 3600 + m * 60 + s + ms / 1000)


@given(st.text(max_size=30))
def test_parse_duration_never_raises(text: str) -> None:
    """Arbitrary text gives None or a finite, non-negative number of seconds."""
    seconds = parse_duration(text)
    assert seconds is None or (seconds >= 0 and math.isfinite(seconds))


def test_from_headers() -> None:
    """OpenAI's six headers parse into the six fields, whatever their letter case."""
    assert RateLimits.from_headers(OPENAI_HEADERS) == PARSED
    upper = {name.upper(): value for name, value in OPENAI_HEADERS.items()}
    assert RateLimits.from_headers(upper) == PARSED
    assert RateLimits.from_headers(httpx.Headers(OPENAI_HEADERS)) == PARSED


def test_from_headers_missing_or_garbage() -> None:
    """Absent or unreadable values are None; the others still parse."""
    headers = {
        "x-ratelimit-limit-requests": "lots",
        "x-ratelimit-remaining-requests": "-3",
        "x-ratelimit-reset-tokens": "soon",
        "x-ratelimit-remaining-tokens": "12",
    }
    assert RateLimits.from_headers(headers) == RateLimits(remaining_tokens=12)
    assert RateLimits.from_headers({}) == RateLimits()


async def test_rate_limit_error_carries_rate_limits(
    client: AsyncClient, server: LocalServer
) -> None:
    """A 429 exposes its parsed x-ratelimit headers as .rate_limits."""
    server.inject(status=429, headers=OPENAI_HEADERS)
    with pytest.raises(RateLimitError) as info:
        await client.models.list()
    assert info.value.rate_limits == PARSED


async def test_successful_answer_carries_rate_limits(
    client: AsyncClient, server: LocalServer
) -> None:
    """A model returned by a successful call gives its response's headers and limits."""
    server.inject(status=200, body=MODELS, headers=OPENAI_HEADERS)
    models = await client.models.list()
    assert len(models) > 0
    assert rate_limits_of(models) == PARSED
    headers = response_headers(models)
    assert headers is not None
    assert headers["x-request-id"].startswith("req_")
    model = await client.models.retrieve("whisper-1")
    assert rate_limits_of(model) == RateLimits()  # this answer carried none
    assert response_headers(model) is not None


async def test_raw_response_and_hand_built_objects(
    client: AsyncClient, server: LocalServer
) -> None:
    """rate_limits_of reads an httpx.Response too; a hand-built model has no headers."""
    server.inject(status=200, body=MODELS, headers=OPENAI_HEADERS)
    response = await client.request("GET", "models", cast_to=httpx.Response)
    assert rate_limits_of(response) == PARSED
    model = Model(id="mine")
    assert response_headers(model) is None
    assert rate_limits_of(model) == RateLimits()
    assert rate_limits_of("a text answer") == RateLimits()


async def test_stream_carries_rate_limits(client: AsyncClient, server: LocalServer) -> None:
    """A stream's limits are its response's, readable as soon as it is returned."""
    server.set_rate_limit(requests=100, window=60)
    stream = await client.chat.completions.create(
        model="m", messages=[{"role": "user", "content": "hi"}], stream=True
    )
    async with stream:
        limits = rate_limits_of(stream)
        assert limits.limit_requests == 100
        assert response_headers(stream) is stream.response.headers


async def test_headers_do_not_change_model_equality(
    client: AsyncClient, server: LocalServer
) -> None:
    """Two equal answers stay equal, and each keeps its own response's headers."""
    first = await client.models.retrieve("whisper-1")
    second = await client.models.retrieve("whisper-1")
    assert first == second
    one, two = response_headers(first), response_headers(second)
    assert one is not None
    assert two is not None
    assert one["x-request-id"] != two["x-request-id"]
    assert "x-request-id" not in first.to_dict()


async def test_headers_live_as_long_as_their_object(client: AsyncClient) -> None:
    """Dropping a returned model drops its headers too, so long batch jobs do not leak."""
    gc.collect()  # or earlier tests' garbage, collected below, would shrink the count
    before = len(_response_meta._headers)
    model = await client.models.retrieve("whisper-1")
    assert len(_response_meta._headers) == before + 1
    del model
    gc.collect()
    assert len(_response_meta._headers) == before
