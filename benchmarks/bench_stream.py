"""Client CPU per streamed chunk: openai_async next to raw httpx + json.loads.

Usage: ``python benchmarks/bench_stream.py [--streams 40] [--words 500] [--rounds 5]``

The local server runs in a separate process, so ``time.process_time()`` deltas count
only this (client) process's CPU. Each round runs every contender once on the same
warm connection pool, in turn, and the best round of each is kept (the least
disturbed by other work on the machine). Not part of the tests or CI.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from typing import Any

import httpx

from openai_async import AsyncClient


def start_server() -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "openai_async.testing", "--port", "0"],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    line = process.stdout.readline()  # "openai_async local server on http://...:PORT/v1"
    return process, line.rsplit(" ", 1)[-1].strip()


def request_body(words: int) -> dict[str, Any]:
    content = " ".join(f"w{i}" for i in range(words))
    return {"model": "m", "messages": [{"role": "user", "content": content}], "stream": True}


async def raw_httpx(http: httpx.AsyncClient, url: str, body: dict[str, Any]) -> int:
    """The floor: httpx line iteration and json.loads, no checks, no models."""
    chunks = 0
    async with http.stream("POST", url + "/chat/completions", json=body) as response:
        async for line in response.aiter_lines():
            if line.startswith("data: "):
                data = line[6:]
                if data == "[DONE]":
                    break
                json.loads(data)
                chunks += 1
    return chunks


async def typed(client: AsyncClient, body: dict[str, Any]) -> int:
    """openai_async: typed ChatCompletionChunk objects."""
    chunks = 0
    stream = await client.chat.completions.create(
        model=body["model"], messages=body["messages"], stream=True
    )
    async with stream:
        async for _ in stream:
            chunks += 1
    return chunks


async def untyped(client: AsyncClient, body: dict[str, Any]) -> int:
    """openai_async's escape hatch: decoded JSON, no model structuring."""
    chunks = 0
    async with await client.request_stream("POST", "chat/completions", json=body) as stream:
        async for _ in stream:
            chunks += 1
    return chunks


async def measure(run: Callable[[], Awaitable[int]], streams: int) -> tuple[float, int]:
    start = time.process_time()
    chunks = 0
    for _ in range(streams):
        chunks += await run()
    return time.process_time() - start, chunks


async def main(streams: int, words: int, rounds: int) -> None:
    process, url = start_server()
    try:
        body = request_body(words)
        async with (
            httpx.AsyncClient(timeout=60) as http,
            AsyncClient(base_url=url, api_key="", max_retries=0) as client,
        ):
            contenders: dict[str, Callable[[], Awaitable[int]]] = {
                "raw httpx + json.loads": lambda: raw_httpx(http, url, body),
                "openai_async (JSON)": lambda: untyped(client, body),
                "openai_async (typed)": lambda: typed(client, body),
            }
            for run in contenders.values():  # warm up: connections, imports, caches
                await run()
            best: dict[str, float] = {}
            for _ in range(rounds):
                for name, run in contenders.items():
                    cpu, chunks = await measure(run, streams)
                    per_chunk = cpu / chunks
                    best[name] = min(best.get(name, per_chunk), per_chunk)
    finally:
        process.terminate()
        process.wait()

    floor = best["raw httpx + json.loads"]
    print(f"{streams} streams x ~{words + 2} chunks, best of {rounds} rounds; client CPU only")
    for name, per_chunk in best.items():
        print(f"  {name:<26} {per_chunk * 1e6:8.1f} us/chunk   x{per_chunk / floor:.2f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--streams", type=int, default=40)
    parser.add_argument("--words", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    asyncio.run(main(args.streams, args.words, args.rounds))
