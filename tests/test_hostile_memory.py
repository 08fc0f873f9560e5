"""Memory stays flat against hostile answers of 1 GiB (peak RSS, measured).

The client runs in a process of its own (``hostile_rss_client.py``) so that its peak
resident memory is its own: the server thread here only sends its answer, made as
it goes (``bombs.py``). Each answer offers 1 GiB: a stream line without end, a JSON
reply without end, a gzip body of ~1 MB that inflates to 1 GiB, an error body of
1 GiB, and a gzip download read whole through ``iter_bytes``; the client holds no
more than its caps (16 MiB here). The download, which reads every byte, is 64 MiB
here (it takes seconds to inflate); ``nox -s hostile_memory`` runs it at 1 GiB, and
everything with the default caps too::

    HOSTILE_DOWNLOAD_MIB=1024 HOSTILE_CAPS=default pytest tests/test_hostile_memory.py -s
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterable
from pathlib import Path

import pytest

from openai_async._bodies import DEFAULT_MAX_ERROR_SIZE, DEFAULT_MAX_RESPONSE_SIZE
from openai_async.testing import RawRequest, RawServer, raw_response

from .bombs import GIB, MIB, endless, gzip_answer, head

ROOT = Path(__file__).parent.parent
DOWNLOAD = int(os.environ.get("HOSTILE_DOWNLOAD_MIB", "64")) * MIB
# max_response_size and max_event_size: 16 MiB, or the defaults (256 MiB and 16 MiB).
DEFAULT_CAPS = os.environ.get("HOSTILE_CAPS") == "default"
CAP = 16 * MIB
CAPS = () if DEFAULT_CAPS else (f"max_response_size={CAP}", f"max_event_size={CAP}")


def endless_line(size: int) -> Iterable[bytes]:
    yield head(200, "text/event-stream")
    yield b"data: "
    block = b"x" * 65536
    for _ in range(size // len(block)):
        yield block


# What the client may hold of each answer, by how it reads it.
HELD = {
    "stream": CAP,
    "reply": DEFAULT_MAX_RESPONSE_SIZE if DEFAULT_CAPS else CAP,
    "error": DEFAULT_MAX_ERROR_SIZE,
    "download": 0,
}

ANSWERS: dict[str, tuple[str, Callable[[], Iterable[bytes]], str | None]] = {
    # name: (how the client reads it, the answer, the error it must end in), in the
    # order they are read.
    "json-reply": ("reply", lambda: endless(200, b'{"id": "', GIB), "ResponseTooLargeError"),
    "gzip-reply": ("reply", lambda: gzip_answer(GIB), "ResponseTooLargeError"),
    "error-body": ("error", lambda: endless(500, b'{"error": "', GIB), "InternalServerError"),
    "gzip-download": (
        "download",
        lambda: gzip_answer(DOWNLOAD, content_type="application/octet-stream"),
        None,
    ),
    # Last: on asyncio ~20 MiB stays resident after a stream case, which later
    # cases could reuse unseen.
    "sse-line": ("stream", lambda: endless_line(GIB), "StreamTooLargeError"),
    "sse-gzip": (
        "stream",
        lambda: gzip_answer(GIB, content_type="text/event-stream"),
        "StreamTooLargeError",
    ),
}


def measure(backend: str, *settings: str) -> tuple[dict[str, dict[str, object]], dict[str, int]]:
    """Run the client against every answer: its report, and the bytes sent of each."""
    sent = dict.fromkeys(ANSWERS, 0)

    def answer(request: RawRequest) -> Iterable[bytes]:
        name = request.target.split("/")[1]
        if name == "warm-up":
            yield raw_response(200, [("content-type", "application/json")], b"{}")
            return
        for chunk in ANSWERS[name][1]():
            sent[name] += len(chunk)
            yield chunk

    cases = [
        f"{name}:{'reply' if mode == 'error' else mode}" for name, (mode, *_) in ANSWERS.items()
    ]
    with RawServer(answer) as server:
        client = ROOT / "tests" / "hostile_rss_client.py"
        root = server.url.removesuffix("/v1")
        done = subprocess.run(
            [sys.executable, str(client), root, backend, *cases, *settings],
            capture_output=True,
            text=True,
            timeout=600,
            check=True,
        )
    return json.loads(done.stdout), sent


@pytest.mark.skipif(not Path("/proc/self/clear_refs").exists(), reason="needs Linux's /proc")
@pytest.mark.parametrize("backend", ["asyncio", "trio"])
def test_hostile_answers_keep_memory_flat(backend: str) -> None:
    """Each 1 GiB hostile answer ends in its error (or is read whole, for a download) with
    peak RSS growth under its cap plus 32 MiB, whatever the server sent."""
    results, sent = measure(backend, *CAPS)
    for name, (mode, _, expected) in ANSWERS.items():
        result = results[name]
        growth = float(result["peak_mib"]) - float(result["baseline_mib"])  # type: ignore[arg-type]
        received = int(result["received"])  # type: ignore[call-overload]
        print(
            f"\n{backend} {name}: peak RSS {result['peak_mib']:.0f} MiB, +{growth:.0f} MiB; "
            f"sent {sent[name] / MIB:.1f} MiB, read {received / MIB:.0f} MiB",
            end="",
        )
        assert result["error"] == expected, (name, result)
        assert growth < (HELD[mode] >> 20) + 32, (name, result)
        if mode == "download":
            assert received == DOWNLOAD + len(b'{"data": "')  # every byte, in pieces
        else:
            assert sent[name] < HELD[mode] + 64 * MIB  # the client stopped soon after the cap
