"""One limit covers the whole call, a streamed body included (issue 14, point 8).

httpx's read timeout bounds each read alone, so a server that sends a byte every
50 ms never trips it. The ``RawServer`` below does that for ever (or sends as fast as
it can, or nothing at all): ``RetryPolicy(deadline=...)``, or the client's
``stream_timeout``, must end the call near its limit with ``APITimeoutError``, and
leave no connection checked out, however the body is read. Without a limit, the
per-read timeout alone applies; a stream that ends in time is not touched.

The bounds on time are loose (the limit plus a second): they only tell "ended near
the limit" from "never ended", which ``anyio.fail_after`` turns into a failure.
"""

from __future__ import annotations

import gc
import itertools
import json
import os
import time
from collections.abc import Awaitable, Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest

from openai_async import (
    APITimeoutError,
    AsyncClient,
    AsyncStream,
    InvalidParameterError,
    RetryPolicy,
    accumulate_chat,
)
from openai_async.testing import LocalServer, RawRequest, RawServer
from openai_async.types import ChatCompletionChunk

from .test_stream_leaks import pool_state

pytestmark = pytest.mark.anyio

LIMIT = 0.3  # seconds: the deadline or stream_timeout under test
SLACK = 1.0  # how late past the limit the call may end: loose, not a timing test
HANG = LIMIT + 5  # a call still running then would never have ended
DRIP = 0.05  # the server's pause between two pieces
MESSAGES = [{"role": "user", "content": "hi"}]
CHUNK = {
    "id": "chatcmpl-1",
    "object": "chat.completion.chunk",
    "created": 1,
    "model": "m",
    "choices": [{"index": 0, "delta": {"content": "x"}, "finish_reason": None}],
}
EVENT = f"data: {json.dumps(CHUNK)}\n\n".encode()


def _chunked(data: bytes) -> bytes:
    return b"%x\r\n%s\r\n" % (len(data), data)


def _answer(
    content_type: str, pieces: Iterable[bytes], *, every: float = DRIP, head_delay: float = 0
) -> Callable[[RawRequest], Iterator[bytes]]:
    """A 200 with a chunked body of ``pieces``, one every ``every`` seconds."""

    def answer(request: RawRequest) -> Iterator[bytes]:
        time.sleep(head_delay)
        yield (
            b"HTTP/1.1 200 OK\r\ncontent-type: %s\r\ntransfer-encoding: chunked\r\n\r\n"
            % content_type.encode()
        )
        for piece in pieces:
            if every:
                time.sleep(every)
            # An empty piece sends nothing: the body stalls, the server stays stoppable.
            yield _chunked(piece) if piece else b""

    return answer


def dripping_events() -> Callable[[RawRequest], Iterator[bytes]]:
    return _answer("text/event-stream", itertools.repeat(EVENT))


def dripping_keepalives() -> Callable[[RawRequest], Iterator[bytes]]:
    return _answer("text/event-stream", itertools.repeat(b": keep-alive\n"))


def dripping_bytes() -> Callable[[RawRequest], Iterator[bytes]]:
    return _answer("application/octet-stream", itertools.repeat(b"x"))


def firehose() -> Callable[[RawRequest], Iterator[bytes]]:
    """Comment lines as fast as the socket takes them: no read ever waits long."""
    return _answer("text/event-stream", itertools.repeat(b": x\n" * 1000), every=0)


def stalled() -> Callable[[RawRequest], Iterator[bytes]]:
    """Headers, one event, then nothing (within the default 600 s read timeout)."""
    return _answer("text/event-stream", itertools.chain([EVENT], itertools.repeat(b"")))


async def released(client: AsyncClient, server: RawServer | None = None) -> bool:
    """No connection checked out of the pool, and the server saw the socket close."""
    for _ in range(500):
        checked_out, _idle = pool_state(client)
        if checked_out == 0 and (server is None or server.connections_open == 0):
            return True
        await anyio.sleep(0.01)
    return False


