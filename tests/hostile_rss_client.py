"""Run by ``tests/test_hostile_memory.py`` (and ``nox -s hostile_memory``) in a process of
its own: read one hostile answer and report the process's peak memory as JSON.

    python tests/hostile_rss_client.py BASE_URL BACKEND [MODE] [SETTING=BYTES ...]

MODE says how the answer is read: ``stream`` (a chat completion stream, the default),
``reply`` (a chat completion read whole: a JSON reply, or an error), or ``download``
(``files.with_streaming_response.content`` read through ``iter_bytes``, all of it).
``max_response_size=16777216`` and the like are passed to ``AsyncClient``.
Only the client runs here: the server and its buffers are in the parent process.
"""

from __future__ import annotations

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


async def main(base_url: str, mode: str, settings: dict[str, int]) -> dict[str, object]:
    async with AsyncClient(base_url=base_url, api_key="", max_retries=0, **settings) as client:  # type: ignore[arg-type]
        # Imports and the pool are in the baseline; the answer is what is measured.
        baseline = peak_mib()
        error = None
        received = 0
        try:
            received = await read(client, mode)
        except OpenAIError as exc:
            error = type(exc).__name__
        return {
            "baseline_mib": baseline,
            "peak_mib": peak_mib(),
            "error": error,
            "received": received,
        }


if __name__ == "__main__":
    url, backend, *rest = sys.argv[1:]
    mode = rest[0] if rest and "=" not in rest[0] else "stream"
    given = dict(arg.split("=") for arg in rest if "=" in arg)
    settings = {name: int(value) for name, value in given.items()}
    print(json.dumps(anyio.run(main, url, mode, settings, backend=backend)))
