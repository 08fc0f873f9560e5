"""Streams and requests that end early (break, cancellation) leak no connection.

Finished streams reuse their connection.

How it is measured, on both sides of the socket:
- client side: the pool (``_asyncio_http``'s on asyncio, the HTTP/1.1 pool of
  ``_http11`` on trio) has no connection checked out, and every connection
  it still holds is idle;
- server side: the local server's ``connections_open`` (sockets whose handler has not
  seen the end) falls to at most the pool's idle connections, which is itself within
  ``max_keepalive_connections``;
- the operating system (Linux): the process's socket file descriptors, counted in
  ``/proc/self/fd``, are at most two per idle pooled connection (its client end and its
  server end, both in this process) above the count before the streams began.
A dedicated server keeps other tests' sockets out of the counts.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import anyio
import httpcore
import pytest

from openai_async import DEFAULT_LIMITS, APIStatusError, AsyncClient
from openai_async._asyncio_http import AsyncioTransport
from openai_async._http11 import HTTP11Transport
from openai_async.testing import LocalServer

pytestmark = pytest.mark.anyio

# Long enough that breaking after two chunks leaves most of the body unread.
MESSAGES = [{"role": "user", "content": " ".join(f"word{i}" for i in range(300))}]
CONCURRENCY = 20
STREAMS = 1000  # on each backend: a few seconds each


@pytest.fixture(scope="module")
def leak_server() -> Iterator[LocalServer]:
    with LocalServer(record=False) as server:
        yield server


@pytest.fixture
async def leak_client(leak_server: LocalServer) -> AsyncIterator[AsyncClient]:
    leak_server.reset()
    async with AsyncClient(base_url=leak_server.url, api_key="", max_retries=0) as client:
        yield client


def pool_state(client: AsyncClient) -> tuple[int, int]:
    """(connections checked out or waited for, idle connections) of the client's pool."""
    inner = client._http._transport.inner  # type: ignore[attr-defined]
    if isinstance(inner, HTTP11Transport | AsyncioTransport):  # trio, asyncio
        return inner.counts()
    checked_out = idle = 0
    for transport in inner.pools:  # Shards of httpcore pools
        pool = transport._pool
        assert isinstance(pool, httpcore.AsyncConnectionPool)
        live = [c for c in pool.connections if not c.is_closed()]
        assert all(c.is_idle() for c in live)
        checked_out += len(pool._requests)
        idle += len(live)
    return checked_out, idle


def open_sockets() -> int:
    """Socket descriptors of this process (-1 where /proc is not available)."""
    fds = Path("/proc/self/fd")
    if not fds.is_dir():
        return -1
    count = 0
    for fd in fds.iterdir():
        with contextlib.suppress(OSError):  # descriptors come and go while we look
            count += os.readlink(fd).startswith("socket:")
    return count


@pytest.fixture
def sockets_before(leak_client: AsyncClient) -> int:
    return open_sockets()


async def assert_nothing_leaked(
    client: AsyncClient, server: LocalServer, sockets_before: int
) -> None:
    checked_out, idle = pool_state(client)
    assert checked_out == 0  # nothing checked out, nothing waiting
    assert idle <= DEFAULT_LIMITS.max_keepalive_connections
    live = range(idle)

    # The server notices closed sockets on its own thread: give it a moment.
    def settled() -> bool:
        sockets_ok = sockets_before < 0 or open_sockets() <= sockets_before + 2 * len(live)
        return server.connections_open <= len(live) and sockets_ok

    for _ in range(1000):
        if settled():
            break
        await anyio.sleep(0.01)
    assert server.connections_open <= len(live)
    if sockets_before >= 0:
        assert open_sockets() <= sockets_before + 2 * len(live)


async def run_in_batches(total: int, job: Any) -> None:
    for start in range(0, total, CONCURRENCY):
        async with anyio.create_task_group() as tg:
            for _ in range(min(CONCURRENCY, total - start)):
                tg.start_soon(job)


async def test_streams_broken_after_two_chunks_leak_nothing(
    leak_client: AsyncClient, leak_server: LocalServer, sockets_before: int
) -> None:
    """Many streams left with break after two chunks leave no connection checked out."""
    broken = 0

    async def one() -> None:
        nonlocal broken
        stream = await leak_client.chat.completions.create(
            model="m", messages=MESSAGES, stream=True
        )
        async with stream:
            seen = 0
            async for _ in stream:
                seen += 1
                if seen == 2:
                    broken += 1
                    break

    total = STREAMS
    await run_in_batches(total, one)
    assert broken == total
    await assert_nothing_leaked(leak_client, leak_server, sockets_before)


async def test_streams_cancelled_midway_leak_nothing(
    leak_client: AsyncClient, leak_server: LocalServer, sockets_before: int
) -> None:
    """Many streams cancelled by move_on_after while waiting for data leak nothing."""
    cancelled = 0
    leak_server.inject(event_delay=0.002, times=10_000, path="/chat/completions")

    async def one() -> None:
        nonlocal cancelled
        with anyio.move_on_after(30) as scope:
            stream = await leak_client.chat.completions.create(
                model="m", messages=MESSAGES, stream=True
            )
            async with stream:
                seen = 0
                async for _ in stream:
                    seen += 1
                    if seen == 3:
                        # Expire the deadline: the next read, mid-stream, is cancelled.
                        scope.deadline = anyio.current_time()
        if scope.cancelled_caught:
            cancelled += 1

    total = STREAMS
    await run_in_batches(total, one)
    assert cancelled == total
    await assert_nothing_leaked(leak_client, leak_server, sockets_before)


