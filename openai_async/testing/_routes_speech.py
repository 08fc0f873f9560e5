"""``/v1/audio/speech``: a deterministic tone, streamed as it is made.

The "speech" is a sine tone at a pitch chosen by the voice, lasting
``SECONDS_PER_CHAR`` seconds per character of ``input`` divided by ``speed``: 24 kHz,
16-bit mono samples, as the real service's ``pcm`` format. ``wav`` puts a RIFF header
before them; the other formats (mp3, opus, aac, flac) are the same samples under their
content type, since the local server encodes nothing. ``stream_format="sse"`` sends
them base64-encoded in ``speech.audio.delta`` events, then ``speech.audio.done``.

The body is made chunk by chunk while it is sent (one chunk of whole periods, made
once per voice and sent again and again), so a long answer costs the server no
memory: ``POST /_control/speech {"seconds_per_char": 6}`` makes 4,096 characters
a gigabyte of audio, for memory tests. A fault with ``stream_action="abort"`` cuts
the body after ``after_events`` chunks.
"""

from __future__ import annotations

import asyncio
import base64
import functools
import json
import math
import struct
import zlib
from collections.abc import AsyncIterator, Mapping
from typing import Any

from ._app import State, current_fault, error_response, route
from ._bodies import Invalid, checked, json_body, optional, required
from ._generate import count_tokens
from ._http import Abort, ServerRequest, ServerResponse, json_response

__all__ = ["SAMPLE_RATE", "SECONDS_PER_CHAR", "speech_samples"]

SAMPLE_RATE = 24_000
SECONDS_PER_CHAR = 0.06  # about 15 characters a second, a speaking pace
MAX_INPUT = 4096
CHUNK_BYTES = 64 * 1024
SSE_CHUNK_BYTES = 6 * 1024  # raw bytes per event: 8 KiB of base64
FORMATS: Mapping[str, str] = {
    "mp3": "audio/mpeg",
    "opus": "audio/opus",
    "aac": "audio/aac",
    "flac": "audio/flac",
    "wav": "audio/wav",
    "pcm": "audio/pcm",
}
_SETTING = "speech_seconds_per_char"  # in state.data, so reset() restores the default


def _period(voice: str) -> int:
    """Samples per period of the voice's tone: 40 to 80, i.e. 300 to 600 Hz."""
    return 40 + zlib.crc32(voice.encode()) % 41


