"""Retries over loopback: what is retried, how long it waits, and when it gives up."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator

import anyio
import httpx
import pytest

from openai_async import (
    APIConnectionError,
    APITimeoutError,
    AsyncClient,
    BadRequestError,
    CallNext,
    InternalServerError,
    InvalidParameterError,
    RateLimitError,
    RetryPolicy,
)
from openai_async.testing import LocalServer, instant_retries

pytestmark = pytest.mark.anyio

QUOTA = {
    "error": {
        "message": "You exceeded your current quota.",
        "type": "insufficient_quota",
        "param": None,
        "code": "insufficient_quota",
    }
}
OK = {"object": "chat.completion", "id": "chatcmpl-1"}
CHAT = {"model": "m", "messages": [{"role": "user", "content": "hi"}]}
MODELS = {"object": "list", "data": [{"id": "m1", "object": "model", "owned_by": "me"}]}


@pytest.fixture
async def retrying(server: LocalServer) -> AsyncIterator[AsyncClient]:
    """A client with the default policy (2 retries), against the local server."""
    async with AsyncClient(base_url=server.url, api_key="") as client:
        yield client


def _post(client: AsyncClient) -> object:
    return client.request("POST", "chat/completions", json=CHAT)


async def test_retry_after_one_second_then_success(
    retrying: AsyncClient, server: LocalServer
) -> None:
    """A 429 with Retry-After: 1 is tried again after about one second, then succeeds."""
    server.inject(status=429, headers={"retry-after": "1"})
    start = time.monotonic()
    models = await retrying.models.list()
    elapsed = time.monotonic() - start
    assert len(models) > 0
    assert len(server.requests) == 2
    assert 0.95 <= elapsed < 5


async def test_retry_after_is_the_wait_asked_for(
    retrying: AsyncClient, server: LocalServer
) -> None:
    """Under instant_retries the wait asked for is recorded exactly and not slept."""
    server.inject(status=429, headers={"retry-after": "1"})
    server.inject(status=503, headers={"retry-after-ms": "1500"})
    start = time.monotonic()
    with instant_retries() as waits:
        await retrying.models.list()
    assert waits == [1.0, 1.5]
    assert time.monotonic() - start < 2.0  # sleeping would take 2.5 s
    assert len(server.requests) == 3


async def test_503_twice_then_success_keeps_one_idempotency_key(
    retrying: AsyncClient, server: LocalServer
) -> None:
    """Two 503s then a 200: three attempts, all with the same Idempotency-Key."""
    server.inject(status=503, times=2)
    server.inject(status=200, body=OK)
    with instant_retries() as waits:
        assert await _post(retrying) == OK
    assert len(server.requests) == 3
    keys = {r.headers.get("idempotency-key") for r in server.requests}
    assert len(keys) == 1
    assert None not in keys
    assert len(waits) == 2
    assert 0 <= waits[0] <= 0.5
    assert 0 <= waits[1] <= 1.0


async def test_each_call_gets_its_own_idempotency_key(
    retrying: AsyncClient, server: LocalServer
) -> None:
    """Two calls get two keys; a key the caller set is kept; a GET gets none."""
    server.inject(status=200, body=OK, times=2)
    await _post(retrying)
    await _post(retrying)
    first, second = (r.headers["idempotency-key"] for r in server.requests)
    assert first != second
    server.inject(status=503)
    server.inject(status=200, body=OK)
    with instant_retries():
        await retrying.request(
            "POST", "chat/completions", json=CHAT, headers={"Idempotency-Key": "mine"}
        )
    assert [r.headers["idempotency-key"] for r in server.requests[2:]] == ["mine", "mine"]
    await retrying.models.list()
    assert "idempotency-key" not in server.requests[-1].headers


async def test_failed_responses_are_released_before_retrying(
    retrying: AsyncClient, server: LocalServer
) -> None:
    """Each failed answer gives its connection back, so the retries reuse one connection."""
    await retrying.models.list()
    opened = server.connections_opened
    server.inject(status=503, times=2)
    with instant_retries():
        await retrying.models.list()
    assert server.connections_opened == opened


async def test_cancelled_while_waiting_leaves_a_healthy_pool(
    retrying: AsyncClient, server: LocalServer
) -> None:
    """Cancelling a call during its retry wait ends it at once and leaks no connection."""
    await retrying.models.list()
    opened = server.connections_opened
    server.inject(status=503, headers={"retry-after": "5"})
    start = time.monotonic()
    with anyio.move_on_after(0.3) as scope:
        await retrying.models.list()
    assert scope.cancelled_caught
    assert time.monotonic() - start < 2
    assert len(await retrying.models.list()) > 0
    assert server.connections_opened == opened  # the 503's connection went back to the pool


async def test_insufficient_quota_is_final(retrying: AsyncClient, server: LocalServer) -> None:
    """A 429 for an exhausted quota makes one attempt and raises RateLimitError."""
    server.inject(status=429, body=QUOTA, times=3)
    with instant_retries() as waits, pytest.raises(RateLimitError) as info:
        await retrying.models.list()
    assert info.value.code == "insufficient_quota"
    assert len(server.requests) == 1
    assert waits == []


async def test_bad_request_is_not_retried(retrying: AsyncClient, server: LocalServer) -> None:
    """A 400 makes one attempt."""
    server.inject(status=400, times=3)
    with instant_retries(), pytest.raises(BadRequestError):
        await retrying.models.list()
    assert len(server.requests) == 1


@pytest.mark.parametrize("fault", [{"reset": True}, {"drop": True}])
async def test_broken_connection_is_retried(
    retrying: AsyncClient, server: LocalServer, fault: dict[str, bool]
) -> None:
    """A connection reset or closed before any answer is tried again."""
    server.inject(**fault)
    with instant_retries() as waits:
        models = await retrying.models.list()
    assert len(models) > 0
    assert len(server.requests) == 2
    assert len(waits) == 1


async def test_reset_without_retries_is_a_connection_error(
    client: AsyncClient, server: LocalServer
) -> None:
    """With retries off, a reset connection raises APIConnectionError at once."""
    server.inject(reset=True)
    with pytest.raises(APIConnectionError):
        await client.models.list()
    assert len(server.requests) == 1


async def test_connection_errors_run_out_of_retries(server: LocalServer) -> None:
    """A connection that breaks every time raises APIConnectionError after all attempts."""
    async with AsyncClient(base_url=server.url, api_key="", max_retries=3) as client:
        server.inject(drop=True, times=10)
        with instant_retries() as waits, pytest.raises(APIConnectionError):
            await client.models.list()
    assert len(server.requests) == 4
    assert len(waits) == 3


async def test_statuses_run_out_of_retries(retrying: AsyncClient, server: LocalServer) -> None:
    """A server failing every time gets 1 + max_retries attempts, then its error."""
    server.inject(status=500, times=10)
    with instant_retries(), pytest.raises(InternalServerError):
        await retrying.models.list()
    assert len(server.requests) == 3


async def test_x_should_retry_false_wins(retrying: AsyncClient, server: LocalServer) -> None:
    """x-should-retry: false on a 500 makes one attempt."""
    server.inject(status=500, headers={"x-should-retry": "false"}, times=3)
    with instant_retries(), pytest.raises(InternalServerError):
        await retrying.models.list()
    assert len(server.requests) == 1


async def test_x_should_retry_true_wins(retrying: AsyncClient, server: LocalServer) -> None:
    """x-should-retry: true on a 400 is retried."""
    server.inject(status=400, headers={"x-should-retry": "true"})
    with instant_retries():
        await retrying.models.list()
    assert len(server.requests) == 2


async def test_success_is_never_retried(retrying: AsyncClient, server: LocalServer) -> None:
    """A 2xx answer is returned as is, even with x-should-retry: true."""
    server.inject(status=200, body=MODELS, headers={"x-should-retry": "true"})
    await retrying.models.list()
    assert len(server.requests) == 1


async def test_streamed_success_is_handed_over_unread(
    retrying: AsyncClient, server: LocalServer
) -> None:
    """A stream=True 2xx comes back with its body unread and is never retried."""
    server.inject(status=200, body=MODELS, headers={"x-should-retry": "true"})
    async with retrying.models.with_streaming_response.list() as response:
        assert not response.http_response.is_stream_consumed
        assert b'"object"' in await response.read()
    assert len(server.requests) == 1


async def test_deadline_beats_a_long_retry_after(server: LocalServer) -> None:
    """A 2 s deadline against Retry-After: 10 raises the 429 at once, not after 10 s."""
    policy = RetryPolicy(deadline=2.0)
    async with AsyncClient(base_url=server.url, api_key="", retry=policy) as client:
        server.inject(status=429, headers={"retry-after": "10"})
        start = time.monotonic()
        with pytest.raises(RateLimitError):
            await client.models.list()
        assert time.monotonic() - start < 0.5
    assert len(server.requests) == 1


async def test_deadline_holds_under_instant_retries(server: LocalServer) -> None:
    """The testing switch skips sleeping, not the deadline's decision."""
    policy = RetryPolicy(deadline=2.0)
    async with AsyncClient(base_url=server.url, api_key="", retry=policy) as client:
        server.inject(status=429, headers={"retry-after": "10"})
        with instant_retries() as waits, pytest.raises(RateLimitError):
            await client.models.list()
    assert waits == []


