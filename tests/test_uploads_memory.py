"""A chunked upload's memory stays within parts in flight x part size (measured, in a subprocess).

``benchmarks/upload_memory.py`` makes the file, starts the local server in a process of
its own and measures its own peak RSS (``VmHWM``) around the upload; the 1 GiB run is
``python3 -m nox -s upload_memory``. Here a 32 MiB file in 4 MiB parts, 4 in flight.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SIZE_MIB, PART_MIB, IN_FLIGHT = 32, 4, 4
BOUND_MIB = PART_MIB * IN_FLIGHT


def _measure(*extra: str) -> dict[str, object]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    args = ["--mib", str(SIZE_MIB), "--part-mib", str(PART_MIB)]
    args += ["--parts-in-flight", str(IN_FLIGHT), *extra]
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "upload_memory.py"), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, object] = json.loads(done.stdout)
    print(result)  # shown with -s or -rA: the numbers behind the assertions
    return result


def test_chunked_upload_from_a_path_stays_within_the_bound() -> None:
    """Uploading 32 MiB by path in 4 MiB parts, 4 at once, grows peak RSS by under 16 MiB."""
    result = _measure()
    assert result["status"] == "completed"
    assert result["uploaded_bytes"] == SIZE_MIB << 20
    growth = result["growth_mib"]
    assert isinstance(growth, float)
    assert growth < BOUND_MIB


def test_the_measurement_sees_a_file_held_in_memory() -> None:
    """The same upload from bytes read whole grows peak RSS past the bound: the check can fail."""
    result = _measure("--from-bytes")
    growth = result["growth_mib"]
    assert isinstance(growth, float)
    assert growth > SIZE_MIB
