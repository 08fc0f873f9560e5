"""Bodies read within bounds: max_response_size, max_error_size and compressed bodies.

A ``RawServer`` offers far more than the caps (endless bodies, gzip bombs, huge error
bodies); ``sent`` shows how much of it the client let through before it stopped.
Peak memory against 1 GiB answers is measured in ``test_hostile_memory.py``.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import AsyncIterator, Iterable, Iterator

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from openai_async import (
    APIStreamError,
    AsyncClient,
    InternalServerError,
    OpenAIError,
    RateLimitError,
    ResponseTooLargeError,
    StreamTooLargeError,
)
from openai_async._bodies import Pieces
from openai_async.jobs._records import error_record
from openai_async.testing import LocalServer, RawRequest, RawServer, instant_retries, raw_response

from .bombs import GIB, MIB, endless, gzip_answer, head
from .conftest import API_KEY

pytestmark = pytest.mark.anyio

MESSAGES = [{"role": "user", "content": "hi"}]


def chat_args() -> dict[str, object]:
    return {"model": "gpt-3.5-turbo", "messages": MESSAGES}


def raw_client(server: RawServer, **settings: object) -> AsyncClient:
    return AsyncClient(base_url=server.url, api_key="", max_retries=0, **settings)  # type: ignore[arg-type]


async def test_endless_reply_stops_at_max_response_size() -> None:
    """A JSON reply with no end raises ResponseTooLargeError at the cap, naming it; not retried."""
    limit = 1 * MIB
    with RawServer(lambda request: endless(200, b'{"data": "', GIB)) as raw:
        async with AsyncClient(
            base_url=raw.url, api_key="", max_retries=2, max_response_size=limit
        ) as client:
            with instant_retries(), pytest.raises(ResponseTooLargeError) as info:
                await client.chat.completions.create(**chat_args())  # type: ignore[call-overload]
    assert (info.value.setting, info.value.limit) == ("max_response_size", limit)
    assert "max_response_size" in str(info.value)
    assert info.value.response.status_code == 200
    assert len(raw.requests) == 1  # the same request would get the same answer
    assert raw.sent < 64 * MIB  # the client stopped reading long before 1 GiB


async def test_declared_length_past_the_cap_is_refused_unread() -> None:
    """A content-length past max_response_size raises before the body is read."""
    answer = raw_response(200, [("content-type", "application/json")], b"{}", content_length=GIB)
    with RawServer(lambda request: answer) as raw:
        async with raw_client(raw, max_response_size=MIB) as client:
            with pytest.raises(ResponseTooLargeError, match="content-length"):
                await client.request("GET", "models")


async def test_a_head_answer_is_not_held_to_its_content_length() -> None:
    """A HEAD answer declares the size of a body it does not send: no cap applies to it."""
    answer = raw_response(200, [("content-type", "application/json")], b"", content_length=GIB)
    with RawServer(lambda request: answer) as raw:
        async with raw_client(raw, max_response_size=MIB) as client:
            response = await client.request("HEAD", "files/file-abc", cast_to=httpx.Response)
    assert response.headers["content-length"] == str(GIB)
    assert response.content == b""


def _framed(body: bytes, framing: str) -> Iterator[bytes]:
    if framing == "length":
        yield raw_response(200, [("content-type", "application/json")], body)
    elif framing == "close":
        yield head(200)
        yield body
    elif framing == "chunked":
        yield head(200, "application/json", "transfer-encoding: chunked")
        for start in range(0, len(body), 1000):
            piece = body[start : start + 1000]
            yield f"{len(piece):x}\r\n".encode() + piece + b"\r\n"
        yield b"0\r\n\r\n"
    else:
        packed = gzip.compress(body)
        yield head(200, "application/json", "content-encoding: gzip")
        yield packed


@pytest.mark.parametrize("framing", ["length", "close", "chunked", "gzip"])
async def test_the_cap_counts_decoded_bytes_exactly(framing: str) -> None:
    """A reply of exactly max_response_size decoded bytes is read; one byte more raises."""
    body = json.dumps({"data": "y" * 5000}).encode()
    with RawServer(lambda request: _framed(body, framing)) as raw:
        async with raw_client(raw, max_response_size=len(body)) as client:
            assert await client.request("GET", "models") == {"data": "y" * 5000}
            raw_reply = await client.request("GET", "models", cast_to=httpx.Response)
            assert raw_reply.content == body
            assert raw_reply.headers.get("content-encoding") == (
                "gzip" if framing == "gzip" else None
            )
            with pytest.raises(ResponseTooLargeError):
                await client.with_options(max_response_size=len(body) - 1).request("GET", "models")


def _length_and_chunked(status: int, body: bytes) -> Iterator[bytes]:
    """A content-length that lies beside transfer-encoding: chunked (which wins in h11)."""
    yield head(status, "application/json", "content-length: 10", "transfer-encoding: chunked")
    yield f"{len(body):x}\r\n".encode() + body + b"\r\n0\r\n\r\n"


async def test_a_content_length_beside_chunked_does_not_bypass_the_caps() -> None:
    """The body of an answer framed by chunks is counted, whatever content-length says."""
    body = json.dumps({"data": "z" * 5000}).encode()
    with RawServer(lambda request: _length_and_chunked(200, body)) as raw:
        async with raw_client(raw, max_response_size=100) as client:
            with pytest.raises(OpenAIError) as info:  # the cap, or a refusal of the framing
                await client.request("GET", "models")
    assert "z" * 200 not in str(info.value)
    error = json.dumps({"error": {"message": "e" * 5000}}).encode()
    with RawServer(lambda request: _length_and_chunked(500, error)) as raw:
        async with raw_client(raw, max_error_size=100) as client:
            with pytest.raises(OpenAIError) as info:
                await client.request("GET", "models")
    response = getattr(info.value, "response", None)
    assert response is None or len(response.content) <= 100


async def test_gzip_bomb_stops_at_the_cap() -> None:
    """A ~16 MB gzip body inflating to 16 GiB raises at max_response_size (decoded bytes)."""
    with RawServer(lambda request: gzip_answer(16 * GIB)) as raw:
        async with raw_client(raw, max_response_size=MIB) as client:
            with pytest.raises(ResponseTooLargeError, match="max_response_size"):
                await client.chat.completions.create(**chat_args())  # type: ignore[call-overload]
    assert raw.sent < 4 * MIB  # a MiB inflates from ~1 KiB: the client stopped early


@pytest.mark.parametrize("status", [200, 500])
async def test_a_body_compressed_twice_is_refused_unread(status: int) -> None:
    """content-encoding: gzip, gzip (a byte could inflate a million-fold) is not read."""
    with RawServer(lambda request: gzip_answer(GIB, status=status, layers=2)) as raw:
        async with raw_client(raw) as client:
            if status == 200:
                with pytest.raises(ResponseTooLargeError, match="compressed 2 times"):
                    await client.request("GET", "models")
            else:
                with pytest.raises(InternalServerError, match="not read") as info:
                    await client.request("GET", "models")
                assert info.value.body == ""


async def test_a_stream_compressed_twice_is_refused() -> None:
    """A streamed answer compressed twice is refused too: its reader could not bound it."""
    answer = lambda request: gzip_answer(GIB, content_type="text/event-stream", layers=2)  # noqa: E731
    with RawServer(answer) as raw:
        async with raw_client(raw) as client:
            with pytest.raises(ResponseTooLargeError):
                await client.chat.completions.create(**chat_args(), stream=True)  # type: ignore[call-overload]


async def test_gzip_bomb_event_stream_stops_at_max_event_size() -> None:
    """An event stream whose gzip line inflates without end stops at max_event_size."""
    answer = lambda request: gzip_answer(16 * GIB, content_type="text/event-stream")  # noqa: E731
    with RawServer(answer) as raw:
        async with raw_client(raw, max_event_size=MIB) as client:
            stream = await client.chat.completions.create(**chat_args(), stream=True)  # type: ignore[call-overload]
            async with stream:
                with pytest.raises(StreamTooLargeError) as info:
                    await stream.__anext__()
    assert isinstance(info.value, ResponseTooLargeError)
    assert isinstance(info.value, APIStreamError)
    assert info.value.setting == "max_event_size"
    assert raw.sent < 4 * MIB


async def test_huge_error_body_is_cut_at_max_error_size_on_every_attempt() -> None:
    """A 64 MiB error body is read up to max_error_size on each of 3 attempts, then raised
    as the status's error with a short message that says it was cut."""
    with RawServer(lambda request: endless(500, b'{"error": {"message": "', 64 * MIB)) as raw:
        async with AsyncClient(base_url=raw.url, api_key="", max_retries=2) as client:
            with instant_retries(), pytest.raises(InternalServerError) as info:
                await client.request("GET", "models")
    assert len(raw.requests) == 3
    # Each attempt stops near 1 MiB; the kernel's socket buffers let a few MiB more out.
    assert raw.sent < 3 * 16 * MIB
    message = str(info.value)
    assert len(message) < 1300
    assert "max_error_size" in message
    assert isinstance(info.value.body, str)
    assert len(info.value.body) == 1 * MIB


