"""examples/endpoints.py runs to the end against the local server."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_endpoints_example_runs() -> None:
    """The example calls every endpoint beyond chat and prints each answer."""
    done = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "endpoints.py")],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "edit: HELLO WORLD" in done.stdout
    assert "transcription: Transcribed audio from speech.mp3. It has 48000 bytes." in done.stdout
    assert "variations: 2 PNGs" in done.stdout