# Cancelled while sending the request body, httpcore leaves httpx's request-body
# generator suspended and trio reports it when collected. That is inside httpx, after
# our code handed the request over; the connection itself is released (asserted below).
@pytest.mark.filterwarnings(
    "ignore:Async generator 'httpx._content.ByteStream.__aiter__':ResourceWarning"
)
async def test_streams_cancelled_at_random_points_leak_nothing(
    leak_client: AsyncClient, leak_server: LocalServer, sockets_before: int
) -> None:
    """Cancellation anywhere (connecting, headers, body) leaves the pool clean."""
    leak_server.inject(event_delay=0.001, times=10_000, path="/chat/completions")

    async def one(delay: float) -> None:
        with anyio.move_on_after(delay):
            stream = await leak_client.chat.completions.create(
                model="m", messages=MESSAGES, stream=True
            )
            async with stream:
                async for _ in stream:
                    pass

    for start in range(0, 200, CONCURRENCY):
        async with anyio.create_task_group() as tg:
            for i in range(CONCURRENCY):
                tg.start_soon(one, ((start + i) % 17) * 0.002)
    await assert_nothing_leaked(leak_client, leak_server, sockets_before)


async def test_sequential_streams_reuse_a_few_connections(
    leak_client: AsyncClient, leak_server: LocalServer, sockets_before: int
) -> None:
    """100 streams read to [DONE], one after another, need only a few connections."""
    opened = leak_server.connections_opened
    for _ in range(100):
        stream = await leak_client.chat.completions.create(
            model="m", messages=MESSAGES[:1], stream=True, max_tokens=20
        )
        async with stream:
            chunks = [chunk async for chunk in stream]
        assert chunks[-1].choices[0].finish_reason == "length"
    assert leak_server.connections_opened - opened <= 2
    await assert_nothing_leaked(leak_client, leak_server, sockets_before)


# A models list of about 40 kB, so that its body spans many reads.
MODELS = {
    "object": "list",
    "data": [{"id": f"model-{i:04d}", "object": "model"} for i in range(800)],
}


@pytest.mark.parametrize("status", [200, 500])
async def test_requests_cancelled_while_their_body_is_read_leak_nothing(
    leak_client: AsyncClient, leak_server: LocalServer, sockets_before: int, status: int
) -> None:
    """A request cancelled while its stalled body is read, then closed, leaves the pool clean."""
    # HTTPXSend reads non-streamed and error bodies itself, then closes the response in a
    # ``finally`` that runs inside the cancelled scope: the close meets the cancellation.
    # The stall is 20 times the deadline: a request whose event loop is held up longer
    # than the stall (the in-process server's thread holding the GIL) would find its
    # body's rest and its cancellation ready at the same wake-up, and trio resumes a
    # read whose bytes came, so the request would end answered (seen twice at 0.2 s).
    leak_server.inject(status=status, body=MODELS, stall_body=1.0, times=10_000, path="/models")
    cancelled = 0

    async def one() -> None:
        nonlocal cancelled
        with anyio.move_on_after(0.05) as scope:  # the body stalls halfway for 1 s
            await leak_client.models.list()
        cancelled += scope.cancelled_caught

    await run_in_batches(100, one)
    assert cancelled == 100
    assert pool_state(leak_client) == (0, 0)  # half-read connections are not reused
    await assert_nothing_leaked(leak_client, leak_server, sockets_before)


@pytest.mark.parametrize("status", [200, 500])
async def test_requests_cancelled_at_random_points_leak_nothing(
    leak_client: AsyncClient, leak_server: LocalServer, sockets_before: int, status: int
) -> None:
    """Non-streamed requests cancelled anywhere (connecting, headers, body, close) leak nothing."""
    leak_server.inject(status=status, body=MODELS, stall_body=0.01, times=10_000, path="/models")
    outcomes = {"cancelled": 0, "answered": 0}

    async def one(delay: float) -> None:
        with anyio.move_on_after(delay) as scope:
            with contextlib.suppress(APIStatusError):
                await leak_client.models.list()
            outcomes["answered"] += 1
        outcomes["cancelled"] += scope.cancelled_caught

    for start in range(0, 200, CONCURRENCY):
        async with anyio.create_task_group() as tg:
            for i in range(CONCURRENCY):
                n = start + i
                # Deadlines from 0 to 32 ms land anywhere from connecting to the close;
                # every tenth request gets time to finish, so under any load both
                # outcomes happen.
                tg.start_soon(one, 5.0 if n % 10 == 9 else (n % 17) * 0.002)
    assert outcomes["cancelled"] > 0  # both outcomes happened: the deadlines straddle the body
    assert outcomes["answered"] > 0
    await assert_nothing_leaked(leak_client, leak_server, sockets_before)