async def times_out(call: Callable[[], Awaitable[object]]) -> tuple[APITimeoutError, float]:
    """Run ``call``; the APITimeoutError it raises and the seconds it took."""
    start = time.monotonic()
    with anyio.fail_after(HANG), pytest.raises(APITimeoutError) as info:
        await call()
    return info.value, time.monotonic() - start


def deadline_client(server: RawServer, seconds: float = LIMIT) -> AsyncClient:
    return AsyncClient(base_url=server.url, api_key="", retry=RetryPolicy(deadline=seconds))


def chat_stream(client: AsyncClient) -> Awaitable[AsyncStream[ChatCompletionChunk]]:
    return client.chat.completions.create(model="m", messages=MESSAGES, stream=True)


# -- server-sent events ---------------------------------------------------------------


async def _iterate_in_async_with(client: AsyncClient) -> None:
    async with await chat_stream(client) as stream:
        async for _ in stream:
            pass


async def _iterate_bare(client: AsyncClient) -> None:
    stream = await chat_stream(client)
    async for _ in stream:  # no async with: the stream closes itself on the error
        pass


async def _accumulate(client: AsyncClient) -> None:
    async with await chat_stream(client) as stream:
        await accumulate_chat(stream)


async def _streaming_response_parse(client: AsyncClient) -> None:
    create = client.chat.completions.with_streaming_response.create
    async with create(model="m", messages=MESSAGES, stream=True) as response:
        async for _ in await response.parse():
            pass


SSE_READERS = {
    "async with": _iterate_in_async_with,
    "bare async for": _iterate_bare,
    "accumulate_chat": _accumulate,
    "with_streaming_response": _streaming_response_parse,
}


# Every way of reading a stream against a drip; every kind of endless answer read one way.
SSE_CASES = [
    *((dripping_events, name) for name in SSE_READERS),
    *((answer, "async with") for answer in (dripping_keepalives, firehose, stalled)),
]


@pytest.mark.parametrize(
    ("answer", "read"), SSE_CASES, ids=[f"{a.__name__}-{r}" for a, r in SSE_CASES]
)
async def test_deadline_ends_a_stream_that_never_ends(
    answer: Callable[[], Callable[[RawRequest], Iterator[bytes]]], read: str
) -> None:
    """A stream dripping events or keep-alives, flooding, or stalled, ends at the deadline."""
    with RawServer(answer()) as server:
        async with deadline_client(server) as client:
            error, elapsed = await times_out(lambda: SSE_READERS[read](client))
            assert f"deadline ({LIMIT:g} s for the whole call)" in str(error)
            assert LIMIT * 0.9 <= elapsed < LIMIT + SLACK
            assert await released(client, None if answer is stalled else server)


async def test_deadline_passing_while_the_caller_works_ends_the_next_read() -> None:
    """A caller busy past the deadline gets the error at its next read, nothing left open."""

    async def slow_reader() -> None:
        async with await chat_stream(client) as stream:
            async for _ in stream:
                await anyio.sleep(LIMIT + 0.1)  # by the next read, the deadline has passed

    with RawServer(dripping_events()) as server:
        async with deadline_client(server) as client:
            error, elapsed = await times_out(slow_reader)
            assert f"deadline ({LIMIT:g} s for the whole call)" in str(error)
            assert elapsed < LIMIT + 0.1 + SLACK
            assert await released(client, server)
            # Its traceback holds the readers: collected now, during the run, a transport
            # generator left half-way would be reported (trio warns; errors here).
            del error
            gc.collect()
            await anyio.sleep(0.05)


