"""A 200 MB upload and download: the client's memory stays flat when given a path.

The client runs in a subprocess of its own, against the local server in another
one, and reports its peak RSS (``VmHWM``; see ``rss_client.peak_mib``): the in-process server thread
the other tests use would add its own buffers to the measurement.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

SIZE_MIB = 200
# Chunks of 256 KiB, httpx's and h11's buffers: a few MiB. The bound leaves room for
# allocator noise and is still far below the file's size.
STREAMED_LIMIT_MIB = 40

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def server_url() -> Iterator[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(
        [sys.executable, "-m", "openai_async.testing", "--port", "0"],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        match = re.search(r"http://\S+/v1", line)
        assert match, f"the server did not start: {line!r}"
        yield match.group(0)
    finally:
        process.terminate()
        process.wait(timeout=10)
        if process.stdout is not None:
            process.stdout.close()


@pytest.fixture(scope="module")
def big_file(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    path = tmp_path_factory.mktemp("large") / "big.jsonl"
    block = os.urandom(1 << 20)
    with path.open("wb") as f:
        for i in range(SIZE_MIB):
            f.write(i.to_bytes(4, "big") + block[4:])  # no two MiB alike
    yield path
    path.unlink()  # pytest keeps the last runs' temporary directories; not this file


def _run_client(server_url: str, file: Path, mode: str) -> dict[str, float]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, str(ROOT / "tests" / "rss_client.py"), server_url, str(file), mode],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, float] = json.loads(done.stdout)
    print(mode, result)  # shown with -s or -rA: the numbers behind the assertions
    return result


def test_path_upload_and_download_stream(server_url: str, big_file: Path) -> None:
    """Uploading 200 MB by path and downloading it to a path grows peak RSS by a few MiB."""
    result = _run_client(server_url, big_file, "path")
    assert result["uploaded_bytes"] == result["written_bytes"] == SIZE_MIB << 20
    assert result["same_content"]
    assert result["upload_growth_mib"] < STREAMED_LIMIT_MIB
    assert result["download_growth_mib"] < STREAMED_LIMIT_MIB


def test_measurement_sees_a_file_in_memory(server_url: str, big_file: Path) -> None:
    """The control: bytes read whole raise peak RSS by about the file's size."""
    result = _run_client(server_url, big_file, "bytes")
    assert result["uploaded_bytes"] == SIZE_MIB << 20
    # Not all of it: memory freed before the baseline (the imports' garbage) is reused.
    assert result["upload_growth_mib"] >= 0.75 * SIZE_MIB
