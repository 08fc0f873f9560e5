"""The ``openai_async`` logger: a line per attempt, one per retry, and never a secret."""

from __future__ import annotations

import logging

import pytest

from openai_async import APIConnectionError, AsyncClient
from openai_async.testing import LocalServer, instant_retries

from .conftest import API_KEY

pytestmark = pytest.mark.anyio

PROMPT = "my private prompt 4f9a"


def _ours(caplog: pytest.LogCaptureFixture, level: int) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "openai_async" and r.levelno == level]


async def test_attempts_and_retries_are_logged(
    server: LocalServer, caplog: pytest.LogCaptureFixture
) -> None:
    """Each attempt logs at DEBUG and each retry at INFO, with path, status, wait, request id."""
    caplog.set_level(logging.DEBUG, logger="openai_async")
    server.inject(status=503, headers={"retry-after": "2"})
    server.inject(status=200, body={"ok": True})
    chat = {"model": "m", "messages": [{"role": "user", "content": PROMPT}]}
    async with AsyncClient(base_url=server.url, api_key=API_KEY) as client:
        with instant_retries():
            await client.request("POST", "chat/completions", json=chat)
    attempts = _ours(caplog, logging.DEBUG)
    assert [(r.status, r.attempt) for r in attempts] == [(503, 1), (200, 2)]  # type: ignore[attr-defined]
    assert all(r.path == "/v1/chat/completions" for r in attempts)  # type: ignore[attr-defined]
    assert all(r.request_id.startswith("req_") for r in attempts)  # type: ignore[attr-defined]
    assert "POST /v1/chat/completions -> 503" in attempts[0].getMessage()
    (retry,) = _ours(caplog, logging.INFO)
    assert retry.wait == 2.0  # type: ignore[attr-defined]
    assert retry.status == 503  # type: ignore[attr-defined]
    assert retry.request_id == attempts[0].request_id  # type: ignore[attr-defined]
    assert "Retrying POST /v1/chat/completions in 2.00 s after 503" in retry.getMessage()


async def test_connection_errors_are_logged(
    server: LocalServer, caplog: pytest.LogCaptureFixture
) -> None:
    """A broken connection logs the failed attempt and the retry, naming the error type."""
    caplog.set_level(logging.DEBUG, logger="openai_async")
    server.inject(reset=True, times=2)
    async with AsyncClient(base_url=server.url, api_key=API_KEY, max_retries=1) as client:
        with instant_retries(), pytest.raises(APIConnectionError):
            await client.models.list()
    failures = _ours(caplog, logging.DEBUG)
    assert [r.attempt for r in failures] == [1, 2]  # type: ignore[attr-defined]
    assert all("APIConnectionError" in r.getMessage() for r in failures)
    (retry,) = _ours(caplog, logging.INFO)
    assert "after APIConnectionError" in retry.getMessage()


async def test_key_and_body_never_logged(
    server: LocalServer, caplog: pytest.LogCaptureFixture
) -> None:
    """Through retries, errors and successes, no log line holds the key or the body."""
    caplog.set_level(logging.DEBUG)  # every logger: ours, httpx's and httpcore's
    server.inject(status=429, headers={"retry-after": "1"})
    server.inject(reset=True)
    server.inject(status=500, times=3, path="/completions")
    body = {"model": "m", "prompt": PROMPT, "user": API_KEY}  # the key in a body field too
    async with AsyncClient(base_url=server.url, api_key=API_KEY) as client:
        with instant_retries():
            await client.models.list()
            with pytest.raises(Exception, match="500"):
                await client.request("POST", "completions", json=body)
    assert _ours(caplog, logging.INFO), "expected retries to be logged"
    assert len(_ours(caplog, logging.DEBUG)) >= 6
    assert API_KEY not in caplog.text
    assert API_KEY[-12:] not in caplog.text
    assert PROMPT not in caplog.text


async def test_quiet_unless_asked(server: LocalServer, caplog: pytest.LogCaptureFixture) -> None:
    """At the default WARNING level a successful call logs nothing of ours."""
    caplog.set_level(logging.WARNING, logger="openai_async")
    async with AsyncClient(base_url=server.url, api_key="") as client:
        await client.models.list()
    assert [r for r in caplog.records if r.name == "openai_async"] == []
