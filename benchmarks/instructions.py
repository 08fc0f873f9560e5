"""Instructions per request under valgrind: a measure the machine's load does not move.

``python benchmarks/instructions.py [--clients httpx+aiohttp,openai_async] [--baseline
PATH] [--scenario chat|stream|stream_paced]`` starts ``server.py``, then runs each client
twice under
``valgrind --tool=callgrind`` (which must be installed), for ``--small`` and ``--big``
calls after a warm-up, and prints (Ir(big) - Ir(small)) / (big - small): the client
process's instructions per call, without its start-up and imports. ``stream_paced``
streams one reply at a time with its events 20 ms apart (slow enough for a client under
valgrind), so that every chunk is a separate socket read and wake-up; it also prints the
instructions per chunk. ``--imports`` adds
the instructions of the import statements that ``run.py`` times, less the interpreter's
start. Instructions are not time (cache misses, the garbage collector's full passes
over a larger heap), but on a shared two-core machine they decide differences of a few
per cent that CPU time cannot.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from run import start_server

HERE = Path(__file__).resolve().parent
BASELINE = "openai_async@baseline"
PACE = 0.02  # seconds between paced events
PACED_CHUNKS = 30  # content chunks of a paced stream
PACED_MODEL = "gpt-4o-mini-paced"


def _collected(argv: list[str], env: dict[str, str]) -> int:
    done = subprocess.run(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", *argv],
        capture_output=True,
        text=True,
        env=env,
        cwd=tempfile.gettempdir(),  # ``-c`` would find the checkout's package first
    )
    found = re.search(r"Collected : (\d+)", done.stderr)
    if done.returncode or found is None:
        raise SystemExit(done.stderr[-2000:])
    return int(found.group(1))


def _env(baseline: str | None) -> dict[str, str]:
    # Bytecode caches written, as run.py's import times have them.
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE",)}
    if baseline is not None:
        env["PYTHONPATH"] = baseline
    return env


def per_call(name: str, url: str, scenario: str, small: int, big: int, baseline: str) -> float:
    env = _env(baseline if name == BASELINE else None)
    client = "openai_async" if name == BASELINE else name
    argv = [sys.executable, __file__, "--run", client, url, scenario]
    # Once without valgrind first: it writes the bytecode caches, which would otherwise
    # be compiled (and counted) in the first measured run only.
    subprocess.run([*argv, "1"], env=env, check=True)
    counts = [_collected([*argv, str(n)], env) for n in (small, big)]
    return (counts[1] - counts[0]) / (big - small)


async def _run(name: str, url: str, scenario: str, n: int) -> None:
    sys.path.insert(0, str(HERE))
    from clients import CLIENTS

    client = CLIENTS[name](url)
    if scenario == "chat":
        call = client.chat
    elif scenario == "stream":
        call = client.stream
    else:

        async def call() -> None:
            await client.stream(PACED_MODEL)

    for _ in range(20 if scenario != "stream_paced" else 3):  # connections, caches, imports
        await call()
    for _ in range(n):
        await call()
    await client.aclose()


def main() -> None:
    if sys.argv[1:2] == ["--run"]:
        name, url, scenario, n = sys.argv[2:6]
        asyncio.run(_run(name, url, scenario, int(n)))
        return
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clients", default="httpx+aiohttp,openai_async")
    parser.add_argument("--baseline", help=f"a checkout of openai_async, measured as {BASELINE}")
    parser.add_argument("--scenario", default="chat", choices=["chat", "stream", "stream_paced"])
    parser.add_argument("--small", type=int, default=20)
    parser.add_argument("--big", type=int, default=220)
    parser.add_argument("--imports", action="store_true")
    args = parser.parse_args()
    names = [n for n in args.clients.split(",") if n]
    if args.baseline:
        args.baseline = str(Path(args.baseline).resolve())
        names.append(BASELINE)
    paced = args.scenario == "stream_paced"
    if paced and args.small == 20 and args.big == 220:  # a paced stream takes 0.6 s
        args.small, args.big = 2, 12
    options = ("--pace", str(PACE), "--paced-chunks", str(PACED_CHUNKS)) if paced else ()
    server, url = start_server(None, *options)
    try:
        results = {
            name: per_call(name, url, args.scenario, args.small, args.big, args.baseline)
            for name in names
        }
    finally:
        assert server.stdin is not None
        server.stdin.close()
        server.wait(timeout=30)
    unit = "request" if args.scenario == "chat" else "stream"
    first = results[names[0]]
    for name, count in results.items():
        line = f"{name:24} {count / 1e3:10,.1f} k instructions per {unit}  {count / first:.3f}x"
        if paced:  # the role chunk, the content chunks and the stop chunk
            line += f"  ({count / (PACED_CHUNKS + 2) / 1e3:,.1f} k per chunk)"
        print(line)
    if args.imports:
        start = _collected([sys.executable, "-c", "pass"], _env(None))
        stmts = {"httpx": "import httpx", "openai_async": "from openai_async import AsyncClient"}
        for env in (_env(None), _env(args.baseline)):  # writes the bytecode caches first
            subprocess.run(
                [sys.executable, "-c", stmts["openai_async"]],
                env=env,
                check=True,
                cwd=tempfile.gettempdir(),
            )
        counts = {
            label: _collected([sys.executable, "-c", s], _env(None)) - start
            for label, s in stmts.items()
        }
        if args.baseline:
            counts[BASELINE] = (
                _collected([sys.executable, "-c", stmts["openai_async"]], _env(args.baseline))
                - start
            )
        for label, count in counts.items():
            print(f"import {label:17} {count / 1e6:8.1f} M  {count / counts['httpx']:.2f}x httpx")


if __name__ == "__main__":
    main()
