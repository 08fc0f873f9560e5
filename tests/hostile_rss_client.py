"""Run by ``tests/test_hostile_memory.py`` in a process of its own: read a hostile stream
(one line without end) and report the process's peak memory as JSON.

    python tests/hostile_rss_client.py BASE_URL BACKEND

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


async def main(base_url: str) -> dict[str, object]:
    async with AsyncClient(base_url=base_url, api_key="", max_retries=0) as client:
        # Imports and the pool are in the baseline; the stream is what is measured.
        messages = [{"role": "user", "content": "hi"}]
        baseline = peak_mib()
        error = None
        try:
            stream = await client.chat.completions.create(
                model="gpt-3.5-turbo", messages=messages, stream=True
            )
            async with stream:
                async for _ in stream:
                    pass
        except OpenAIError as exc:
            error = type(exc).__name__
        return {"baseline_mib": baseline, "peak_mib": peak_mib(), "error": error}


if __name__ == "__main__":
    print(json.dumps(anyio.run(main, sys.argv[1], backend=sys.argv[2])))
