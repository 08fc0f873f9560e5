"""Stream a large speech answer and report this process's peak memory, as JSON.

    python tests/speech_rss_client.py --mib 1024 --mode file

The local server runs in a child process of its own (its buffers are not measured),
set to make ``--mib`` MiB of audio from 4,096 characters. The client asks for it with
``with_streaming_response`` and writes it to a file (``--mode file``:
``stream_to_file``) or reads it chunk by chunk (``--mode iter``: ``iter_bytes``);
``--mode whole`` is the control, ``speech.create`` holding the answer in memory.
Peak memory is ``VmHWM`` (see ``rss_client.peak_mib``), measured after a first small
speech request so that imports and the pool are in the baseline.

Used by ``tests/test_speech_memory.py`` (a small size) and ``nox -s speech_memory``
(1 GiB).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import anyio
import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from openai_async import AsyncClient  # noqa: E402
from tests.rss_client import peak_mib  # noqa: E402

INPUT = "x" * 4096
BYTES_PER_SECOND = 48_000  # the local server's 24 kHz 16-bit mono samples


@contextmanager
def server() -> Iterator[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(
        [sys.executable, "-m", "openai_async.testing", "--port", "0"],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert process.stdout is not None
        match = re.search(r"http://\S+/v1", process.stdout.readline())
        assert match, "the server did not start"
        yield match.group(0)
    finally:
        process.terminate()
        process.wait(timeout=10)
        if process.stdout is not None:
            process.stdout.close()


async def run(base_url: str, mib: int, mode: str, backend: str) -> dict[str, object]:
    size = mib << 20
    root = base_url.removesuffix("/v1")
    seconds_per_char = size / BYTES_PER_SECOND / len(INPUT)
    async with httpx.AsyncClient() as control:
        answer = await control.post(
            f"{root}/_control/speech", json={"seconds_per_char": seconds_per_char}
        )
        answer.raise_for_status()
    async with AsyncClient(base_url=base_url, api_key="", max_retries=0, timeout=600) as client:
        await client.audio.speech.create(model="tts-1", voice="alloy", input="warm up")
        baseline = peak_mib()
        digest = hashlib.sha256()
        started = time.perf_counter()
        speech = client.audio.speech
        arguments = {"model": "tts-1", "voice": "alloy", "input": INPUT, "response_format": "pcm"}
        with tempfile.TemporaryDirectory() as directory:
            target = Path(directory) / "speech.pcm"
            if mode == "file":
                async with speech.with_streaming_response.create(**arguments) as response:
                    await response.stream_to_file(target)
                received = target.stat().st_size
                with target.open("rb") as f:
                    while chunk := f.read(1 << 20):
                        digest.update(chunk)
            elif mode == "iter":
                received = 0
                async with speech.with_streaming_response.create(**arguments) as response:
                    async for chunk in response.iter_bytes():
                        received += len(chunk)
                        digest.update(chunk)
            else:
                whole = await speech.create(**arguments)  # type: ignore[arg-type]
                received = len(whole)
                digest.update(whole)
                del whole
        elapsed = time.perf_counter() - started
    return {
        "mode": mode,
        "backend": backend,
        "bytes": received,
        "expected_bytes": round(len(INPUT) * seconds_per_char * 24_000) * 2,
        "sha256": digest.hexdigest(),
        "baseline_mib": round(baseline, 1),
        "growth_mib": round(peak_mib() - baseline, 1),
        "seconds": round(elapsed, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mib", type=int, default=1024)
    parser.add_argument("--mode", choices=("file", "iter", "whole"), default="file")
    parser.add_argument("--backend", choices=("asyncio", "trio"), default="asyncio")
    parser.add_argument("--url", help="a running local server (default: start one)")
    args = parser.parse_args()
    if args.url:
        result = anyio.run(run, args.url, args.mib, args.mode, args.backend, backend=args.backend)
    else:
        with server() as url:
            result = anyio.run(run, url, args.mib, args.mode, args.backend, backend=args.backend)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
