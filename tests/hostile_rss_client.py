"""Run by ``tests/test_hostile_memory.py`` (and ``nox -s hostile_memory``) in a process of
its own: read hostile answers one after another and report, for each, how much the
process's peak memory grew while reading it, as JSON.

    python tests/hostile_rss_client.py ROOT_URL BACKEND NAME:MODE ... [SETTING=BYTES ...]

A first request to ``ROOT_URL/warm-up/v1/models`` makes the connections. Each
``NAME:MODE`` is read from ``ROOT_URL/NAME/v1``; MODE says how: ``stream`` (a chat
completion stream), ``reply`` (a chat completion read whole: a JSON reply, or an
error) or ``download`` (``files.with_streaming_response.content`` read to its end
through ``iter_bytes``). ``max_response_size=16777216`` and the like are passed to
``AsyncClient``. Before each answer, memory the previous one freed is given back to
the system and the peak is reset (``/proc/self/clear_refs``), so each growth is that
answer's own. Only the client runs here: the server and its buffers are in the
parent process.
"""

from __future__ import annotations

import ctypes
import gc
import json
import sys
from pathlib import Path

import anyio

sys.path.insert(0, str(Path(__file__).parent))

from rss_client import peak_mib

from openai_async import AsyncClient, OpenAIError

MESSAGES = [{"role": "user", "content": "hi"}]


async def read(client: AsyncClient, mode: str) -> int:
    """Read the answer as ``mode`` says; the number of body bytes the caller got."""
    if mode == "stream":
        stream = await client.chat.completions.create(
            model="gpt-3.5-turbo", messages=MESSAGES, stream=True
        )
        async with stream:
            async for _ in stream:
                pass
        return 0
    if mode == "reply":
        await client.chat.completions.create(model="gpt-3.5-turbo", messages=MESSAGES)
        return 0
    assert mode == "download", mode
    total = 0
    async with client.files.with_streaming_response.content("file-abc") as response:
        async for chunk in response.iter_bytes():
            total += len(chunk)
    return total


def reset_peak() -> float:
    """Free the last answer (its exception's cycles too), give the memory back, reset
    the peak to what is resident now, and return it."""
    gc.collect()
    ctypes.CDLL("libc.so.6").malloc_trim(0)
    Path("/proc/self/clear_refs").write_text("5")  # resets VmHWM to the current RSS
    return peak_mib()


async def main(root: str, cases: list[str], settings: dict[str, int]) -> dict[str, object]:
    results: dict[str, object] = {}
    async with AsyncClient(base_url=root, api_key="", max_retries=0, **settings) as client:  # type: ignore[arg-type]
        # The first request's costs (connections, lazy imports) are not an answer's.
        await client.with_options(base_url=f"{root}/warm-up/v1").request("GET", "models")
        for case in cases:
            name, mode = case.split(":")
            variant = client.with_options(base_url=f"{root}/{name}/v1")
            baseline = reset_peak()
            error = None
            received = 0
            try:
                received = await read(variant, mode)
            except OpenAIError as exc:
                error = type(exc).__name__
            results[name] = {
                "baseline_mib": baseline,
                "peak_mib": peak_mib(),
                "error": error,
                "received": received,
            }
    return results


if __name__ == "__main__":
    root, backend, *rest = sys.argv[1:]
    cases = [arg for arg in rest if ":" in arg]
    given = dict(arg.split("=") for arg in rest if "=" in arg)
    settings = {name: int(value) for name, value in given.items()}
    print(json.dumps(anyio.run(main, root, cases, settings, backend=backend)))