@functools.lru_cache(maxsize=32)
def _tone_chunk(period: int) -> bytes:
    """About ``CHUNK_BYTES`` of whole periods of the tone, so chunks join seamlessly."""
    one = b"".join(
        struct.pack("<h", round(12_000 * math.sin(2 * math.pi * i / period))) for i in range(period)
    )
    return one * max(1, CHUNK_BYTES // len(one))


def speech_samples(voice: str, size: int) -> AsyncIterator[bytes]:
    """The first ``size`` bytes of the voice's tone, a chunk at a time."""
    return _chunks(_tone_chunk(_period(voice)), size)


async def _chunks(chunk: bytes, size: int) -> AsyncIterator[bytes]:
    sent = 0
    while sent < size:
        piece = chunk if size - sent >= len(chunk) else chunk[: size - sent]
        sent += len(piece)
        yield piece


def _wav_header(data_size: int) -> bytes:
    """A RIFF/WAVE header for ``data_size`` bytes of 24 kHz 16-bit mono samples."""
    data_size = min(data_size, 0xFFFF_FFFF - 36)  # past 4 GiB the sizes cannot be told
    fmt = struct.pack("<HHIIHH", 1, 1, SAMPLE_RATE, SAMPLE_RATE * 2, 2, 16)
    return (
        b"RIFF"
        + struct.pack("<I", 36 + data_size)
        + b"WAVE"
        + b"fmt "
        + struct.pack("<I", len(fmt))
        + fmt
        + b"data"
        + struct.pack("<I", data_size)
    )


def _voice_name(body: Mapping[str, Any]) -> str:
    voice = body.get("voice")
    if isinstance(voice, str) and voice:
        return voice
    if isinstance(voice, dict) and set(voice) == {"id"} and isinstance(voice["id"], str):
        return voice["id"]
    raise Invalid("'voice' must be a voice name or an object with an 'id'.", "voice")


async def _audio_body(
    header: bytes, samples: AsyncIterator[bytes], abort_after: int | None
) -> AsyncIterator[bytes]:
    if header:
        yield header
    count = 0
    async for chunk in samples:
        if abort_after is not None and count == abort_after:
            await asyncio.sleep(0.01)  # let the chunks sent so far leave before closing
            raise Abort
        yield chunk
        count += 1


async def _sse_body(samples: AsyncIterator[bytes], input_tokens: int) -> AsyncIterator[bytes]:
    pending = bytearray()
    events = 0

    def delta(raw: bytes) -> bytes:
        event = {"type": "speech.audio.delta", "audio": base64.b64encode(raw).decode()}
        return f"data: {json.dumps(event)}\n\n".encode()

    async for chunk in samples:
        pending += chunk
        while len(pending) >= SSE_CHUNK_BYTES:
            yield delta(bytes(pending[:SSE_CHUNK_BYTES]))
            del pending[:SSE_CHUNK_BYTES]
            events += 1
    if pending:
        yield delta(bytes(pending))
        events += 1
    usage = {"input_tokens": input_tokens, "output_tokens": events}
    usage["total_tokens"] = usage["input_tokens"] + usage["output_tokens"]
    yield f"data: {json.dumps({'type': 'speech.audio.done', 'usage': usage})}\n\n".encode()


@route("POST", r"/v1/audio/speech")
@checked
async def create_speech(
    state: State, request: ServerRequest, params: Mapping[str, str]
) -> ServerResponse:
    body = json_body(request)
    text = required(body, "input", str)
    if len(text) > MAX_INPUT:
        raise Invalid(f"'input' is longer than {MAX_INPUT} characters.", "input")
    required(body, "model", str)
    voice = _voice_name(body)
    optional(body, "instructions", str, None)
    response_format = optional(body, "response_format", str, "mp3")
    if response_format not in FORMATS:
        raise Invalid(f"'{response_format}' is not one of {list(FORMATS)}", "response_format")
    speed = optional(body, "speed", float, 1.0)
    if not 0.25 <= speed <= 4.0:
        raise Invalid("'speed' must be from 0.25 to 4.0.", "speed")
    stream_format = optional(body, "stream_format", str, "audio")
    if stream_format not in ("audio", "sse"):
        raise Invalid(f"'{stream_format}' is not one of ['sse', 'audio']", "stream_format")
    seconds = len(text) * float(state.data.get(_SETTING, SECONDS_PER_CHAR)) / speed
    size = round(seconds * SAMPLE_RATE) * 2
    samples = speech_samples(voice, size)
    if stream_format == "sse":
        headers = {"content-type": "text/event-stream", "cache-control": "no-cache"}
        return ServerResponse(headers=headers, body=_sse_body(samples, count_tokens(text)))
    fault = current_fault()
    abort_after = None
    if fault is not None and fault.stream_action == "abort":
        abort_after = fault.after_events
    header = _wav_header(size) if response_format == "wav" else b""
    return ServerResponse(
        headers={"content-type": FORMATS[response_format]},
        body=_audio_body(header, samples, abort_after),
    )


@route("POST", r"/_control/speech")
async def set_speech_length(
    state: State, request: ServerRequest, params: Mapping[str, str]
) -> ServerResponse:
    try:
        value = float(request.json()["seconds_per_char"])
    except (KeyError, TypeError, ValueError) as exc:
        return error_response(400, f"Bad speech setting: {exc}")
    if not 0 < value < 1e6:
        return error_response(400, "seconds_per_char must be positive")
    state.data[_SETTING] = value
    return json_response({"ok": True})
