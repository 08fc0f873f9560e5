"""``import openai_async`` stays light: heavy modules load only when used."""

from __future__ import annotations

import subprocess
import sys

import pytest


@pytest.mark.parametrize("module", ["asyncio", "aiohttp", "httpx_aiohttp"])
def test_import_does_not_load(module: str) -> None:
    """A fresh ``import openai_async`` leaves ``module`` unimported (import-time budget)."""
    code = f"import sys, openai_async; print({module!r} in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "False"