async def test_deadline_ends_a_dripping_stream_on_a_transport_of_your_own() -> None:
    """Through httpx's own transport (not the client's pool) the deadline holds the same."""
    with RawServer(dripping_events()) as server:
        async with AsyncClient(
            base_url=server.url,
            api_key="",
            retry=RetryPolicy(deadline=LIMIT),
            transport=httpx.AsyncHTTPTransport(),
        ) as client:
            error, elapsed = await times_out(lambda: _iterate_bare(client))
            assert f"deadline ({LIMIT:g} s for the whole call)" in str(error)
            assert LIMIT * 0.9 <= elapsed < LIMIT + SLACK
            for _ in range(500):  # the server sees the socket close
                if server.connections_open == 0:
                    break
                await anyio.sleep(0.01)
            assert server.connections_open == 0


async def test_stream_timeout_ends_a_dripping_stream() -> None:
    """Without a deadline, the client's stream_timeout ends the stream; the message names it."""
    with RawServer(dripping_events()) as server:
        async with AsyncClient(base_url=server.url, api_key="", stream_timeout=LIMIT) as client:
            error, elapsed = await times_out(lambda: _iterate_in_async_with(client))
            assert f"stream_timeout ({LIMIT:g} s from the headers)" in str(error)
            assert LIMIT * 0.9 <= elapsed < LIMIT + SLACK
            assert await released(client, server)


async def test_stream_timeout_counts_from_the_headers_in_place_of_the_deadline() -> None:
    """With both set, the deadline bounds the wait for the headers, stream_timeout the body."""
    late_head = _answer("text/event-stream", itertools.repeat(EVENT), head_delay=0.2)
    with RawServer(late_head) as server:
        policy = RetryPolicy(deadline=1.0)  # ample time for the headers, even on a busy machine
        async with AsyncClient(
            base_url=server.url, api_key="", retry=policy, stream_timeout=1.2
        ) as client:
            error, elapsed = await times_out(lambda: _iterate_in_async_with(client))
            assert "stream_timeout (1.2 s from the headers)" in str(error)
            assert 1.4 * 0.9 <= elapsed < 1.4 + SLACK  # the headers' delay, then 1.2 s
            assert await released(client, server)
        fast = AsyncClient(
            base_url=server.url, api_key="", retry=RetryPolicy(deadline=0.1), stream_timeout=5
        )
        async with fast:
            error, elapsed = await times_out(lambda: _iterate_in_async_with(fast))
            assert "deadline (0.1 s for the whole call) passed before the answer arrived" in str(
                error
            )  # no headers within the deadline: stream_timeout never started
            assert elapsed < 0.1 + SLACK


async def test_with_options_sets_and_removes_the_stream_timeout() -> None:
    """A with_options variant carries its own stream_timeout; None removes it."""
    with RawServer(dripping_events()) as server:
        async with AsyncClient(base_url=server.url, api_key="", stream_timeout=60) as client:
            short = client.with_options(stream_timeout=LIMIT)
            assert (client.stream_timeout, short.stream_timeout) == (60, LIMIT)
            assert short.with_options(max_retries=1).stream_timeout == LIMIT
            assert short.with_options(stream_timeout=None).stream_timeout is None
            error, elapsed = await times_out(lambda: _iterate_in_async_with(short))
            assert "stream_timeout" in str(error)
            assert elapsed < LIMIT + SLACK
            # Removed, the stream runs on: past the limit it is still going.
            unlimited = short.with_options(stream_timeout=None)
            seen = 0
            with anyio.move_on_after(LIMIT * 2):
                async with await chat_stream(unlimited) as stream:
                    async for _ in stream:
                        seen += 1
            assert seen >= 8
            assert await released(client, server)


# -- downloads ---------------------------------------------------------------------------


def _content(client: AsyncClient) -> Any:  # with_streaming_response methods are untyped
    return client.files.with_streaming_response.content("file-1")


async def _iter_bytes(client: AsyncClient, tmp_path: Path) -> None:
    async with _content(client) as response:
        async for _ in response.iter_bytes():
            pass


async def _iter_lines(client: AsyncClient, tmp_path: Path) -> None:
    async with _content(client) as response:
        async for _ in response.iter_lines():
            pass


