"""examples/responses.py, written for the SDK's AsyncOpenAI, runs unchanged against the server."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from openai_async.testing import LocalServer

from .conftest import API_KEY

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "responses.py"

pytestmark = pytest.mark.anyio


async def test_sdk_program_runs_unchanged(
    server: LocalServer, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Plain, streamed, function-calling and parse calls as OpenAI's guides write them."""
    monkeypatch.setenv("OPENAI_BASE_URL", server.url)
    monkeypatch.setenv("OPENAI_API_KEY", API_KEY)
    spec = importlib.util.spec_from_file_location("responses_example", EXAMPLE)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "responses_example", module)
    spec.loader.exec_module(module)
    await module.main()
    lines = capsys.readouterr().out.splitlines()
    assert lines == [
        "plain: You said: Tell me a three sentence bedtime story about a unicorn.",
        "streamed: You said: Say 'double bubble bath' ten times fast. [completed]",
        "function call: get_weather -> get_weather returned: 14.5",
        "parsed: CalendarEvent ['Alice and Bob are going to a science fair on Friday.']",
        "stored: You said: Thanks!",
    ]
