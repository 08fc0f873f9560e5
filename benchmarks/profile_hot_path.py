"""Profile one client on the sequential scenario against the benchmark server.

``python benchmarks/profile_hot_path.py [CLIENT] [-n 2000] [--sort tottime]`` runs
cProfile around N sequential chat requests (after a warm-up) and prints the top
functions, so the cost of each step (request building, headers, JSON, structuring,
the transport) can be read off per request.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import pstats
import time
from pathlib import Path

from clients import CLIENTS
from run import start_server

HERE = Path(__file__).resolve().parent


async def run(name: str, base_url: str, n: int, scenario: str, profile: bool) -> float:
    client = CLIENTS[name](base_url)
    call = {"sequential": client.chat, "embeddings": client.embed, "stream": client.stream}[
        scenario
    ]
    for _ in range(50):
        await call()
    profiler = cProfile.Profile()
    cpu0 = time.process_time()
    if profile:
        profiler.enable()
    for _ in range(n):
        await call()
    if profile:
        profiler.disable()
    cpu = time.process_time() - cpu0
    await client.aclose()
    if profile:
        profiler.dump_stats(str(HERE / "results" / f"profile-{name}.pstats"))
    return cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("client", nargs="?", default="openai_async", choices=sorted(CLIENTS))
    parser.add_argument("-n", type=int, default=2000)
    parser.add_argument(
        "--scenario", default="sequential", choices=["sequential", "embeddings", "stream"]
    )
    parser.add_argument("--sort", default="tottime", choices=["tottime", "cumulative"])
    parser.add_argument("--top", type=int, default=40)
    args = parser.parse_args()
    (HERE / "results").mkdir(exist_ok=True)

    server, base_url = start_server(None)
    try:
        plain = asyncio.run(run(args.client, base_url, args.n, args.scenario, profile=False))
        asyncio.run(run(args.client, base_url, args.n, args.scenario, profile=True))
    finally:
        assert server.stdin is not None
        server.stdin.close()
        server.wait(timeout=30)
    unit = "stream (102 chunks)" if args.scenario == "stream" else "request"
    print(f"{args.client}: {plain / args.n * 1e6:.0f} us CPU per {unit} without the profiler")
    stats = pstats.Stats(str(HERE / "results" / f"profile-{args.client}.pstats"))
    stats.sort_stats(args.sort).print_stats(args.top)


if __name__ == "__main__":
    main()
