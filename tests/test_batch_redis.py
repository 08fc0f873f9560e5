"""One rate budget shared through a real redis-server: workers, deaths, TTLs, trio."""

from __future__ import annotations

import inspect
import json
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest

from openai_async import AsyncClient, BatchRequest, RedisLimiter
from openai_async.jobs import Answer
from openai_async.testing import LocalServer

from .conftest import unused_port

redis = pytest.importorskip("redis", reason="needs redis-py: pip install openai_async[redis]")

pytestmark = pytest.mark.anyio


@pytest.fixture(scope="module")
def redis_url() -> Iterator[str]:
    """A redis-server of our own on a free loopback port, gone after the module."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not on PATH (apt-get install -y redis-server)")
    port = unused_port()
    with tempfile.TemporaryDirectory() as directory:
        proc = subprocess.Popen(
            [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--dir", directory],
            stdout=subprocess.DEVNULL,
        )
        try:
            client = redis.Redis(port=port)
            deadline = time.monotonic() + 10
            while True:
                try:
                    client.ping()
                    break
                except redis.ConnectionError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.02)
            client.close()
            yield f"redis://127.0.0.1:{port}/0"
        finally:
            proc.terminate()
            proc.wait(timeout=10)


def _connect(url: str, backend: str) -> Any:
    """redis-py's asyncio client on asyncio; its plain client (in threads) on trio."""
    if backend == "asyncio":
        return redis.asyncio.Redis.from_url(url)
    return redis.Redis.from_url(url)


async def _close(connection: Any) -> None:
    await _done(connection.aclose() if hasattr(connection, "aclose") else connection.close())


async def _done(result: Any) -> Any:
    """The result of a call on either client: awaited when it is the asyncio one's."""
    return await result if inspect.isawaitable(result) else result


@pytest.fixture
def budget_name(request: pytest.FixtureRequest) -> str:
    # No [ ] (KEYS patterns read them as a class): test-name-asyncio-123...
    name = request.node.name.replace("[", "-").replace("]", "")
    return f"test-{name}-{time.monotonic_ns()}"


async def test_a_job_runs_on_a_shared_budget(
    redis_url: str, budget_name: str, server: LocalServer, anyio_backend: str
) -> None:
    """A job with a RedisLimiter finishes every item within the budget (trio: sync client)."""
    limit = server.set_rate_limit(requests=40, window=1.0)
    connection = _connect(redis_url, anyio_backend)
    budget = RedisLimiter(connection, budget_name, requests_per_minute=40, period=1.0)
    items = [BatchRequest(path="models/whisper-1", method="GET", id=str(i)) for i in range(60)]
    try:
        async with (
            AsyncClient(base_url=server.url, api_key="") as client,
            client.batch(items, limiter=budget, max_concurrency=16) as job,
        ):
            results = [result async for result in job]
    finally:
        await _close(connection)
    assert len(results) == 60
    assert all(r.ok for r in results)
    assert limit.rejected == 0
    assert limit.busiest_window() <= 40


_WORKER = textwrap.dedent(
    """
    import json, sys
    import anyio
    import redis.asyncio as redis
    from openai_async import AsyncClient, BatchRequest, RedisLimiter

    url, redis_url, name, worker, n, limit, window = sys.argv[1:8]

    async def main():
        connection = redis.Redis.from_url(redis_url)
        budget = RedisLimiter(
            connection, name, requests_per_minute=float(limit), period=float(window)
        )
        items = [
            BatchRequest(path=f"models/whisper-1?w={worker}&i={i}", method="GET", id=str(i))
            for i in range(int(n))
        ]
        async with AsyncClient(base_url=url, api_key="") as client:
            async with client.batch(items, limiter=budget, max_concurrency=32) as job:
                ok = sum([r.ok async for r in job])
        await connection.aclose()
        print(json.dumps({"ok": ok}), flush=True)

    anyio.run(main)
    """
)


def run_workers(
    redis_url: str, name: str, server_url: str, tmp_path: Path, *, per_worker: int, limit: int
) -> None:
    """4 processes share one budget against the server: within the limit, at >= 90 %."""
    window = 1.0
    root = server_url.removesuffix("/v1")
    httpx.post(f"{root}/_control/reset").raise_for_status()
    httpx.post(f"{root}/_control/rate_limit", json={"requests": limit, "window": window})
    script = tmp_path / "worker.py"
    script.write_text(_WORKER)
    numbers = [str(per_worker), str(limit), str(window)]
    procs = [
        subprocess.Popen(
            [sys.executable, str(script), server_url, redis_url, name, str(w), *numbers],
            stdout=subprocess.PIPE,
            text=True,
        )
        for w in range(4)
    ]
    outputs = [json.loads(p.communicate(timeout=300)[0].strip().splitlines()[-1]) for p in procs]
    stats = httpx.get(f"{root}/_control/rate_limit").json()
    assert sum(o["ok"] for o in outputs) == 4 * per_worker
    assert stats["busiest_window"] <= limit
    assert stats["rejected"] == 0
    # The workers start seconds apart on a busy machine: the budget is in use from
    # the server's first arrival to its last.
    span = stats["last_arrival"] - stats["first_arrival"]
    utilisation = (4 * per_worker / span) / (limit / window)
    assert utilisation >= 0.9