async def _read(client: AsyncClient, tmp_path: Path) -> None:
    async with _content(client) as response:
        await response.read()


async def _stream_to_file(client: AsyncClient, tmp_path: Path) -> None:
    async with _content(client) as response:
        await response.stream_to_file(tmp_path / "out.bin")


async def _download(client: AsyncClient, tmp_path: Path) -> None:
    await client.files.download("file-1", tmp_path / "out.bin")


async def _speech(client: AsyncClient, tmp_path: Path) -> None:
    create = client.audio.speech.with_streaming_response.create
    async with create(model="tts-1", input="hi", voice="alloy") as response:
        await response.stream_to_file(tmp_path / "speech.mp3")


DOWNLOADS = {
    "iter_bytes": _iter_bytes,
    "iter_lines": _iter_lines,
    "read": _read,
    "stream_to_file": _stream_to_file,
    "files.download": _download,
    "speech": _speech,
}


@pytest.mark.parametrize("read", DOWNLOADS.values(), ids=DOWNLOADS.keys())
async def test_deadline_ends_a_dripping_download(
    read: Callable[[AsyncClient, Path], Awaitable[None]], tmp_path: Path
) -> None:
    """A body dripping a byte every 50 ms ends at the deadline, however it is read."""
    with RawServer(dripping_bytes()) as server:
        async with deadline_client(server) as client:
            error, elapsed = await times_out(lambda: read(client, tmp_path))
            assert "deadline" in str(error)
            assert LIMIT * 0.9 <= elapsed < LIMIT + SLACK
            assert await released(client, server)
    assert os.listdir(tmp_path) == []  # no partial file left behind


async def test_deadline_ends_a_dripping_body_read_whole() -> None:
    """A non-streamed body is read inside the attempt: the deadline ends it as well."""
    with RawServer(dripping_bytes()) as server:
        async with deadline_client(server) as client:
            error, elapsed = await times_out(lambda: client.files.content("file-1"))
            assert "deadline" in str(error)
            assert elapsed < LIMIT + SLACK
            assert await released(client, server)


# -- what the limits leave alone --------------------------------------------------------


async def test_a_stream_that_ends_in_time_is_untouched(server: LocalServer) -> None:
    """Paced streams that end within the limits read whole, and their connection is reused."""
    server.inject(event_delay=0.01, times=3, path="/chat/completions")
    async with AsyncClient(
        base_url=server.url, api_key="", retry=RetryPolicy(deadline=10), stream_timeout=10
    ) as client:
        for _ in range(3):
            async with await chat_stream(client) as stream:
                reply = await accumulate_chat(stream)
            assert reply.choices[0].message.content
        checked_out, idle = pool_state(client)
        assert (checked_out, idle) == (0, 1)


async def test_without_a_limit_a_slow_stream_runs_on() -> None:
    """No deadline and no stream_timeout (the defaults): only the per-read timeout applies."""
    with RawServer(dripping_events()) as server:
        async with AsyncClient(base_url=server.url, api_key="") as client:
            seen = 0
            with anyio.move_on_after(LIMIT * 2):
                async with await chat_stream(client) as stream:
                    async for _ in stream:
                        seen += 1
            assert seen >= 8  # ran on past any of the limits above
            assert await released(client, server)


@pytest.mark.parametrize("value", [0, -1, float("inf"), float("nan"), True, "5"])
def test_stream_timeout_must_be_positive_seconds(value: object) -> None:
    """A stream_timeout that is not seconds > 0 is refused, naming the parameter."""
    with pytest.raises(InvalidParameterError) as info:
        AsyncClient(api_key="", stream_timeout=value)  # type: ignore[arg-type]
    assert info.value.param == "stream_timeout"
    with pytest.raises(InvalidParameterError) as info:
        AsyncClient(api_key="").with_options(stream_timeout=value)  # type: ignore[arg-type]
    assert info.value.param == "stream_timeout"
