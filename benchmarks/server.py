"""A cheap fake OpenAI server for the benchmarks, run in its own process.

Every answer is built once at start-up; per request the server only splits the HTTP
head, finds ``content-length`` and writes prebuilt bytes, so the client under test
is the bottleneck. It speaks just enough HTTP/1.1 (keep-alive, content-length
request bodies) for httpx, aiohttp and the official SDK.

``python benchmarks/server.py [--cpu N]`` prints ``PORT <n>`` once listening and
serves until its standard input closes (so it never outlives the benchmark run).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import struct
import sys

MODEL = "gpt-4o-mini"
CREATED = 1_700_000_000
STREAM_CHUNKS = 100  # content chunks per streamed answer (plus a role and a stop chunk)
EMBED_INPUTS = 8  # inputs per embeddings request
EMBED_DIM = 1536
REPLY = "The quick brown fox jumps over the lazy dog. " * 6


def _chat() -> bytes:
    return json.dumps(
        {
            "id": "chatcmpl-bench0001",
            "object": "chat.completion",
            "created": CREATED,
            "model": MODEL,
            "system_fingerprint": "fp_bench",
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": REPLY, "refusal": None},
                    "logprobs": None,
                    "finish_reason": "stop",
                }
            ],
            "usage": {"prompt_tokens": 20, "completion_tokens": 60, "total_tokens": 80},
        }
    ).encode()


def _chunk(delta: dict[str, object], finish: str | None) -> bytes:
    return json.dumps(
        {
            "id": "chatcmpl-bench0002",
            "object": "chat.completion.chunk",
            "created": CREATED,
            "model": MODEL,
            "system_fingerprint": "fp_bench",
            "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}],
        }
    ).encode()


def _stream_events() -> list[bytes]:
    words = (REPLY * 4).split(" ")
    events = [_chunk({"role": "assistant", "content": ""}, None)]
    events += [_chunk({"content": words[i % len(words)] + " "}, None) for i in range(STREAM_CHUNKS)]
    events.append(_chunk({}, "stop"))
    events.append(b"[DONE]")
    return [b"data: " + event + b"\n\n" for event in events]


def _vector(seed: int) -> list[float]:
    # Deterministic, with as many digits as the real API sends.
    return [
        round(((seed * 7919 + i * 104729) % 20000 - 10000) / 81234.5678, 10)
        for i in range(EMBED_DIM)
    ]


def _embeddings(b64: bool) -> bytes:
    data = []
    for index in range(EMBED_INPUTS):
        vector = _vector(index)
        if b64:
            packed = struct.pack(f"<{EMBED_DIM}f", *vector)
            embedding: object = base64.b64encode(packed).decode()
        else:
            embedding = vector
        data.append({"object": "embedding", "index": index, "embedding": embedding})
    usage = {"prompt_tokens": 64, "total_tokens": 64}
    return json.dumps({"object": "list", "data": data, "model": "emb", "usage": usage}).encode()


def _models() -> bytes:
    models = [
        {"id": f"model-{i}", "object": "model", "created": CREATED, "owned_by": "bench"}
        for i in range(10)
    ]
    return json.dumps({"object": "list", "data": models}).encode()


def _response(body: bytes, content_type: bytes = b"application/json") -> bytes:
    head = b"HTTP/1.1 200 OK\r\ncontent-type: %s\r\ncontent-length: %d\r\n" % (
        content_type,
        len(body),
    )
    return head + b"x-request-id: req_bench\r\n\r\n" + body


def _chunked(events: list[bytes]) -> bytes:
    head = (
        b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\n"
        b"transfer-encoding: chunked\r\nx-request-id: req_bench\r\n\r\n"
    )
    body = b"".join(b"%x\r\n%s\r\n" % (len(event), event) for event in events)
    return head + body + b"0\r\n\r\n"


# The paced stream: the same events, one write each, PACE seconds apart, as a model
# sends them (each a separate socket read and wake-up in the client).
PACE = 0.005
PACED_HEAD, _, _ = _chunked(_stream_events()).partition(b"\r\n\r\n")
PACED_EVENTS = [b"%x\r\n%s\r\n" % (len(event), event) for event in _stream_events()]


def set_pace(pace: float, chunks: int | None) -> None:
    """Change the paced stream: seconds between events, and content chunks (None: all)."""
    global PACE, PACED_EVENTS
    PACE = pace
    if chunks is not None:
        events = _stream_events()
        events = [*events[: chunks + 1], *events[-2:]]  # role, content..., stop, [DONE]
        PACED_EVENTS = [b"%x\r\n%s\r\n" % (len(event), event) for event in events]


CHAT = _response(_chat())
CHAT_STREAM = _chunked(_stream_events())
EMBED_FLOAT = _response(_embeddings(b64=False))
EMBED_BASE64 = _response(_embeddings(b64=True))
MODELS = _response(_models())
NOT_FOUND = _response(b'{"error": {"message": "not found", "type": "invalid_request_error"}}')
NOT_FOUND = NOT_FOUND.replace(b"200 OK", b"404 Not Found", 1)


def answer(method: bytes, path: bytes, body: bytes) -> bytes | None:
    """The prebuilt reply for one request; None for a paced stream (written apart)."""
    path = path.split(b"?", 1)[0]
    if method == b"POST" and path.endswith(b"/chat/completions"):
        streamed = b'"stream"' in body and b"true" in body.split(b'"stream"', 1)[1][:8]
        if streamed and b"-paced" in body:
            return None
        return CHAT_STREAM if streamed else CHAT
    if method == b"POST" and path.endswith(b"/embeddings"):
        return EMBED_BASE64 if b"base64" in body else EMBED_FLOAT
    if method == b"GET" and path.endswith(b"/models"):
        return MODELS
    return NOT_FOUND


class BenchProtocol(asyncio.Protocol):
    """HTTP/1.1 keep-alive over a raw asyncio protocol: no streams, no parser objects."""

    def __init__(self) -> None:
        self._buffer = b""
        self._transport: asyncio.Transport | None = None
        self._timers: list[asyncio.TimerHandle] = []

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport

    def connection_lost(self, exc: Exception | None) -> None:
        for timer in self._timers:  # a client that hung up gets no more paced events
            timer.cancel()
        self._timers = []

    def data_received(self, data: bytes) -> None:
        buffer = self._buffer + data if self._buffer else data
        replies = []
        while True:
            end = buffer.find(b"\r\n\r\n")
            if end < 0:
                break
            head = buffer[:end]
            length = 0
            lower = head.lower()
            at = lower.find(b"\r\ncontent-length:")
            if at >= 0:
                stop = lower.find(b"\r\n", at + 2)
                length = int(lower[at + 17 : stop if stop >= 0 else None])
            if len(buffer) < end + 4 + length:
                break
            body = buffer[end + 4 : end + 4 + length]
            buffer = buffer[end + 4 + length :]
            method, path, _ = head.split(b" ", 2)
            reply = answer(method, path, body)
            if reply is None:
                self._write(b"".join(replies))
                replies = []
                self._paced()
            else:
                replies.append(reply)
        self._buffer = buffer
        if replies:
            self._write(b"".join(replies))

    def _write(self, data: bytes) -> None:
        assert self._transport is not None
        if data and not self._transport.is_closing():
            self._transport.write(data)

    def _paced(self) -> None:
        # Clients do not pipeline, so nothing else is written on this connection
        # until the paced reply has ended.
        loop = asyncio.get_running_loop()
        self._write(PACED_HEAD + b"\r\n\r\n")
        events = [*PACED_EVENTS, b"0\r\n\r\n"]
        self._timers = [
            loop.call_later(i * PACE, self._write, event) for i, event in enumerate(events, 1)
        ]


async def serve(port: int) -> None:
    loop = asyncio.get_running_loop()
    server = await loop.create_server(BenchProtocol, "127.0.0.1", port, backlog=1024)
    print(f"PORT {server.sockets[0].getsockname()[1]}", flush=True)
    # Serve until the parent closes our stdin (or dies).
    stdin_closed = loop.run_in_executor(None, sys.stdin.read)
    await stdin_closed
    server.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--cpu", type=int, default=None, help="pin the server to this core")
    parser.add_argument("--pace", type=float, default=PACE, help="seconds between paced events")
    parser.add_argument("--paced-chunks", type=int, default=None, help="content chunks, paced")
    args = parser.parse_args()
    set_pace(args.pace, args.paced_chunks)
    if args.cpu is not None:
        os.sched_setaffinity(0, {args.cpu})
    asyncio.run(serve(args.port))


if __name__ == "__main__":
    main()