def test_four_worker_processes_share_one_budget(
    redis_url: str, budget_name: str, cli_server: str, tmp_path: Path
) -> None:
    """4 processes on one budget stay within the limit in every window, at >= 90 % of it.

    (At a larger scale in tests/soak_jobs.py: ``nox -s jobs_soak``.)
    """
    run_workers(redis_url, budget_name, cli_server, tmp_path, per_worker=40, limit=80)


async def test_a_dead_worker_leaks_budget_for_at_most_one_window(
    redis_url: str, budget_name: str, anyio_backend: str
) -> None:
    """Reservations never settled (the worker died) stop blocking others within a window."""
    period = 1.0
    dead_conn = _connect(redis_url, anyio_backend)
    dead = RedisLimiter(dead_conn, budget_name, tokens_per_minute=1000, period=period)
    await dead.acquire(1000)  # the whole window's tokens, then the worker is gone
    await _close(dead_conn)
    conn = _connect(redis_url, anyio_backend)
    alive = RedisLimiter(conn, budget_name, tokens_per_minute=1000, period=period)
    started = time.monotonic()
    with anyio.fail_after(5):
        await alive.acquire(100)
    waited = time.monotonic() - started
    await _close(conn)
    assert 0.05 < waited <= period + 0.2


async def test_every_key_has_a_ttl_and_a_429_holds_every_worker(
    redis_url: str, budget_name: str, anyio_backend: str
) -> None:
    """Buckets and holds expire on their own; a 429 seen by one worker holds the others."""
    conn = _connect(redis_url, anyio_backend)
    one = RedisLimiter(conn, budget_name, requests_per_minute=600, tokens_per_minute=10**6)
    other = RedisLimiter(conn, budget_name, requests_per_minute=600, tokens_per_minute=10**6)
    await one.settle(await one.acquire(10), Answer(status=200))  # answered: in the log
    await one.acquire(10)  # pending: the worker "died" before its answer
    reservation = await one.acquire(10)
    await one.settle(reservation, Answer(status=429, retry_after=0.5, refused="requests"))
    keys = await _done(conn.keys(f"openai_async:{{{budget_name}}}:*"))
    assert len(keys) == 4  # log, pending, state, hold
    for key in keys:
        assert 0 < await _done(conn.pttl(key)) <= 120_000  # two windows, renewed by each use
    started = time.monotonic()
    await other.acquire(10)
    assert time.monotonic() - started >= 0.4
    await _close(conn)


async def test_usage_beyond_the_reservation_is_charged_to_everyone(
    redis_url: str, budget_name: str, anyio_backend: str
) -> None:
    """Extra tokens a worker reports make the others wait for them."""
    conn = _connect(redis_url, anyio_backend)
    one = RedisLimiter(conn, budget_name, tokens_per_minute=6000, period=1.0)
    other = RedisLimiter(conn, budget_name, tokens_per_minute=6000, period=1.0)
    reservation = await one.acquire(10)
    await one.settle(reservation, Answer(status=200, used_tokens=10 + 3000))
    started = time.monotonic()
    await other.acquire(10)
    assert time.monotonic() - started >= 0.3  # ~3,000 tokens at ~5,700 a second
    await _close(conn)


def test_bad_arguments_name_the_parameter(redis_url: str) -> None:
    """A budget without a name, or with a nonsense limit, is refused by parameter name."""
    from openai_async import InvalidParameterError

    conn = redis.Redis.from_url(redis_url)
    with pytest.raises(InvalidParameterError) as info:
        RedisLimiter(conn, "")
    assert info.value.param == "name"
    with pytest.raises(InvalidParameterError) as info:
        RedisLimiter(conn, "x", requests_per_minute=float("nan"))
    assert info.value.param == "requests_per_minute"

    class Revealing:
        def __repr__(self) -> str:
            return "sk-revealed-0042"

    with pytest.raises(InvalidParameterError) as info:
        RedisLimiter(conn, "x", period=Revealing())  # type: ignore[arg-type]
    assert info.value.param == "period"
    assert "sk-revealed" not in str(info.value)
    conn.close()


def test_repr_shows_no_connection_details(redis_url: str) -> None:
    """The repr names the budget and its limits, not the Redis URL (it may hold a password)."""
    conn = redis.Redis.from_url(redis_url.replace("redis://", "redis://:hunter2@"))
    text = repr(RedisLimiter(conn, "team", requests_per_minute=500))
    assert "hunter2" not in text
    assert "team" in text
    assert "500" in text
    conn.close()
