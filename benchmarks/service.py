"""The service scenario: a FastAPI service under uvicorn re-streaming paced upstream replies.

Processes: the upstream (``server.py``, one chat chunk every 20 ms, 30 content chunks a
reply) and this coordinator, which is also the load generator, share one core; each
service (``service_app.py`` under uvicorn, one per client library) runs on the other.
For each number of callers and each round, every service in turn (the order rotating)
serves that many callers at once, each asking for one reply; every tenth caller hangs
up after three chunks. Measured per service and round: the service process's CPU
(user + system, from /proc) per chunk delivered to a caller, replies that failed (an
error status, an error event, a stream that ended without ``[DONE]``, or no end within
120 s), and the 99th percentile of the time to the first chunk. Reported: medians
over rounds, and the spread of CPU per chunk, (max - min) / median.

``python benchmarks/service.py [--callers 50,200,1000] [--rounds 5] [--clients ...]``,
or through ``run.py``, which includes it in the full table.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
CLIENTS = ["openai_async", "openai_async[aiohttp]", "openai", "openai+aiohttp"]
SDK = "openai"
PACE = 0.02
CHUNKS = 30
HANG_UP_EVERY = 10  # every tenth caller disconnects after HANG_UP_AFTER chunks
HANG_UP_AFTER = 3
CALLER_TIMEOUT = 120.0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _pin(cpu: int | None) -> Any:
    if cpu is None:
        return None
    return lambda: os.sched_setaffinity(0, {cpu})


def _cpu(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Service:
    def __init__(self, client: str, upstream: str, cpu: int | None) -> None:
        self.client = client
        self.port = _free_port()
        env = {**os.environ, "BENCH_CLIENT": client, "BENCH_UPSTREAM": upstream}
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "service_app:app",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--log-level",
                "warning",
                "--no-access-log",
                "--backlog",
                "4096",
            ],
            cwd=HERE,
            env=env,
            preexec_fn=_pin(cpu),
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                break
            except OSError:
                if self.proc.poll() is not None:
                    raise SystemExit(f"the {client} service did not start") from None
                time.sleep(0.1)
        self.url = f"http://127.0.0.1:{self.port}/chat"

    def close(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


async def _caller(session: Any, url: str, hang_up: bool) -> tuple[bool, int, float | None]:
    """(failed, chunks received, seconds to the first chunk)."""
    start = time.perf_counter()
    first = None
    chunks = 0
    try:
        async with session.get(url) as response:
            if response.status != 200:
                return True, chunks, first
            async for line in response.content:
                if line.startswith(b"event: error"):
                    return True, chunks, first
                if not line.startswith(b"data: "):
                    continue
                if line.startswith(b"data: [DONE]"):
                    return False, chunks, first
                if first is None:
                    first = time.perf_counter() - start
                chunks += 1
                if hang_up and chunks == HANG_UP_AFTER:
                    return False, chunks, first  # leaving the block drops the connection
    except Exception:
        return True, chunks, first
    return True, chunks, first  # ended without [DONE]


async def load(url: str, callers: int) -> dict[str, Any]:
    import aiohttp

    connector = aiohttp.TCPConnector(limit=0)
    timeout = aiohttp.ClientTimeout(total=CALLER_TIMEOUT)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        results = await asyncio.gather(
            *(_caller(session, url, i % HANG_UP_EVERY == HANG_UP_EVERY - 1) for i in range(callers))
        )
    firsts = sorted(r[2] for r in results if r[2] is not None)
    p99 = firsts[min(len(firsts) - 1, int(len(firsts) * 0.99))] if firsts else None
    return {
        "failed": sum(r[0] for r in results),
        "chunks": sum(r[1] for r in results),
        "p99_first_s": p99,
    }


def measure(
    services: list[Service], callers: list[int], rounds: int
) -> dict[int, dict[str, dict[str, Any]]]:
    results: dict[int, dict[str, dict[str, Any]]] = {}
    for n in callers:
        samples: dict[str, list[dict[str, Any]]] = {s.client: [] for s in services}
        for service in services:  # warm-up: connections, imports
            asyncio.run(load(service.url, min(n, 50)))
        for round_ in range(rounds):
            shift = round_ % len(services)
            for service in services[shift:] + services[:shift]:
                before = _cpu(service.proc.pid)
                outcome = asyncio.run(load(service.url, n))
                outcome["cpu"] = _cpu(service.proc.pid) - before
                samples[service.client].append(outcome)
        print(f"  service, {n} callers: done", file=sys.stderr, flush=True)
        results[n] = {name: _summary(runs) for name, runs in samples.items()}
        sdk = results[n].get(SDK, {}).get("cpu_us")
        for row in results[n].values():
            row["vs_sdk"] = row["cpu_us"] / sdk if sdk and row.get("cpu_us") else None
    return results


def _summary(runs: list[dict[str, Any]]) -> dict[str, Any]:
    per_chunk = [r["cpu"] / r["chunks"] * 1e6 if r["chunks"] else float("inf") for r in runs]
    median = statistics.median(per_chunk)
    p99s = [r["p99_first_s"] for r in runs if r["p99_first_s"] is not None]
    return {
        "cpu_us": median,
        "spread": (max(per_chunk) - min(per_chunk)) / median if median else 0.0,
        "failed": sum(r["failed"] for r in runs),
        "replies": None,
        "p99_first_ms": statistics.median(p99s) * 1e3 if p99s else None,
        "cpu_us_per_round": [round(x, 1) for x in per_chunk],
    }


def run_service_scenario(clients: list[str], callers: list[int], rounds: int) -> dict[str, Any]:
    cores = sorted(os.sched_getaffinity(0))
    pinned = len(cores) >= 2
    here_cpu, service_cpu = (cores[1], cores[0]) if pinned else (None, None)
    if here_cpu is not None:
        os.sched_setaffinity(0, {here_cpu})
    upstream = subprocess.Popen(
        [
            sys.executable,
            str(HERE / "server.py"),
            "--pace",
            str(PACE),
            "--paced-chunks",
            str(CHUNKS),
            *(["--cpu", str(here_cpu)] if here_cpu is not None else []),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert upstream.stdout is not None
    line = upstream.stdout.readline()
    base_url = f"http://127.0.0.1:{int(line.split()[1])}/v1"
    services: list[Service] = []
    try:
        services = [Service(client, base_url, service_cpu) for client in clients]
        results = measure(services, callers, rounds)
    finally:
        for service in services:
            service.close()
        assert upstream.stdin is not None
        upstream.stdin.close()
        upstream.wait(timeout=30)
    return {
        "callers": callers,
        "rounds": rounds,
        "replies_per_round": {str(n): n for n in callers},
        "results": {str(n): by_client for n, by_client in results.items()},
    }


def markdown(report: dict[str, Any]) -> str:
    lines = [
        f"### service: FastAPI under uvicorn re-streaming paced replies "
        f"(one chunk every {PACE * 1e3:.0f} ms, {CHUNKS} a reply; every "
        f"{HANG_UP_EVERY}th caller hangs up after {HANG_UP_AFTER}; {report['rounds']} rounds)",
        "",
        "| callers | client | service CPU us per chunk | spread | vs SDK default"
        " | failed replies (all rounds) | p99 first chunk ms |",
        "| ---: | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for n, by_client in report["results"].items():
        total = int(n) * report["rounds"]
        for name, row in by_client.items():
            ratio = "" if row["vs_sdk"] is None else f"{row['vs_sdk']:.2f}"
            p99 = "" if row["p99_first_ms"] is None else f"{row['p99_first_ms']:,.0f}"
            lines.append(
                f"| {int(n):,} | {name} | {row['cpu_us']:,.0f} | {row['spread']:.0%} | {ratio} "
                f"| {row['failed']:,} of {total:,} | {p99} |"
            )
    lines.append("")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--callers", default="50,200,1000")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--clients", default=",".join(CLIENTS))
    args = parser.parse_args()
    report = run_service_scenario(
        [c for c in args.clients.split(",") if c],
        [int(n) for n in args.callers.split(",") if n],
        args.rounds,
    )
    print(markdown(report))


if __name__ == "__main__":
    main()
