"""Jobs against a rate-limited server in its own process: told right, 150 % or nothing.

The server limits requests or tokens per sliding window (scaled down to a second),
and each request waits 20 ms there before it is counted. Utilisation is measured as
the issue did: the time the items need at the limit's rate, over the job's wall time.
The same runs at a larger scale, held to >= 95 %, are in tests/soak_jobs.py
(``nox -s jobs_soak``).
"""

from __future__ import annotations

import time
from typing import Any

import pytest

from openai_async import AsyncClient, BatchRequest

pytestmark = [pytest.mark.anyio, pytest.mark.parametrize("anyio_backend", ["asyncio"])]

WINDOW = 1.0
REQUESTS = 100  # per WINDOW
TOKENS = 10_800  # per WINDOW: 100 items of ITEM_TOKENS
ITEM_TOKENS = 108  # what _items costs the server: prompt estimate + max_tokens
LATENCY = 0.02


def _items(n: int) -> list[BatchRequest]:
    return [
        BatchRequest.chat(
            id=str(i),
            model="gpt-3.5-turbo",
            messages=[{"role": "user", "content": f"question {i}"}],
            max_tokens=100,
        )
        for i in range(n)
    ]


async def run_case(
    server_url: str, bound: str, told: str, *, headers: bool, n: int
) -> dict[str, Any]:
    """One job under one limit; its utilisation, losses and what the server saw."""
    root = server_url.removesuffix("/v1")
    limit = {"requests": REQUESTS} if bound == "requests" else {"tokens": TOKENS}
    share = {"right": 1.0, "150%": 1.5, "none": None}[told]
    given: dict[str, float | None] = {}
    if share is not None:
        key = "requests_per_minute" if bound == "requests" else "tokens_per_minute"
        given[key] = next(iter(limit.values())) * share
    async with AsyncClient(base_url=server_url, api_key="") as client:  # default retries
        await client.request("POST", f"{root}/_control/reset")
        rate_limit = {"window": WINDOW, "headers": headers, **limit}
        await client.request("POST", f"{root}/_control/rate_limit", json=rate_limit)
        fault = {"delay": LATENCY, "times": 10**9, "path": "/v1/chat"}
        await client.request("POST", f"{root}/_control/faults", json=fault)
        started = time.monotonic()
        async with client.batch(_items(n), max_concurrency=64, period=WINDOW, **given) as job:
            results = [result async for result in job]
        wall = time.monotonic() - started
        stats: dict[str, Any] = await client.request("GET", f"{root}/_control/rate_limit")
    per_second = REQUESTS / WINDOW if bound == "requests" else TOKENS / ITEM_TOKENS / WINDOW
    ok = sum(r.ok for r in results)
    return {
        "lost": n - ok,
        "errors": [repr(r.error) for r in results if not r.ok][:3],  # why, when it fails
        "utilisation": (ok / per_second) / wall,
        "rejected": stats["rejected"],
        "busiest_window": stats["busiest_window"],
    }


@pytest.mark.parametrize("told", ["right", "150%", "none"])
@pytest.mark.parametrize("bound", ["requests", "tokens"])
async def test_a_job_finds_the_servers_limit(cli_server: str, bound: str, told: str) -> None:
    """Whatever it was told, a job loses nothing, gets no 429 and runs near the limit."""
    outcome = await run_case(cli_server, bound, told, headers=True, n=250)
    assert outcome["lost"] == 0, outcome
    assert outcome["rejected"] == 0
    assert outcome["utilisation"] >= 0.85, outcome


@pytest.mark.parametrize("bound", ["requests", "tokens"])
async def test_without_headers_429s_alone_teach_the_limit(cli_server: str, bound: str) -> None:
    """A server that sends no rate-limit headers: told nothing, the job loses nothing."""
    outcome = await run_case(cli_server, bound, "none", headers=False, n=250)
    assert outcome["lost"] == 0, outcome
    assert outcome["utilisation"] >= 0.8, outcome