async def test_deadline_cuts_a_slow_attempt(server: LocalServer) -> None:
    """An attempt still running at the deadline fails with APITimeoutError, untried again."""
    policy = RetryPolicy(deadline=0.5)
    async with AsyncClient(base_url=server.url, api_key="", retry=policy) as client:
        server.inject(delay=2)
        start = time.monotonic()
        with pytest.raises(APITimeoutError) as info:
            await client.models.list()
        elapsed = time.monotonic() - start
        assert "deadline (0.5 s for the whole call)" in str(info.value)  # which limit passed
        assert len(server.requests) == 1
        assert len(await client.models.list()) > 0  # the pool recovered from the cut
    assert 0.45 <= elapsed < 1.8


async def test_deadline_allows_waits_that_fit(server: LocalServer) -> None:
    """Retries whose waits end before the deadline still happen."""
    policy = RetryPolicy(deadline=30.0)
    async with AsyncClient(base_url=server.url, api_key="", retry=policy) as client:
        server.inject(status=503, headers={"retry-after": "5"}, times=2)
        with instant_retries() as waits:
            await client.models.list()
    assert waits == [5.0, 5.0]


async def test_stalled_body_times_out(client: AsyncClient, server: LocalServer) -> None:
    """A non-streamed body that stalls past the read timeout raises APITimeoutError."""
    server.inject(status=200, body=MODELS, stall_body=1.5)
    start = time.monotonic()
    with pytest.raises(APITimeoutError):
        await client.with_options(timeout=httpx.Timeout(5, read=0.2)).models.list()
    assert time.monotonic() - start < 1.3


