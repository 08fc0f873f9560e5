"""The chaos soak: many mixed requests through a server that misbehaves at random.

    python -m nox -s soak                      # 20,000 requests on asyncio, then on trio
    python benchmarks/soak.py --requests 2000 --backends trio --fault-rate 0.2

The local server runs in a process of its own (so that file descriptors, connections
and memory counted here are the client's), with a chaos hook: each request gets, with
probability ``--fault-rate``, a random fault: an error status (retried or final), a
dropped or reset connection, a delay, a body that stalls, and for streams an abort, an
early end, an error event, an event that is not JSON, a stall, writes cut at any byte.

The client sends plain and streamed chat completions (half each), ``--concurrency`` at
a time, with short retry waits. Every item must end as a reply, a stream read to
``[DONE]``, or an ``OpenAIError``. Reported, and required to be 0 or flat:
- untyped errors (anything not an OpenAIError) and lost items (no outcome);
- leaked file descriptors (``/proc/self/fd`` after the client closed, against before
  it was made) and connections (the server's open connections once the client closed);
- RSS at start (after a warm-up) and at the end.
The exit status is 1 if any of these fails. Never run in CI: it takes minutes.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import random
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import anyio
import httpx

from openai_async import AsyncClient, OpenAIError, RetryPolicy
from openai_async.testing import Fault, LocalServer

MESSAGES = [{"role": "user", "content": "Tell me a short story about the sea."}]
MODEL = "gpt-3.5-turbo"


# -- the server process ------------------------------------------------------------------


def chaos_fault(rng: random.Random, path: str, stream: bool) -> Fault:
    """One random misbehaviour for a request to ``path``."""
    choice = rng.randrange(12 if stream else 8)
    if choice == 0:
        return Fault(status=rng.choice([500, 502, 503]))  # retried
    if choice == 1:
        return Fault(status=429, headers={"retry-after-ms": "10"})  # retried, server's wait
    if choice == 2:
        return Fault(status=rng.choice([400, 404, 422]))  # final
    if choice == 3:
        return Fault(drop=True)
    if choice == 4:
        return Fault(reset=True)
    if choice == 5:
        return Fault(delay=rng.uniform(0, 0.05))
    if choice == 6:
        return Fault(status=503, headers={"retry-after": "9" * 5000})  # hostile header
    if choice == 7:
        return Fault(status=500, body="[" * 50_000, headers={"content-type": "application/json"})
    action = ("abort", "end", "error", "garbage")[choice - 8]
    return Fault(
        stream_action=action,
        after_events=rng.randrange(0, 6),
        write_size=rng.choice([None, 1, 7, 100]),
        keepalive=rng.random() < 0.3,
    )


def serve(fault_rate: float, seed: int) -> None:
    """Run the local server with the chaos hook; print its URL, then answer 'stats' lines."""
    server = LocalServer(record=False)
    rng = random.Random(seed)
    lock = threading.Lock()
    counts: collections.Counter[str] = collections.Counter()

    def take_fault(request: Any) -> Fault | None:
        if request.path.startswith("/_control/"):
            return None
        with lock:
            if rng.random() >= fault_rate:
                return None
            stream = b'"stream": true' in request.body or b'"stream":true' in request.body
            fault = chaos_fault(rng, request.path, stream)
            counts[fault_name(fault)] += 1
            return fault

    server.state.take_fault = take_fault  # type: ignore[method-assign]
    with server:
        print(server.url, flush=True)
        for line in sys.stdin:
            if line.strip() == "stats":
                stats = {"connections_open": server.connections_open, "faults": dict(counts)}
                print(json.dumps(stats), flush=True)


def fault_name(fault: Fault) -> str:
    if fault.stream_action is not None:
        return f"stream {fault.stream_action}"
    if fault.drop:
        return "drop"
    if fault.reset:
        return "reset"
    if fault.status is not None and len(fault.headers.get("retry-after", "")) > 100:
        return f"status {fault.status}, 5,000-digit retry-after"
    if fault.status is not None and isinstance(fault.body, str):
        return f"status {fault.status}, body nested 50,000 deep"
    if fault.status is not None:
        return f"status {fault.status}"
    return "delay"


class ServerProcess:
    def __init__(self, fault_rate: float, seed: int) -> None:
        self._proc = subprocess.Popen(
            [
                sys.executable,
                __file__,
                "--serve",
                "--fault-rate",
                str(fault_rate),
                "--seed",
                str(seed),
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self._proc.stdout is not None
        self.url = self._proc.stdout.readline().strip()

    def stats(self) -> dict[str, Any]:
        assert self._proc.stdin is not None
        assert self._proc.stdout is not None
        self._proc.stdin.write("stats\n")
        self._proc.stdin.flush()
        result: dict[str, Any] = json.loads(self._proc.stdout.readline())
        return result

    def close(self) -> None:
        assert self._proc.stdin is not None
        self._proc.stdin.close()
        self._proc.wait(timeout=30)
        if self._proc.stdout is not None:
            self._proc.stdout.close()


# -- the client --------------------------------------------------------------------------


def fd_count() -> int:
    return len(os.listdir("/proc/self/fd"))


def rss_mib() -> float:
    status = Path("/proc/self/status").read_text()
    kib = next(line.split()[1] for line in status.splitlines() if line.startswith("VmRSS:"))
    return int(kib) / 1024


async def one(client: AsyncClient, stream: bool) -> str:
    """Send one request; its outcome's name ('ok' or the error type); untyped errors raise."""
    try:
        if stream:
            chunks = await client.chat.completions.create(
                model=MODEL, messages=MESSAGES, stream=True, max_tokens=16
            )
            async with chunks:
                async for _ in chunks:
                    pass
        else:
            await client.chat.completions.create(model=MODEL, messages=MESSAGES, max_tokens=16)
    except OpenAIError as exc:
        return type(exc).__name__
    return "ok"


