"""The FastAPI and aiohttp examples, each run in its real server, against the local server.

Each test starts the example as its own process (uvicorn for FastAPI, aiohttp's
``run_app`` for aiohttp) on a loopback port, with the client inside it pointed at a
``LocalServer`` of this test, and talks to it over HTTP as a browser would.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from openai_async.testing import LocalServer

from .conftest import unused_port
from .openapi import check_recorded_requests

ROOT = Path(__file__).resolve().parent.parent
KINDS = {
    "fastapi": ("fastapi", "uvicorn"),
    "aiohttp": ("aiohttp",),
}


def command(kind: str, port: int) -> list[str]:
    if kind == "fastapi":
        app = "examples.fastapi_app:app"
        return [sys.executable, "-m", "uvicorn", app, "--port", str(port), "--log-level", "warning"]
    return [sys.executable, str(ROOT / "examples" / "aiohttp_app.py"), "--port", str(port)]


@pytest.fixture(scope="module")
def _upstream() -> Iterator[LocalServer]:
    with LocalServer() as server:
        yield server


@pytest.fixture
def upstream(_upstream: LocalServer) -> Iterator[LocalServer]:
    """The module's local server, reset; afterwards its requests are checked against the spec."""
    _upstream.reset()
    yield _upstream
    check_recorded_requests(_upstream.requests, off_spec=None, where=None)


@contextlib.contextmanager
def start_example(kind: str, upstream: LocalServer) -> Iterator[str]:
    for module in KINDS[kind]:
        pytest.importorskip(module, reason=f"the {kind} example needs {module} installed")
    port = unused_port()
    env = {
        **os.environ,
        "OPENAI_BASE_URL": upstream.url,
        "OPENAI_API_KEY": "",
        "OPENAI_CHAT_MODEL": "gpt-3.5-turbo",
        "PYTHONPATH": str(ROOT),
    }
    proc = subprocess.Popen(
        command(kind, port), cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(url + "/", timeout=1).raise_for_status()
                break
            except httpx.TransportError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    assert proc.stderr is not None
                    raise AssertionError(proc.stderr.read().decode()) from None
                time.sleep(0.1)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        if proc.stderr is not None:
            proc.stderr.close()


@pytest.fixture(scope="module", params=sorted(KINDS))
def kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="module")
def _app(kind: str, _upstream: LocalServer) -> Iterator[str]:
    with start_example(kind, _upstream) as url:
        yield url


@pytest.fixture
def app(_app: str, upstream: LocalServer) -> str:
    """The example app's base URL, running in its own server process (one per module)."""
    return _app


def events(response: httpx.Response) -> Iterator[dict[str, object]]:
    """The server-sent events of ``response``, as JSON, as they arrive."""
    for line in response.iter_lines():
        if line.startswith("data:"):
            yield json.loads(line[5:])


def test_page_is_served(app: str) -> None:
    """GET / is the chat page."""
    page = httpx.get(app + "/")
    assert page.headers["content-type"].startswith("text/html")
    assert '<form id="form">' in page.text


def test_chat_streams_the_reply_piece_by_piece(app: str, upstream: LocalServer) -> None:
    """POST /chat relays the upstream stream as events, each as soon as it arrives."""
    upstream.inject(event_delay=0.05, path="/chat/completions")
    messages = [{"role": "user", "content": "one two three four five six"}]
    arrivals: list[float] = []
    deltas: list[str] = []
    with httpx.stream("POST", app + "/chat", json={"messages": messages}, timeout=30) as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        for event in events(response):
            arrivals.append(time.monotonic())
            if "delta" in event:
                deltas.append(str(event["delta"]))
            else:
                assert event == {"done": True}
    assert "".join(deltas) == "You said: one two three four five six"
    assert len(deltas) >= 6
    # Paced upstream events arrive paced: not all at once at the end.
    assert arrivals[-1] - arrivals[0] > 0.2
    [sent] = upstream.requests
    assert sent.json()["stream"] is True
    assert sent.json()["messages"] == messages


def test_a_browser_leaving_mid_stream_closes_the_upstream_stream(kind: str) -> None:
    """The client going away mid-reply closes the app's upstream connection within a second.

    The whole reply would take over 6 s; the local server sees its connection close long
    before, so the model stops generating (and billing) when nobody reads. A fresh app
    and server: no other connection is open between them.
    """
    with LocalServer() as upstream, start_example(kind, upstream) as app:
        leave_mid_stream(app, upstream)


def leave_mid_stream(app: str, upstream: LocalServer) -> None:
    upstream.inject(event_delay=0.1, path="/chat/completions")
    words = " ".join(f"word{i}" for i in range(60))
    with httpx.stream(
        "POST", app + "/chat", json={"messages": [{"role": "user", "content": words}]}
    ) as response:
        received = events(response)
        for _ in range(3):
            assert "delta" in next(received)
        assert upstream.connections_open == 1  # the app's stream to the server
        left = time.monotonic()
    # Leaving the block closed our connection to the app mid-reply.
    while upstream.connections_open and time.monotonic() - left < 3:
        time.sleep(0.02)
    assert upstream.connections_open == 0, "the upstream stream is still open"
    assert time.monotonic() - left < 2


def test_chat_reports_an_upstream_error_in_the_stream(app: str, upstream: LocalServer) -> None:
    """An upstream error answer becomes an error event (the 200 status is sent already)."""
    upstream.inject(status=400, body={"error": {"message": "bad model", "type": "invalid"}})
    with httpx.stream(
        "POST", app + "/chat", json={"messages": [{"role": "user", "content": "hi"}]}
    ) as response:
        [event] = list(events(response))
    assert str(event["error"]).startswith("BadRequestError")
    assert "bad model" in str(event["error"])


def test_batch_answers_every_prompt_in_order(app: str, upstream: LocalServer) -> None:
    """POST /batch answers 200 prompts, in input order, each once."""
    prompts = [f"prompt {i}" for i in range(200)]
    answer = httpx.post(app + "/batch", json={"prompts": prompts, "max_tokens": 5}, timeout=60)
    answer.raise_for_status()
    body = answer.json()
    assert [r["answer"] for r in body["results"]] == [f"You said: {p}" for p in prompts]
    assert (body["succeeded"], body["failed"]) == (200, 0)
    assert len(upstream.requests) == 200


def test_batch_reports_failed_prompts(app: str, upstream: LocalServer) -> None:
    """A prompt the upstream refuses is a failed result; the others still succeed."""
    upstream.inject(status=400, body={"error": {"message": "no", "type": "x"}})
    answer = httpx.post(app + "/batch", json={"prompts": ["a", "b", "c"]}, timeout=60)
    body = answer.json()
    assert (body["succeeded"], body["failed"]) == (2, 1)
    assert [r for r in body["results"] if not r["ok"]] == [
        {"ok": False, "error": "BadRequestError"}
    ]


def test_batch_refuses_too_many_prompts(app: str, upstream: LocalServer) -> None:
    """More than 1,000 prompts is a client error, and nothing goes upstream."""
    answer = httpx.post(app + "/batch", json={"prompts": ["x"] * 1001}, timeout=30)
    assert answer.status_code in (400, 422)
    assert upstream.requests == []
