"""examples/demo.py's three parts, run against the local server on asyncio and trio.

``python3 dev.py -s demo`` runs the whole demo as a program; here each part runs in
this process (without the demo's pacing, which only makes the stream visible).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

from openai_async import AsyncClient
from openai_async.testing import LocalServer

pytestmark = pytest.mark.anyio
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def demo() -> ModuleType:
    spec = importlib.util.spec_from_file_location("demo", ROOT / "examples" / "demo.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


async def test_streamed_reply(
    demo: ModuleType, client: AsyncClient, capsys: pytest.CaptureFixture[str]
) -> None:
    """Part 1 prints the reply as it streams, then its finish reason."""
    await demo.stream_chat(client)
    out = capsys.readouterr().out
    assert "You said: In one sentence: why do streaming replies feel faster" in out
    assert "(finish_reason: stop)" in out


async def test_batch_job(
    demo: ModuleType, client: AsyncClient, server: LocalServer, capsys: pytest.CaptureFixture[str]
) -> None:
    """Part 2 answers every prompt, with progress lines outside a terminal.

    300 here (the demo runs 1,000): enough to cross a progress line, quick on trio too.
    """
    await demo.batch_job(client, 300)
    out = capsys.readouterr().out
    assert "250/300 items (0 failed, 0 skipped)" in out
    assert "300/300 items (0 failed, 0 skipped)" in out
    assert "q0000: You said: Name a colour, then the number 0." in out
    assert "300 ok, 0 failed" in out
    assert len(server.requests) == 300


async def test_fine_tune_followed_to_the_end(
    demo: ModuleType, client: AsyncClient, capsys: pytest.CaptureFixture[str]
) -> None:
    """Part 3 uploads a file, starts a fine-tune and prints its events until it succeeds."""
    await demo.fine_tune(client)
    out = capsys.readouterr().out.splitlines()
    assert out[2].startswith("  uploaded sums.jsonl: file-")
    assert out[-2].endswith("Fine-tune succeeded")
    assert out[-1].startswith("  succeeded: the new model is curie:ft-")


async def test_tool_call_round_trip(
    demo: ModuleType, client: AsyncClient, server: LocalServer, capsys: pytest.CaptureFixture[str]
) -> None:
    """Part 2 runs the tool the model asks for and sends its result back for the reply."""
    await demo.tool_call(client)
    out = capsys.readouterr().out
    assert "the model calls get_weather({'city': 'Paris'}) -> '14 C, light rain'" in out
    assert out.rstrip().endswith("get_weather returned: 14 C, light rain")
    first, second = (request.json() for request in server.requests)
    assert first["tool_choice"] == "required"
    assert second["messages"][-1]["role"] == "tool"
    assert second["messages"][-1]["tool_call_id"] == second["messages"][1]["tool_calls"][0]["id"]
