"""Random answers over loopback, through the whole client: a reply, or an OpenAIError.

Hypothesis drives the shared local server (``inject``) with random bodies, statuses and
event streams; each example sends one real request on asyncio and on trio.
"""

from __future__ import annotations

import json
from typing import Any

import anyio
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from openai_async import AsyncClient, OpenAIError
from openai_async.testing import LocalServer, instant_retries

from .test_fuzz_decoders import JSON

MESSAGES = [{"role": "user", "content": "hi"}]
# Few examples: each builds a client on two event loops (~0.1 s); the decoders alone
# get hundreds of examples in test_fuzz_decoders.
SETTINGS = settings(max_examples=15, deadline=None)
# What random generation would not find: nesting past the parser's limit, too many digits.
HOSTILE = st.sampled_from([b"[" * 100_000, b'{"a":' * 50_000, b"9" * 5000, b"\xff\xfe{"])
HEADERS = st.sampled_from(
    [{}, {"x-ratelimit-remaining-tokens": "9" * 5000}, {"retry-after": "9" * 5000}]
)
EVENT_LINES = st.lists(
    st.one_of(
        st.builds(lambda v: b"data: " + json.dumps(v).encode(), JSON),
        (st.binary(max_size=30) | HOSTILE).map(lambda b: b"data: " + b),
        st.sampled_from([b"", b"data: [DONE]", b"event: error", b": keep-alive", b"retry: 9"]),
        st.binary(max_size=20),
    ),
    max_size=12,
)


@pytest.fixture(scope="session")
def shared_server(_server_process: LocalServer) -> LocalServer:
    """The session's local server, not reset per test: each example resets it."""
    return _server_process


async def _outcome(server_url: str, stream: bool) -> None:
    async with AsyncClient(base_url=server_url, api_key="", max_retries=1) as client:
        try:
            if stream:
                chunks = await client.chat.completions.create(
                    model="gpt-3.5-turbo", messages=MESSAGES, stream=True
                )
                async with chunks:
                    async for _ in chunks:
                        pass
            else:
                await client.chat.completions.create(model="gpt-3.5-turbo", messages=MESSAGES)
        except OpenAIError:
            pass


def _run(server: LocalServer, stream: bool, **fault: Any) -> None:
    for backend in ("asyncio", "trio"):
        server.reset()
        server.inject(**fault, times=2)
        with instant_retries():
            anyio.run(_outcome, server.url, stream, backend=backend)


@SETTINGS
@given(
    status=st.sampled_from([200, 200, 201, 400, 404, 429, 500, 503]),
    body=JSON | st.binary(max_size=200) | HOSTILE,
    content_type=st.sampled_from(["application/json", "text/plain", "text/html; charset=x"]),
    headers=HEADERS,
)
def test_random_plain_answers(
    shared_server: LocalServer,
    status: int,
    body: object,
    content_type: str,
    headers: dict[str, str],
) -> None:
    """Random statuses and bodies for a plain call: a reply or an OpenAIError."""
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    headers = {"content-type": content_type, **headers}
    _run(shared_server, False, status=status, body=raw, headers=headers)


@SETTINGS
@given(lines=EVENT_LINES, ending=st.sampled_from([b"\n", b"\r\n", b"\r"]))
def test_random_event_streams(
    shared_server: LocalServer, lines: list[bytes], ending: bytes
) -> None:
    """Random event streams for a streamed call: chunks to the end, or an OpenAIError."""
    raw = b"".join(line + ending for line in lines)
    _run(shared_server, True, status=200, body=raw, headers={"content-type": "text/event-stream"})
