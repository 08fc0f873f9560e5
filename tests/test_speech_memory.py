"""Streaming a 64 MiB speech answer keeps the client's peak memory flat.

The client runs in a subprocess (``speech_rss_client.py``) against the local server in
another one and reports its peak RSS growth. ``nox -s speech_memory`` runs the same
with 1 GiB; this is the quick version for the default run.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SIZE_MIB = 64
# One 64 KiB chunk in flight plus httpx's and h11's buffers: well under a few MiB.
# The bound leaves room for allocator noise and is far below the answer's size.
STREAMED_LIMIT_MIB = 16


def _run(mode: str, backend: str) -> dict[str, float]:
    done = subprocess.run(
        [
            sys.executable,
            str(ROOT / "tests" / "speech_rss_client.py"),
            f"--mib={SIZE_MIB}",
            f"--mode={mode}",
            f"--backend={backend}",
        ],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, float] = json.loads(done.stdout)
    print(result)  # shown with -s or -rA: the numbers behind the assertions
    assert result["bytes"] == result["expected_bytes"] == SIZE_MIB << 20
    return result


@pytest.mark.parametrize(("mode", "backend"), [("file", "asyncio"), ("iter", "trio")])
def test_streamed_speech_stays_small(mode: str, backend: str) -> None:
    """stream_to_file and iter_bytes grow peak RSS by far less than the audio's size."""
    assert _run(mode, backend)["growth_mib"] < STREAMED_LIMIT_MIB


def test_measurement_sees_speech_held_whole() -> None:
    """The control: create() holds the answer, and peak RSS grows by at least its size."""
    assert _run("whole", "asyncio")["growth_mib"] >= SIZE_MIB