async def test_max_error_size_per_variant(server: LocalServer) -> None:
    """with_options(max_error_size=...) cuts that variant's error bodies only; a small one
    stays the parsed error object, code and all."""
    async with AsyncClient(base_url=server.url, api_key=API_KEY, max_retries=0) as client:
        body = {"error": {"message": "slow down", "code": "rate_limit_exceeded"}}
        server.inject(status=429, body=body)
        with pytest.raises(RateLimitError) as info:
            await client.request("GET", "models")
        assert info.value.code == "rate_limit_exceeded"
        assert info.value.body == body["error"]
        server.inject(status=429, body=body)
        with pytest.raises(RateLimitError) as info:
            await client.with_options(max_error_size=10).request("GET", "models")
        assert info.value.code is None
        assert isinstance(info.value.body, str)
        assert len(info.value.body) == 10


async def test_streaming_response_read_is_capped_iter_bytes_is_not() -> None:
    """with_streaming_response: read() stops at max_response_size; iter_bytes() reads every
    byte of a body 8 times the cap; within the cap, read() and parse() give it whole."""

    def answer(request: RawRequest) -> Iterable[bytes]:
        return gzip_answer(8 * MIB, content_type="application/octet-stream")

    with RawServer(answer) as raw:
        async with raw_client(raw, max_response_size=MIB) as client:
            files = client.with_options(max_response_size=9 * MIB).files.with_streaming_response
            async with files.content("file-abc") as response:
                content = await response.read()
                assert content == await response.read()
                assert bytes(await response.parse()) == content
            assert len(content) == 8 * MIB + len(b'{"data": "')
            files = client.files.with_streaming_response
            async with files.content("file-abc") as response:
                with pytest.raises(ResponseTooLargeError):
                    await response.read()
            async with files.content("file-abc") as response:
                total = 0
                async for chunk in response.iter_bytes():
                    assert len(chunk) <= MIB + (64 << 10)  # a 1 KiB piece, inflated
                    total += len(chunk)
            assert total == 8 * MIB + len(b'{"data": "')
            with pytest.raises(ResponseTooLargeError):
                await client.files.content("file-abc")


