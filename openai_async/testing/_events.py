"""Server-sent event bodies for the local server, with the misbehaviour a ``Fault`` asks."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterable, Mapping
from typing import Any

from ._app import Fault
from ._http import Abort, ServerResponse

__all__ = ["DEFAULT_STREAM_ERROR", "event_stream", "sse_response"]

DEFAULT_STREAM_ERROR: Mapping[str, Any] = {
    "error": {
        "message": "Injected fault: error event",
        "type": "server_error",
        "param": None,
        "code": "stream_error",
    }
}

_NO_FAULT = Fault()


def sse_response(
    payloads: Iterable[object], fault: Fault | None, *, typed: bool = False, done: bool = True
) -> ServerResponse:
    """A 200 ``text/event-stream`` answer: one ``data:`` event per payload, then [DONE].

    ``typed``: as ``/responses`` streams, each event is named (``event:``) by its
    payload's ``type`` and the last payload ends the stream, with no [DONE].
    ``done=False`` leaves out [DONE] too, for other streams whose last event says they
    ended (a transcription's ``transcript.text.done``).
    """
    return ServerResponse(
        status=200,
        headers={"content-type": "text/event-stream", "cache-control": "no-cache"},
        body=event_stream(payloads, fault, typed=typed, done=done),
    )


def _block(payload: object, typed: bool = False) -> bytes:
    text = payload if isinstance(payload, str) else json.dumps(payload)
    if typed and isinstance(payload, Mapping) and isinstance(payload.get("type"), str):
        return f"event: {payload['type']}\ndata: {text}\n\n".encode()
    return f"data: {text}\n\n".encode()


async def event_stream(
    payloads: Iterable[object], fault: Fault | None, *, typed: bool = False, done: bool = True
) -> AsyncIterator[bytes]:
    """Yield the events of ``payloads`` (objects become JSON), ending with [DONE].

    ``payloads`` is read lazily, so an endpoint may change its state as events go out.
    With ``typed``, events are named by their ``type`` and no [DONE] follows;
    ``done=False`` leaves out [DONE] too.
    """
    f = fault or _NO_FAULT
    writer = _Writer(f.write_size)
    position = 0
    for payload in payloads if typed or not done else _with_done(payloads):
        if f.stream_action is not None and position == f.after_events:
            action = f.stream_action
            if action == "abort":
                block = _block(payload, typed)
                for piece in writer.push(block[: len(block) // 2]):
                    yield piece
                for piece in writer.flush():
                    yield piece
                await asyncio.sleep(0.01)  # let the half event leave before closing
                raise Abort
            if action == "end":
                for piece in writer.flush():
                    yield piece
                return
            if action == "error":
                error = f.body if f.body is not None else DEFAULT_STREAM_ERROR
                # A text body goes out as an "error" event, the other way servers signal it.
                block = f"event: error\ndata: {error}\n\n".encode()
                for piece in writer.push(block if isinstance(error, str) else _block(error, typed)):
                    yield piece
                for piece in writer.flush():
                    yield piece
                return
            if action == "garbage":
                for piece in writer.push(b'data: {"not json\n\n'):
                    yield piece
            if action == "stall":
                for piece in writer.flush():
                    yield piece
                await asyncio.sleep(f.stall)
        if f.event_delay:
            for piece in writer.flush():
                yield piece
            await asyncio.sleep(f.event_delay)
        if f.keepalive:
            for piece in writer.push(b": keep-alive\n\n"):
                yield piece
        for piece in writer.push(_block(payload, typed)):
            yield piece
        position += 1
    for piece in writer.flush():
        yield piece
    if f.stream_action == "stall" and f.after_events >= position:
        await asyncio.sleep(f.stall)


def _with_done(payloads: Iterable[object]) -> Iterable[object]:
    yield from payloads
    yield "[DONE]"


class _Writer:
    """Cut the outgoing bytes into writes of ``size`` bytes, across event boundaries."""

    def __init__(self, size: int | None) -> None:
        self._size = size
        self._pending = bytearray()

    def push(self, data: bytes) -> list[bytes]:
        if not self._size:
            return [data]
        self._pending += data
        size = self._size
        count = len(self._pending) // size
        pieces = [bytes(self._pending[i * size : (i + 1) * size]) for i in range(count)]
        del self._pending[: count * size]
        return pieces

    def flush(self) -> list[bytes]:
        if not self._pending:
            return []
        piece = bytes(self._pending)
        self._pending.clear()
        return [piece]
