"""Side-by-side benchmarks: openai_async, the official SDK and raw httpx in one run.

``nox -s bench`` (or ``python benchmarks/run.py`` where the clients are installed)
starts the fake server in its own process, one worker process per client, and then
runs every scenario in rounds, rotating the client order each round so that drift
in the machine's load spreads over all clients. It reports medians per unit (a
request, or a streamed chunk) of the client process's CPU time and of wall time,
with ratios to raw httpx on the same transport and to the official SDK, then import
times and peak RSS. Results go to ``benchmarks/results/`` as JSON and Markdown.

With two or more cores, the server is pinned to one core and the clients to another.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import platform
import select
import statistics
import subprocess
import sys
import tempfile
from importlib import metadata
from pathlib import Path
from typing import Any

from clients import DEFAULT_CLIENTS, RAW_FLOOR, SDK_AIOHTTP, SDK_DEFAULT
from server import PACE
from worker import PACED_WIDTH

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
BEHIND = "fell behind the pace: several events a read"
COMMAND_TIMEOUT = 300.0  # seconds one batch may take before the run gives up

# Units per batch at --scale 1: each batch takes a fraction of a second.
BATCH = {
    "sequential": 300,
    "concurrent50": 1000,
    "concurrent": 1000,
    "stream": 20,
    "stream_paced": 25,
    "embeddings": 40,
}
UNIT = {
    "sequential": "request",
    "concurrent50": "request, 50 in flight",
    "concurrent": "request, 200 in flight",
    "stream": "chunk, sent back to back",
    "stream_paced": "chunk, one every {pace:g} ms, 25 streams in flight",
    "embeddings": "request",
}
IMPORTS = {
    # What users write; the same cost as ``import openai_async``.
    "openai_async": "from openai_async import AsyncClient",
    "httpx + anyio + attrs + cattrs": "import httpx, anyio, attrs, cattrs",
    "httpx": "import httpx",
    "openai": "import openai",
    "aiohttp (loaded with proxies, or by aiohttp_transport())": "import aiohttp",
}


class Worker:
    """A client process speaking JSON lines over its stdin and stdout."""

    def __init__(self, name: str, base_url: str) -> None:
        self.name = name
        self.proc = subprocess.Popen(
            [sys.executable, str(HERE / "worker.py"), name, base_url],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        hello = self._read()
        self.error: str | None = hello.get("error")
        self.notes: dict[str, str] = hello.get("notes", {})

    def _read(self) -> dict[str, Any]:
        assert self.proc.stdout is not None
        ready, _, _ = select.select([self.proc.stdout], [], [], COMMAND_TIMEOUT)
        line = self.proc.stdout.readline() if ready else ""
        if not line:
            self.close()
            return {"error": f"worker {self.name} gave no answer"}
        result: dict[str, Any] = json.loads(line)
        return result

    def run(self, scenario: str, n: int) -> dict[str, Any]:
        if self.error is not None:
            return {"error": self.error}
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps({"scenario": scenario, "n": n}) + "\n")
        self.proc.stdin.flush()
        return self._read()

    def close(self) -> None:
        if self.proc.stdin is not None and not self.proc.stdin.closed:
            self.proc.stdin.close()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def start_server(cpu: int | None, *options: str) -> tuple[subprocess.Popen[str], str]:
    args = [sys.executable, str(HERE / "server.py"), *options]
    if cpu is not None:
        args += ["--cpu", str(cpu)]
    proc = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if not line.startswith("PORT "):
        proc.kill()
        raise SystemExit(f"the benchmark server did not start: {line!r}")
    return proc, f"http://127.0.0.1:{int(line.split()[1])}/v1"


def process_cpu(pid: int) -> float:
    """CPU seconds (user + system) that process ``pid`` has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure_scenarios(
    workers: list[Worker], scenarios: list[str], rounds: int, scale: float, server_pid: int
) -> dict[str, dict[str, Any]]:
    samples: dict[str, dict[str, list[dict[str, Any]]]] = {
        s: {w.name: [] for w in workers} for s in scenarios
    }
    for scenario in scenarios:
        n = max(1, int(BATCH[scenario] * scale))
        for worker in workers:  # warm-up: connections, caches, lazy imports
            worker.run(scenario, max(1, n // 4))
        for round_ in range(rounds):
            shift = round_ % len(workers)
            for worker in workers[shift:] + workers[:shift]:
                before = process_cpu(server_pid)
                result = worker.run(scenario, n)
                result["server_cpu"] = process_cpu(server_pid) - before
                samples[scenario][worker.name].append(result)
        print(f"  {scenario}: done", file=sys.stderr, flush=True)
        for name, runs in samples[scenario].items():  # a partial result, should the run stop
            print(f"    {name}: {summarise(runs).get('cpu_us', 'n/a')}", file=sys.stderr)
    return {
        scenario: {name: summarise(runs) for name, runs in by_client.items()}
        for scenario, by_client in samples.items()
    }


def summarise(runs: list[dict[str, Any]]) -> dict[str, Any]:
    errors = [r["error"] for r in runs if "error" in r]
    if errors:
        return {"error": errors[0]}
    per_unit = [r["cpu"] / r["units"] * 1e6 for r in runs]
    median = statistics.median(per_unit)
    return {
        "cpu_us": median,
        # How much the batches varied: (max - min) / median of CPU per unit.
        "spread": (max(per_unit) - min(per_unit)) / median if median else 0.0,
        "wall_us": statistics.median(r["wall"] / r["units"] * 1e6 for r in runs),
        # Coarse (clock ticks), but enough to show the server is not the bottleneck.
        "server_cpu_us": sum(r["server_cpu"] for r in runs) / sum(r["units"] for r in runs) * 1e6,
        "cpu_us_per_batch": [round(r["cpu"] / r["units"] * 1e6, 1) for r in runs],
        "units_per_batch": runs[0]["units"],
        "batches": len(runs),
    }


def mark_behind(results: dict[str, dict[str, Any]], pace: float) -> None:
    """Flag the clients whose paced streams took longer than the pace allows.

    Such a client cannot keep up: events wait in its socket and arrive several to a
    read, as when streamed back to back, so its CPU per chunk is lower than that of a
    client which keeps up and wakes for every event.
    """
    for row in results.get("stream_paced", {}).values():
        if "wall_us" in row:
            row["behind"] = row["wall_us"] > 1.1 * pace * 1e6 / PACED_WIDTH


def _ratio(row: dict[str, Any], other: dict[str, Any]) -> float | None:
    return row["cpu_us"] / other["cpu_us"] if "cpu_us" in other else None


def add_ratios(results: dict[str, dict[str, Any]]) -> None:
    for by_client in results.values():
        for name, row in by_client.items():
            if "cpu_us" not in row:
                continue
            raw = by_client.get(RAW_FLOOR.get(name, "httpx"), {})
            row["vs_raw_httpx"] = _ratio(row, raw)
            if "cpu_us_per_batch" in raw:
                # Each batch over raw httpx's batch of the same round (seconds apart, the
                # order rotating): load that drifts over the minutes cancels out.
                pairs = zip(row["cpu_us_per_batch"], raw["cpu_us_per_batch"], strict=False)
                row["vs_raw_paired"] = statistics.median(a / b for a, b in pairs)
            row["vs_sdk"] = _ratio(row, by_client.get(SDK_DEFAULT, {}))
            row["vs_sdk_aiohttp"] = _ratio(row, by_client.get(SDK_AIOHTTP, {}))


def import_times(runs: int) -> dict[str, Any]:
    code = "import time; t = time.perf_counter(); {stmt}; print(time.perf_counter() - t)"
    # The warm-up round is there to write the bytecode caches, as installing a package
    # does. With PYTHONDONTWRITEBYTECODE set (some shells and CI images set it) nothing is
    # written, and an editable install's modules would be compiled from source in every
    # run while the installed dependencies load from their .pyc: an unfair comparison.
    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    imports = {label: (stmt, env) for label, stmt in IMPORTS.items()}
    if "BENCH_BASELINE" in os.environ:  # --baseline: the other checkout's import, alternated
        baseline_env = {**env, "PYTHONPATH": os.environ["BENCH_BASELINE"]}
        imports["openai_async@baseline"] = (IMPORTS["openai_async"], baseline_env)
    samples: dict[str, list[float]] = {label: [] for label in imports}
    errors: dict[str, str] = {}
    for round_ in range(runs + 1):  # round 0 only warms the bytecode caches
        for label, (stmt, run_env) in imports.items():  # alternate, like the clients
            proc = subprocess.run(
                [sys.executable, "-c", code.format(stmt=stmt)],
                capture_output=True,
                text=True,
                env=run_env,
                # Not the checkout: ``-c`` puts the working directory first on sys.path,
                # where it would shadow --baseline's PYTHONPATH.
                cwd=tempfile.gettempdir(),
            )
            if proc.returncode:
                errors[label] = proc.stderr.strip().splitlines()[-1]
            elif round_:
                samples[label].append(float(proc.stdout) * 1e3)
    httpx_ms = samples.get("httpx") or [math.nan]
    return {
        label: {"error": errors[label]}
        if label in errors
        else {
            "ms": statistics.median(values),
            "min_ms": min(values),
            "spread": (max(values) - min(values)) / statistics.median(values),
            "vs_httpx": statistics.median(values) / statistics.median(httpx_ms),
            "min_vs_httpx": min(values) / min(httpx_ms),
            # Each run over httpx's run of the same round (seconds apart): load that
            # drifts over the minutes of the whole measurement cancels out.
            "paired_vs_httpx": statistics.median(
                ours / theirs for ours, theirs in zip(values, httpx_ms, strict=False)
            ),
            "runs": len(values),
        }
        for label, values in samples.items()
    }


def peak_rss(names: list[str], base_url: str, n: int) -> dict[str, Any]:
    results: dict[str, Any] = {}
    baseline = subprocess.run(
        [sys.executable, "-c", "import resource; print(resource.getrusage(0).ru_maxrss)"],
        capture_output=True,
        text=True,
        check=True,
    )
    results["(python, nothing imported)"] = {"rss_mib": int(baseline.stdout) / 1024}
    for name in names:
        proc = subprocess.run(
            [sys.executable, str(HERE / "worker.py"), name, base_url, "--rss", str(n)],
            capture_output=True,
            text=True,
            timeout=COMMAND_TIMEOUT,
        )
        if proc.returncode:
            tail = (proc.stderr.strip().splitlines() or ["failed"])[-1]
            results[name] = {"error": tail}
        else:
            results[name] = json.loads(proc.stdout)
    return results


def versions() -> dict[str, str]:
    found = {}
    for package in ("openai_async", "openai", "httpx", "httpx2", "httpx-aiohttp", "aiohttp"):
        try:
            found[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            found[package] = "not installed"
    found["orjson"] = "installed" if _has("orjson") else "not installed"
    return found


def _has(module: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(module) is not None


def _fmt(value: float | None, digits: int = 0) -> str:
    return "" if value is None else f"{value:,.{digits}f}"


def markdown(report: dict[str, Any]) -> str:
    lines = [
        f"Command: `{report['command']}`  ",
        f"When: {report['when']}, load average at the start "
        f"{', '.join(f'{x:.2f}' for x in report['load_average_at_start'])}  ",
        f"Machine: {report['machine']}  ",
        f"Versions: {', '.join(f'{k} {v}' for k, v in report['versions'].items())}",
        "",
        "Client CPU per unit is the client process's `time.process_time()`; the server runs",
        "in another process" + (" on another core." if report["pinned"] else "."),
        "Ratios compare median CPU per unit. Raw httpx on the same transport: openai_async",
        "(its own asyncio transport) against httpx on that transport (httpx+asyncio), the",
        "aiohttp rows against httpx on openai_async's aiohttp transport, the httpcore rows",
        "against plain httpx. Paired: the median over rounds of each batch",
        "over raw httpx's batch in the same round. Spread: (max - min) / median over the",
        "batches.",
        "",
    ]
    for scenario, by_client in report["scenarios"].items():
        lines += [
            f"### {scenario} (per {UNIT[scenario].format(pace=report['pace'] * 1e3)})",
            "",
            "| client | CPU us | spread | wall us | vs raw httpx (same transport)"
            " | paired | vs SDK default | vs SDK+aiohttp | server CPU us | note |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
        ]
        for name, row in by_client.items():
            note = report["notes"].get(name, {}).get(_note_key(scenario), "")
            if row.get("behind"):
                note = "; ".join(filter(None, [note, BEHIND]))
            if "error" in row:
                lines.append(f"| {name} | n/a | | | | | | | | {row['error']} |")
                continue
            lines.append(
                f"| {name} | {_fmt(row['cpu_us'])} | {row.get('spread', 0):.0%} "
                f"| {_fmt(row['wall_us'])} | {_fmt(row.get('vs_raw_httpx'), 2)} "
                f"| {_fmt(row.get('vs_raw_paired'), 2)} "
                f"| {_fmt(row.get('vs_sdk'), 2)} | {_fmt(row.get('vs_sdk_aiohttp'), 2)} "
                f"| {_fmt(row['server_cpu_us'])} | {note} |"
            )
        lines.append("")
    if report.get("imports"):
        lines += [
            "### import time (fresh process each)",
            "",
            "Median and fastest of the runs. vs httpx: the median over httpx's median; "
            "paired: the median of each run over httpx's run in the same round (load that "
            "drifts over the minutes cancels out); fastest: the fastest over httpx's fastest.",
            "",
            "| import | ms | spread | vs httpx | paired vs httpx | fastest ms | fastest vs httpx |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        for label, row in report["imports"].items():
            if "error" in row:
                lines.append(f"| {label} | {row['error']} | | | | | |")
                continue
            lines.append(
                f"| {label} | {_fmt(row['ms'], 1)} | {row.get('spread', 0):.0%} "
                f"| {_fmt(row.get('vs_httpx'), 2)} | {_fmt(row.get('paired_vs_httpx'), 2)} "
                f"| {_fmt(row.get('min_ms'), 1)} | {_fmt(row.get('min_vs_httpx'), 2)} |"
            )
        lines.append("")
    if report.get("rss"):
        lines += [
            f"### peak RSS, {report['rss_requests']} requests 200 in flight (fresh process each)",
            "",
            "| client | MiB |",
            "| --- | ---: |",
        ]
        for name, row in report["rss"].items():
            lines.append(f"| {name} | {row.get('error') or _fmt(row['rss_mib'], 1)} |")
        lines.append("")
    if report.get("service"):
        import service

        lines.append(service.markdown(report["service"]))
    return "\n".join(lines)


def _note_key(scenario: str) -> str:
    if scenario.startswith(("sequential", "concurrent")):
        return "chat"
    return "stream" if scenario.startswith("stream") else "embed"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, help="batches per client per scenario (5)")
    parser.add_argument("--scale", type=float, help="multiply every batch size (1.0)")
    parser.add_argument(
        "--pace", type=float, default=PACE, help=f"seconds between paced events ({PACE})"
    )
    parser.add_argument("--clients", default=",".join(DEFAULT_CLIENTS), help="comma-separated")
    parser.add_argument("--scenarios", default=",".join(BATCH), help="comma-separated")
    parser.add_argument("--import-runs", type=int, help="fresh processes per import (7)")
    parser.add_argument("--rss-requests", type=int, help="requests in the RSS run (4000)")
    parser.add_argument("--quick", action="store_true", help="a smoke run: tiny batches")
    parser.add_argument(
        "--baseline", help="a checkout of openai_async measured as client openai_async@baseline"
    )
    parser.add_argument(
        "--service-callers", help="callers in the service scenario, comma-separated (50,200,1000)"
    )
    parser.add_argument("--service-rounds", type=int, help="rounds of the service scenario (5)")
    parser.add_argument(
        "--service-clients",
        help="clients in the service scenario, comma-separated (openai_async, "
        "openai_async[httpcore], openai, openai+aiohttp; candidates by name too)",
    )
    args = parser.parse_args()
    if args.baseline:
        os.environ["BENCH_BASELINE"] = str(Path(args.baseline).resolve())
    # --quick changes the defaults; values given explicitly still win.
    defaults = (2, 0.1, 2, 400, "50", 1) if args.quick else (5, 1.0, 7, 4000, "50,200,1000", 5)
    names = ("rounds", "scale", "import_runs", "rss_requests", "service_callers", "service_rounds")
    for name, default in zip(names, defaults, strict=True):
        if getattr(args, name) is None:
            setattr(args, name, default)
    names = [n for n in args.clients.split(",") if n]
    if args.baseline and "openai_async@baseline" not in names:
        names.append("openai_async@baseline")  # what --baseline is for
    scenarios = [s for s in args.scenarios.split(",") if s]

    load_at_start = os.getloadavg()
    cores = sorted(os.sched_getaffinity(0))
    pinned = len(cores) >= 2
    if pinned:
        os.sched_setaffinity(0, {cores[0]})  # the workers inherit this core
    server, base_url = start_server(cores[1] if pinned else None, "--pace", str(args.pace))
    workers: list[Worker] = []
    try:
        workers = [Worker(name, base_url) for name in names]
        print(f"server {base_url}; measuring {', '.join(names)}", file=sys.stderr)
        results = measure_scenarios(workers, scenarios, args.rounds, args.scale, server.pid)
        add_ratios(results)
        mark_behind(results, args.pace)
        notes = {w.name: w.notes for w in workers}
        for worker in workers:
            worker.close()
        workers = []
        print("  import times...", file=sys.stderr, flush=True)
        imports = import_times(args.import_runs) if args.import_runs else {}
        print("  peak RSS...", file=sys.stderr, flush=True)
        rss = peak_rss(names, base_url, args.rss_requests) if args.rss_requests else {}
        service_callers = [int(n) for n in args.service_callers.split(",") if n]
        service_report = None
        if service_callers and args.service_rounds:
            import service

            if pinned:
                os.sched_setaffinity(0, set(cores))  # the service scenario pins by itself
            print("  service scenario...", file=sys.stderr, flush=True)
            service_report = service.run_service_scenario(
                [c for c in (args.service_clients or ",".join(service.CLIENTS)).split(",") if c],
                service_callers,
                args.service_rounds,
            )
    finally:
        for worker in workers:
            worker.close()
        assert server.stdin is not None
        server.stdin.close()
        server.wait(timeout=30)

    report = {
        "command": " ".join(["python", "benchmarks/run.py", *sys.argv[1:]]),
        "load_average_at_start": load_at_start,
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {len(cores)} cores, Python {platform.python_version()}",
        "pinned": pinned,
        "pace": args.pace,
        "rounds": args.rounds,
        "scale": args.scale,
        "versions": versions(),
        "notes": notes,
        "scenarios": results,
        "imports": imports,
        "rss": rss,
        "rss_requests": args.rss_requests,
        "service": service_report,
    }
    RESULTS.mkdir(exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S")
    text = markdown(report)
    for name in (f"bench-{stamp}", "latest"):
        (RESULTS / f"{name}.json").write_text(json.dumps(report, indent=2) + "\n")
        (RESULTS / f"{name}.md").write_text(text + "\n")
    print(text)


if __name__ == "__main__":
    main()
