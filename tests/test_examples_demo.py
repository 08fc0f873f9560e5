"""examples/demo.py runs to the end against the local server, as ``dev.py -s demo`` runs it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_demo_streams_batches_and_follows_a_fine_tune() -> None:
    """The demo's three parts finish: a streamed reply, 1,000 prompts, a fine-tune's events."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENAI_")}
    done = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "demo.py")],
        capture_output=True,
        text=True,
        env={**env, "PYTHONPATH": str(ROOT)},
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "You said: In one sentence: why do streaming replies feel faster" in out
    assert "1000/1000 items (0 failed, 0 skipped)" in out
    assert "1,000 ok, 0 failed" in out
    assert "Fine-tune succeeded" in out
    assert "succeeded: the new model is curie:ft-" in out
    assert done.stderr == ""
