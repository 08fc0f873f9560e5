"""The client process: runs scenarios on one client when the coordinator asks.

``python benchmarks/worker.py CLIENT BASE_URL`` reads one JSON command a line from
standard input and answers one JSON line: the client CPU time (``time.process_time``,
this process only) and wall time for the batch, and how many units it did. One
event loop lives for the whole run, so the connection pool stays warm between
batches.

``python benchmarks/worker.py CLIENT BASE_URL --rss N`` instead runs the 200-way
load N times in a fresh process and prints its peak resident set size.

A client name ending in ``@trio`` runs under trio: each batch in its own ``trio.run``
with a client of its own, warmed up (connections, lazy imports) before the timing.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import sys
import time
from typing import Any

import anyio
from clients import CLIENTS, Client, NotAvailable

WIDTH = 200  # requests in flight in the concurrent scenario
PACED_WIDTH = 25  # paced streams in flight


async def sequential(client: Client, n: int) -> int:
    for _ in range(n):
        await client.chat()
    return n


async def concurrent(client: Client, n: int, width: int = WIDTH) -> int:
    per_task = max(1, n // width)

    async def run() -> None:
        for _ in range(per_task):
            await client.chat()

    async with anyio.create_task_group() as tg:  # anyio: the same code runs on trio
        for _ in range(width):
            tg.start_soon(run)
    return per_task * width


async def concurrent50(client: Client, n: int) -> int:
    return await concurrent(client, n, 50)


async def stream(client: Client, n: int) -> int:
    chunks = 0
    for _ in range(n):
        chunks += await client.stream()
    return chunks


async def stream_paced(client: Client, n: int) -> int:
    """Streams whose events come a few ms apart, PACED_WIDTH of them in flight."""
    counts: list[int] = []

    async def one() -> None:
        counts.append(await client.stream(model="gpt-4o-mini-paced"))

    async with anyio.create_task_group() as tg:
        for _ in range(max(n, PACED_WIDTH)):
            tg.start_soon(one)
    return sum(counts)


async def embeddings(client: Client, n: int) -> int:
    for _ in range(n):
        await client.embed()
    return n


SCENARIOS = {
    "sequential": sequential,
    "concurrent50": concurrent50,
    "concurrent": concurrent,
    "stream": stream,
    "stream_paced": stream_paced,
    "embeddings": embeddings,
}


def _measure(runner: asyncio.Runner, client: Client, scenario: str, n: int) -> dict[str, Any]:
    try:
        wall0, cpu0 = time.perf_counter(), time.process_time()
        units = runner.run(SCENARIOS[scenario](client, n))
        cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    except NotAvailable as exc:
        return {"error": f"n/a: {exc}"}
    except Exception as exc:
        return {"error": f"{type(exc).__name__}: {exc}"}
    return {"cpu": cpu, "wall": wall, "units": units}


async def _trio_batch(name: str, base_url: str, scenario: str, n: int) -> dict[str, Any]:
    client = CLIENTS[name.removesuffix("@trio")](base_url)
    try:
        await SCENARIOS[scenario](client, max(1, n // 4))  # warm-up, not timed
        wall0, cpu0 = time.perf_counter(), time.process_time()
        units = await SCENARIOS[scenario](client, n)
        return {
            "cpu": time.process_time() - cpu0,
            "wall": time.perf_counter() - wall0,
            "units": units,
        }
    finally:
        await client.aclose()


def serve_trio(name: str, base_url: str) -> None:
    import trio

    print(json.dumps({"ready": True, "notes": {}}), flush=True)
    for line in sys.stdin:
        command = json.loads(line)
        try:
            result = trio.run(_trio_batch, name, base_url, command["scenario"], command["n"])
        except Exception as exc:
            result = {"error": f"{type(exc).__name__}: {exc}"}
        print(json.dumps(result), flush=True)


def serve(name: str, base_url: str) -> None:
    if name.endswith("@trio"):
        serve_trio(name, base_url)
        return
    with asyncio.Runner() as runner:
        try:
            client = runner.run(_build(name, base_url))
        except NotAvailable as exc:
            print(json.dumps({"error": f"n/a: {exc}"}), flush=True)
            return
        print(json.dumps({"ready": True, "notes": client.notes}), flush=True)
        for line in sys.stdin:
            command = json.loads(line)
            result = _measure(runner, client, command["scenario"], command["n"])
            print(json.dumps(result), flush=True)
        runner.run(client.aclose())


async def _build(name: str, base_url: str) -> Client:
    # Built inside the loop: some clients bind their pool to the running loop.
    return CLIENTS[name](base_url)


def peak_rss(name: str, base_url: str, n: int) -> None:
    if name.endswith("@trio"):
        import trio

        trio.run(_trio_batch, name, base_url, "concurrent", n)
    else:
        with asyncio.Runner() as runner:
            client = runner.run(_build(name, base_url))
            runner.run(concurrent(client, n))
            runner.run(client.aclose())
    kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    print(json.dumps({"rss_mib": kib / 1024}), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("client", choices=sorted([*CLIENTS, *(f"{c}@trio" for c in CLIENTS)]))
    parser.add_argument("base_url")
    parser.add_argument("--rss", type=int, default=0, help="measure peak RSS over N requests")
    args = parser.parse_args()
    if args.rss:
        peak_rss(args.client, args.base_url, args.rss)
    else:
        serve(args.client, args.base_url)


if __name__ == "__main__":
    main()