async def test_streamed_read_stall_times_out(client: AsyncClient, server: LocalServer) -> None:
    """The per-call read timeout travels with a streamed request and bounds each read."""
    server.inject(status=200, body=MODELS, stall_body=1.5)
    variant = client.with_options(timeout=httpx.Timeout(5, read=0.2))
    async with variant.models.with_streaming_response.list() as response:
        start = time.monotonic()
        with pytest.raises(APITimeoutError):
            async for _ in response.iter_bytes():
                pass
    assert time.monotonic() - start < 1.3


async def test_stalled_body_is_retried(retrying: AsyncClient, server: LocalServer) -> None:
    """A read timeout inside the body is a timeout like any other: it is retried."""
    server.inject(status=200, body=MODELS, stall_body=1.5)
    with instant_retries():
        models = await retrying.with_options(timeout=httpx.Timeout(5, read=0.2)).models.list()
    assert len(models) > 0
    assert len(server.requests) == 2


async def test_per_call_policy_with_options(retrying: AsyncClient, server: LocalServer) -> None:
    """with_options changes retries for that variant only; the client keeps its own."""
    server.inject(status=503, times=10)
    with instant_retries(), pytest.raises(InternalServerError):
        await retrying.with_options(max_retries=0).models.list()
    assert len(server.requests) == 1
    five = retrying.with_options(retry=RetryPolicy(max_retries=5))
    with instant_retries(), pytest.raises(InternalServerError):
        await five.models.list()
    assert len(server.requests) == 7
    assert retrying.max_retries == 2
    assert five.max_retries == 5


async def test_retry_policy_and_max_retries_on_the_client(server: LocalServer) -> None:
    """retry sets the policy; max_retries alone changes only its count and wins."""
    policy = RetryPolicy(max_retries=4, initial_delay=0.1, statuses=[503])
    both = AsyncClient(base_url=server.url, api_key="", retry=policy, max_retries=1)
    assert both.retry == RetryPolicy(max_retries=1, initial_delay=0.1, statuses=[503])
    assert AsyncClient(api_key="").retry == RetryPolicy()
    assert AsyncClient(api_key="", max_retries=0).max_retries == 0
    assert both.with_options(max_retries=3).retry.initial_delay == 0.1
    async with both:
        server.inject(status=500, times=3)  # not in this policy's statuses
        with instant_retries(), pytest.raises(InternalServerError):
            await both.models.list()
    assert len(server.requests) == 1


def test_retry_must_be_a_policy() -> None:
    """Anything but a RetryPolicy for retry= is refused, naming the parameter."""
    with pytest.raises(InvalidParameterError) as info:
        AsyncClient(api_key="", retry=3)  # type: ignore[arg-type]
    assert info.value.param == "retry"
    with pytest.raises(InvalidParameterError) as info:
        AsyncClient(api_key="").with_options(max_retries=-2)
    assert info.value.param == "max_retries"


async def test_user_middleware_runs_once_per_attempt(server: LocalServer) -> None:
    """User middleware sits inside the retry loop: it sees every attempt."""
    seen: list[int] = []

    async def count(request: httpx.Request, call_next: CallNext) -> httpx.Response:
        response = await call_next(request)
        seen.append(response.status_code)
        return response

    async with AsyncClient(base_url=server.url, api_key="", middleware=[count]) as client:
        server.inject(status=503, times=2)
        with instant_retries():
            await client.models.list()
    assert seen == [503, 503, 200]


async def test_instant_retries_nests_and_restores(
    retrying: AsyncClient, server: LocalServer
) -> None:
    """Each block records its own waits; after the blocks, waits are real again."""
    with instant_retries() as outer:
        with instant_retries() as unused:
            pass
        server.inject(status=503, headers={"retry-after": "0.2"})
        await retrying.models.list()
        with instant_retries() as inner:
            server.inject(status=503, headers={"retry-after": "0.4"})
            await retrying.models.list()
    assert unused == []
    assert outer == [0.2]
    assert inner == [0.4]
    server.inject(status=503, headers={"retry-after": "0.3"})
    start = time.monotonic()
    await retrying.models.list()
    assert time.monotonic() - start >= 0.25
