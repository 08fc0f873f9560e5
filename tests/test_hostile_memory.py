"""Memory stays flat against a server that sends one endless line (peak RSS, measured).

The client runs in a process of its own (``hostile_rss_client.py``) so that its peak
resident memory is its own: the server thread here only repeats one 64 KiB block.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

import pytest

from openai_async.testing import RawRequest, RawServer

ROOT = Path(__file__).parent.parent
GIB = 1 << 30


def endless_line(size: int) -> Iterable[bytes]:
    yield b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\nconnection: close\r\n\r\n"
    yield b"data: "
    block = b"x" * 65536
    for _ in range(size // len(block)):
        yield block


@pytest.mark.parametrize("backend", ["asyncio", "trio"])
def test_one_gigabyte_line_keeps_memory_flat(backend: str) -> None:
    """A 1 GB line with no newline: StreamTooLargeError, peak RSS within ~3x the 16 MiB cap."""

    def answer(request: RawRequest) -> Iterable[bytes]:
        return endless_line(GIB)

    with RawServer(answer) as server:
        done = subprocess.run(
            [sys.executable, str(ROOT / "tests" / "hostile_rss_client.py"), server.url, backend],
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        sent = server.sent
    result = json.loads(done.stdout)
    growth = result["peak_mib"] - result["baseline_mib"]
    peak = result["peak_mib"]
    print(f"\n{backend}: peak RSS {peak:.0f} MiB, +{growth:.0f} MiB; sent {sent >> 20} MiB")
    assert result["error"] == "StreamTooLargeError"
    assert growth < 48, result
    assert sent < GIB // 4  # the client stopped reading soon after the cap