@pytest.mark.parametrize("setting", ["max_response_size", "max_error_size"])
@pytest.mark.parametrize("value", [0, -1, 1.5, True, "16M"])
def test_caps_must_be_positive_ints(setting: str, value: object) -> None:
    """A cap that is not an int > 0 is refused, naming it, by AsyncClient and with_options."""
    with pytest.raises(OpenAIError, match=setting):
        AsyncClient(api_key="", **{setting: value})  # type: ignore[arg-type]
    with pytest.raises(OpenAIError, match=setting):
        AsyncClient(api_key="").with_options(**{setting: value})  # type: ignore[arg-type]


def test_a_checkpointed_error_keeps_an_excerpt_of_its_message() -> None:
    """An error with a huge message goes into a checkpoint line as an excerpt."""
    record = error_record(OpenAIError("x" * (64 * MIB)))
    assert len(record["message"]) < 1000
    assert record["type"] == "OpenAIError"


class _Chunks(httpx.AsyncByteStream):
    def __init__(self, chunks: list[bytes]) -> None:
        self._chunks = chunks

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for chunk in self._chunks:
            yield chunk


@given(st.lists(st.binary(max_size=20_000), max_size=8), st.integers(1, 5000))
def test_pieces_keep_every_byte_in_order_within_the_size(chunks: list[bytes], size: int) -> None:
    """Pieces splits chunks into pieces of at most ``size`` bytes, losing none."""
    import anyio

    async def collect() -> list[bytes]:
        return [piece async for piece in Pieces(_Chunks(chunks), size)]

    pieces = anyio.run(collect)
    assert b"".join(pieces) == b"".join(chunks)
    assert all(len(piece) <= size for piece in pieces)


async def test_requests_ask_for_gzip_and_deflate_only() -> None:
    """Accept-Encoding names only the codings whose inflation per byte is bounded, even
    with an http_client that asks for br and zstd (as httpx does when they are installed)."""
    with RawServer(lambda request: raw_response(200, [], b"{}")) as raw:
        http = httpx.AsyncClient(headers={"Accept-Encoding": "br, zstd, gzip"})
        async with http, AsyncClient(base_url=raw.url, api_key="", http_client=http) as client:
            await client.request("GET", "models")
            # The caller's own choice wins.
            await client.request("GET", "models", extra_headers={"Accept-Encoding": "br"})
    assert [request.headers["accept-encoding"] for request in raw.requests] == [
        "gzip, deflate",
        "br",
    ]
