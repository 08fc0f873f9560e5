"""Rate-limit utilisation and wall time of a batch job against a rate-limited server.

    python benchmarks/bench_batch.py [--items 3000] [--limit 300] [--window 1.0]

The local server runs in its own process and enforces ``--limit`` requests per sliding
``--window`` seconds (429 with real headers beyond). The job is given the same limit.
Reported: achieved rate as a share of the limit, the busiest window the server saw,
429s, and wall time against the ideal ``items / limit * window``.
"""

from __future__ import annotations

import argparse
import json
import socket
import subprocess
import sys
import time

import anyio

from openai_async import AsyncClient, BatchRequest


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


async def run(
    url: str, items: int, limit: int, window: float, concurrency: int
) -> dict[str, float]:
    control = url.removesuffix("/v1") + "/_control/rate_limit"
    requests = [
        BatchRequest(path=f"models/whisper-1?item={i}", method="GET", id=str(i))
        for i in range(items)
    ]
    async with AsyncClient(base_url=url, api_key="", max_retries=5) as client:
        await client.request("POST", control, json={"requests": limit, "window": window})
        start = time.monotonic()
        async with client.batch(
            requests, max_concurrency=concurrency, requests_per_minute=limit, period=window
        ) as job:
            results = await job.collect()
        wall = time.monotonic() - start
        stats = await client.request("GET", control)
    span = stats["last_arrival"] - stats["first_arrival"]
    return {
        "items": len(results),
        "ok": sum(r.ok for r in results),
        "utilisation": (items / span) / (limit / window),
        "busiest_window": stats["busiest_window"],
        "limit": limit,
        "rejected_429": stats["rejected"],
        "wall_s": wall,
        "ideal_wall_s": items / limit * window,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=3000)
    parser.add_argument("--limit", type=int, default=300)
    parser.add_argument("--window", type=float, default=1.0)
    parser.add_argument("--concurrency", type=int, default=64)
    args = parser.parse_args()
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "openai_async.testing", "--port", str(port)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        server.stdout.readline()
        url = f"http://127.0.0.1:{port}/v1"
        result = anyio.run(run, url, args.items, args.limit, args.window, args.concurrency)
    finally:
        server.terminate()
        server.wait()
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
