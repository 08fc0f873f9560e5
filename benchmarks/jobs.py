"""Batch jobs against a rate-limited local server: utilisation, wall time, requests sent.

    python benchmarks/jobs.py              # every scenario (~2 minutes on 2 cores)
    python benchmarks/jobs.py --quick      # smaller jobs
    python benchmarks/jobs.py --only limits|redis|packing

Scenarios (the local server in its own process, limiting per sliding window, scaled
down so each run takes seconds):

- limits: requests or tokens bind; the job is told the right limit, 150 % of it, or
  nothing; the server sends ``x-ratelimit-*`` headers, or none (429s only).
  Utilisation is as the issue measured it: the time the items need at the limit's
  rate (items / (limit / window)), over the job's wall time.
- redis: 4 worker processes share one RedisLimiter (needs redis-server on PATH and the
  ``redis`` extra); the busiest window must stay within the limit.
- packing: ``completions.create_many`` over 1,000 prompts against a server that
  refuses packed prompts (llama.cpp's answer), then against one that packs.
- batch_api: 100,000 items through the local server's Batch API (two 50,000-line
  batches); requests sent counts every HTTP request of the job (uploads, creates,
  polls, downloads).

Never part of the tests: timings belong here, not in assertions.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import anyio
import httpx

from openai_async import AsyncClient, BatchRequest, RetryPolicy
from openai_async.testing import LocalServer

LATENCY = 0.05  # seconds each request waits at the server before it is counted
WINDOW = 2.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


@contextmanager
def server_process() -> Iterator[str]:
    """The local server in its own process (the client's CPU must not slow it)."""
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "openai_async.testing", "--port", str(port)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        proc.stdout.readline()  # printed once the port is bound
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        if proc.stdout is not None:
            proc.stdout.close()


@contextmanager
def redis_server() -> Iterator[str]:
    """A throwaway redis-server on a free loopback port."""
    binary = shutil.which("redis-server")
    if binary is None:
        raise RuntimeError("redis-server is not on PATH (apt-get install -y redis-server)")
    port = free_port()
    with tempfile.TemporaryDirectory() as directory:
        proc = subprocess.Popen(
            [
                binary,
                "--port",
                str(port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                directory,
            ],
            stdout=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + 10
            while True:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.02)
            yield f"redis://127.0.0.1:{port}/0"
        finally:
            proc.terminate()
            proc.wait(timeout=10)


def configure(root: str, **limit: Any) -> None:
    httpx.post(f"{root}/_control/reset").raise_for_status()
    httpx.post(f"{root}/_control/rate_limit", json=limit).raise_for_status()
    fault = {"delay": LATENCY, "times": 10**9, "path": "/v1/"}
    httpx.post(f"{root}/_control/faults", json=fault).raise_for_status()


def stats(root: str) -> dict[str, Any]:
    answer: dict[str, Any] = httpx.get(f"{root}/_control/rate_limit").json()
    return answer


def chat_items(n: int, prefix: str = "") -> list[BatchRequest]:
    return [
        BatchRequest.chat(
            id=f"{prefix}{i}",
            model="gpt-3.5-turbo",
            messages=[{"role": "user", "content": f"question {i}"}],
            max_tokens=100,
        )
        for i in range(n)
    ]


ITEM_TOKENS = 108  # what chat_items cost the server: prompt estimate + max_tokens


async def run_job(
    url: str,
    items: list[BatchRequest],
    *,
    requests: float | None,
    tokens: float | None,
    limiter: Any = None,
    concurrency: int = 64,
) -> tuple[int, int, float]:
    """(succeeded, failed, wall seconds) of one job with the client's default retries."""
    started = time.monotonic()
    client = AsyncClient(base_url=f"{url}/v1", api_key="", retry=RetryPolicy())
    options: dict[str, Any] = {"requests_per_minute": requests, "tokens_per_minute": tokens}
    if limiter is not None:
        options = {"limiter": limiter}
    async with (
        client,
        client.batch(items, max_concurrency=concurrency, period=WINDOW, **options) as job,
    ):
        results = [result async for result in job]
    ok = sum(r.ok for r in results)
    return ok, len(results) - ok, time.monotonic() - started


def limits_case(root: str, bound: str, told: str, headers: bool, n: int) -> dict[str, Any]:
    requests_limit, tokens_limit = 120, 12_000  # per WINDOW: 60 req/s, or ~55 items/s
    limit = {"requests": requests_limit} if bound == "requests" else {"tokens": tokens_limit}
    configure(root, window=WINDOW, headers=headers, **limit)
    given = {"right": 1.0, "150%": 1.5, "none": None}[told]
    requests = tokens = None
    if given is not None:
        if bound == "requests":
            requests = requests_limit * given
        else:
            tokens = tokens_limit * given
    ok, _failed, wall = anyio.run(
        lambda: run_job(root, chat_items(n), requests=requests, tokens=tokens)
    )
    s = stats(root)
    per_item = 1 if bound == "requests" else ITEM_TOKENS
    achievable = (requests_limit if bound == "requests" else tokens_limit / per_item) / WINDOW
    return {
        "scenario": f"{bound} bind, told {told}, {'headers' if headers else 'no headers'}",
        "items": n,
        "lost": n - ok,
        "utilisation": (ok / achievable) / wall,
        "wall_s": wall,
        "requests_sent": s["arrivals"],
        "429s": s["rejected"],
    }


def _redis_worker(url: str, redis_url: str, worker: int, n: int) -> None:
    import redis.asyncio as redis

    from openai_async import RedisLimiter

    async def main() -> None:
        connection = redis.Redis.from_url(redis_url)
        limiter = RedisLimiter(connection, "bench", requests_per_minute=120, period=WINDOW)
        ok, failed, _wall = await run_job(
            url, chat_items(n, f"w{worker}-"), requests=None, tokens=None, limiter=limiter
        )
        await connection.aclose()
        print(json.dumps({"ok": ok, "failed": failed}), flush=True)

    anyio.run(main)


def redis_case(root: str, n: int, workers: int = 4) -> dict[str, Any]:
    limit = 120
    configure(root, window=WINDOW, requests=limit)
    with redis_server() as redis_url:
        started = time.monotonic()
        procs = [
            subprocess.Popen(
                [sys.executable, __file__, "--worker", root, redis_url, str(w), str(n // workers)],
                stdout=subprocess.PIPE,
                text=True,
            )
            for w in range(workers)
        ]
        outputs = [
            json.loads(p.communicate(timeout=600)[0].strip().splitlines()[-1]) for p in procs
        ]
        wall = time.monotonic() - started
    s = stats(root)
    ok = sum(o["ok"] for o in outputs)
    # Four processes start at different times (seconds apart on a busy machine): the
    # span of the server's arrivals, not the wall time, is when the budget was in use.
    span = s["last_arrival"] - s["first_arrival"]
    return {
        "scenario": f"{workers} workers, one Redis budget, requests bind",
        "items": n,
        "lost": n - ok,
        "utilisation": (ok / (limit / WINDOW)) / span,
        "wall_s": wall,
        "requests_sent": s["arrivals"],
        "429s": s["rejected"],
        "busiest_window": f"{s['busiest_window']} (limit {limit})",
    }


def packing_case(prompts: int, packs: bool) -> dict[str, Any]:
    with LocalServer() as server:
        server.state.packed_prompts = packs

        async def main() -> float:
            started = time.monotonic()
            async with AsyncClient(base_url=server.url, api_key="") as client:
                await client.completions.create_many(
                    [f"p{i}" for i in range(prompts)], model="m", max_concurrency=16
                )
            return time.monotonic() - started

        wall = anyio.run(main)
        sent = [r.json().get("prompt") for r in server.requests if r.path.endswith("/completions")]
    packed = sum(isinstance(p, list) for p in sent)
    return {
        "scenario": f"create_many, {prompts} prompts, server {'packs' if packs else 'refuses'}",
        "items": prompts,
        "lost": 0,
        "utilisation": float("nan"),
        "wall_s": wall,
        "requests_sent": len(sent),
        "429s": 0,
        "refused_packed": 0 if packs else packed,
    }


def batch_api_case(root: str, n: int) -> dict[str, Any]:
    """n embedding items through the local server's Batch API, in 50,000-line files."""
    httpx.post(f"{root}/_control/reset").raise_for_status()
    sent = 0

    async def count(request: httpx.Request, call_next: Any) -> httpx.Response:
        nonlocal sent
        sent += 1
        response: httpx.Response = await call_next(request)
        return response

    async def main() -> tuple[int, float, int]:
        items = [
            BatchRequest.embedding(id=f"e{i}", model="text-embedding-3-small", input=f"t{i}")
            for i in range(n)
        ]
        started = time.monotonic()
        client = AsyncClient(base_url=f"{root}/v1", api_key="", middleware=[count])
        options: dict[str, Any] = {"backend": "batch_api", "poll_interval": 0.2}
        async with client, client.batch(items, max_concurrency=256, **options) as job:
            ok = sum([r.ok async for r in job])
            batches = len([b async for b in client.batches.list(limit=100)])
        return ok, time.monotonic() - started, batches

    ok, wall, batches = anyio.run(main)
    return {
        "scenario": f"batch_api backend, {n} embedding items",
        "items": n,
        "lost": n - ok,
        "utilisation": float("nan"),
        "wall_s": wall,
        "requests_sent": sent,
        "429s": 0,
        "batches": batches,
    }


def table(rows: list[dict[str, Any]]) -> str:
    lines = [
        "| scenario | items | lost | utilisation | wall s | requests sent | 429s | note |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        note = ""
        if "busiest_window" in r:
            note = f"busiest window {r['busiest_window']}"
        if "batches" in r:
            note = f"batches created: {r['batches']}"
        if "refused_packed" in r:
            note = f"refused packed requests: {r['refused_packed']}"
        util = "" if r["utilisation"] != r["utilisation"] else f"{r['utilisation']:.1%}"
        lines.append(
            f"| {r['scenario']} | {r['items']} | {r['lost']} | {util} | {r['wall_s']:.1f} "
            f"| {r['requests_sent']} | {r['429s']} | {note} |"
        )
    return "\n".join(lines)


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--worker":
        url, redis_url, worker, n = sys.argv[2:6]
        _redis_worker(url, redis_url, int(worker), int(n))
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--only", choices=["limits", "redis", "packing", "batch_api"])
    args = parser.parse_args()
    n = 300 if args.quick else 900
    rows: list[dict[str, Any]] = []
    with server_process() as root:
        if args.only in (None, "limits"):
            for headers in (True, False):
                for bound in ("requests", "tokens"):
                    for told in ("right", "150%", "none"):
                        rows.append(limits_case(root, bound, told, headers, n))
                        print(table(rows[-1:]).splitlines()[-1], flush=True)
        if args.only in (None, "redis"):
            if shutil.which("redis-server") is None:
                print("redis: skipped, redis-server is not on PATH", flush=True)
            else:
                rows.append(redis_case(root, n * 2))
                print(table(rows[-1:]).splitlines()[-1], flush=True)
        if args.only in (None, "batch_api"):
            rows.append(batch_api_case(root, 20_000 if args.quick else 100_000))
            print(table(rows[-1:]).splitlines()[-1], flush=True)
    if args.only in (None, "packing"):
        for packs in (False, True):
            rows.append(packing_case(1000, packs))
            print(table(rows[-1:]).splitlines()[-1], flush=True)
    print()
    print(
        f"Latency {LATENCY * 1000:.0f} ms per request; window {WINDOW:g} s; "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    print(table(rows))


if __name__ == "__main__":
    main()