async def soak(url: str, requests: int, concurrency: int, seed: int) -> dict[str, Any]:
    rng = random.Random(seed)
    outcomes: collections.Counter[str] = collections.Counter()
    untyped: list[str] = []
    done = 0
    fds_before = fd_count()
    retry = RetryPolicy(max_retries=2, initial_delay=0.01, max_delay=0.05, max_retry_after=0.05)
    timeout = httpx.Timeout(5.0, connect=5.0)
    client = AsyncClient(base_url=url, api_key="", retry=retry, timeout=timeout)
    async with client:
        for _ in range(50):  # warm-up: imports, pool, caches
            await one(client, stream=False)
        rss_start = rss_mib()
        start = time.perf_counter()
        limiter = anyio.Semaphore(concurrency)
        plan = [rng.random() < 0.5 for _ in range(requests)]

        async def item(stream: bool) -> None:
            nonlocal done
            try:
                outcome = await one(client, stream)
            except Exception as exc:  # the soak's point: count what escapes the tree
                untyped.append(f"{type(exc).__module__}.{type(exc).__name__}: {exc!r}"[:300])
                outcome = "untyped"
            finally:
                limiter.release()
            outcomes[("stream " if stream else "plain ") + outcome] += 1
            done += 1

        async with anyio.create_task_group() as group:
            for stream in plan:
                await limiter.acquire()
                group.start_soon(item, stream)
        elapsed = time.perf_counter() - start
        rss_end = rss_mib()
    await anyio.sleep(0.5)  # let the OS finish closing
    return {
        "requests": requests,
        "seconds": round(elapsed, 1),
        "outcomes": dict(sorted(outcomes.items())),
        "untyped_errors": len(untyped),
        "untyped_examples": untyped[:5],
        "lost_items": requests - done,
        "fds_before": fds_before,
        "fds_after": fd_count(),
        "rss_start_mib": round(rss_start, 1),
        "rss_end_mib": round(rss_end, 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=20_000, help="per backend")
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--fault-rate", type=float, default=0.1)
    parser.add_argument("--backends", default="asyncio,trio")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.fault_rate, args.seed)
        return 0
    failed = False
    for backend in args.backends.split(","):
        server = ServerProcess(args.fault_rate, args.seed)
        try:
            result = anyio.run(
                soak, server.url, args.requests, args.concurrency, args.seed, backend=backend
            )
            for _ in range(50):  # the server sees the client's closes a moment later
                stats = server.stats()
                if stats["connections_open"] == 0:
                    break
                time.sleep(0.1)
        finally:
            server.close()
        result["server_connections_open_after"] = stats["connections_open"]
        result["faults_injected"] = sum(stats["faults"].values())
        result["faults"] = dict(sorted(stats["faults"].items()))
        leaked_fds = result["fds_after"] - result["fds_before"]
        problems = [
            name
            for name, bad in [
                ("untyped errors", result["untyped_errors"] > 0),
                ("lost items", result["lost_items"] > 0),
                ("leaked file descriptors", leaked_fds > 0),
                ("leaked connections", result["server_connections_open_after"] > 0),
                ("RSS grew > 20 MiB", result["rss_end_mib"] - result["rss_start_mib"] > 20),
            ]
            if bad
        ]
        result["problems"] = problems
        failed = failed or bool(problems)
        print(f"== {backend}")
        print(json.dumps(result, indent=2))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
