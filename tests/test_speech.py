"""/audio/speech over loopback: the bytes whole, streamed, written to a file, or as events."""

from __future__ import annotations

import base64
import json
import os
import struct
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest

from openai_async import (
    APIConnectionError,
    AsyncClient,
    AsyncOpenAI,
    BadRequestError,
    InvalidParameterError,
)
from openai_async.testing import LocalServer
from openai_async.types import BinaryResponseContent

pytestmark = [
    pytest.mark.anyio,
    pytest.mark.latest_spec("/audio/speech is not in the 2023 spec"),
]

TEXT = "Today is a wonderful day to build something people love!"
# The local server speaks 0.06 s per character: 24 kHz 16-bit mono samples.
SIZE = round(len(TEXT) * 0.06 * 24_000) * 2


def _control(server: LocalServer, seconds_per_char: float) -> None:
    root = server.url.removesuffix("/v1")
    httpx.post(f"{root}/_control/speech", json={"seconds_per_char": seconds_per_char})


async def test_create_gives_the_audio_bytes(client: AsyncClient, server: LocalServer) -> None:
    """create() sends every parameter as JSON and answers the whole audio as bytes."""
    audio = await client.audio.speech.create(
        model="gpt-4o-mini-tts",
        voice="coral",
        input=TEXT,
        instructions="Speak in a cheerful and positive tone.",
        response_format="wav",
        speed=1.0,
        stream_format="audio",
    )
    sent = server.requests[-1]
    assert (sent.method, sent.path) == ("POST", "/v1/audio/speech")
    assert sent.headers["accept"] == "application/octet-stream"
    assert sent.json() == {
        "model": "gpt-4o-mini-tts",
        "voice": "coral",
        "input": TEXT,
        "instructions": "Speak in a cheerful and positive tone.",
        "response_format": "wav",
        "speed": 1.0,
        "stream_format": "audio",
    }
    assert isinstance(audio, BinaryResponseContent)
    assert len(audio) == 44 + SIZE
    assert audio[:4] == b"RIFF"
    assert audio[8:12] == b"WAVE"
    assert audio[36:40] == b"data"
    assert struct.unpack("<I", audio[40:44]) == (SIZE,)
    assert struct.unpack("<I", audio[24:28]) == (24_000,)  # the sample rate


async def test_same_request_same_audio(client: AsyncClient) -> None:
    """The audio is deterministic; the voice picks the tone, speed the length."""
    first = await client.audio.speech.create(model="tts-1", voice="alloy", input=TEXT)
    again = await client.audio.speech.create(model="tts-1", voice="alloy", input=TEXT)
    other = await client.audio.speech.create(model="tts-1", voice={"id": "voice_1"}, input=TEXT)
    fast = await client.audio.speech.create(model="tts-1", voice="alloy", input=TEXT, speed=2.0)
    assert first == again
    assert len(other) == len(first) == SIZE
    assert other != first
    assert len(fast) == SIZE // 2


async def test_streaming_response_iter_bytes(client: AsyncClient) -> None:
    """with_streaming_response gives the bytes chunk by chunk, the same as create()'s."""
    whole = await client.audio.speech.create(model="tts-1", voice="alloy", input=TEXT * 20)
    chunks = []
    speech = client.audio.speech.with_streaming_response
    async with speech.create(model="tts-1", voice="alloy", input=TEXT * 20) as response:
        assert response.status_code == 200
        assert response.headers["content-type"] == "audio/mpeg"
        async for chunk in response.iter_bytes():
            chunks.append(chunk)
    assert len(chunks) > 1
    assert b"".join(chunks) == whole


async def test_stream_to_file(client: AsyncClient, tmp_path: Path) -> None:
    """stream_to_file writes the whole audio to the path and leaves nothing else behind."""
    target = tmp_path / "speech.wav"
    target.write_bytes(b"old")
    speech = client.audio.speech.with_streaming_response
    async with speech.create(
        model="tts-1", voice="alloy", input=TEXT, response_format="wav"
    ) as response:
        await response.stream_to_file(target)
    whole = await client.audio.speech.create(
        model="tts-1", voice="alloy", input=TEXT, response_format="wav"
    )
    assert target.read_bytes() == whole
    assert os.listdir(tmp_path) == ["speech.wav"]


async def test_cut_stream_leaves_no_file(
    client: AsyncClient, server: LocalServer, tmp_path: Path
) -> None:
    """A transfer cut midway raises APIConnectionError and writes nothing at the path."""
    _control(server, 1.0)  # 48 kB a character: many chunks
    server.inject(path="/audio/speech", stream_action="abort", after_events=3)
    target = tmp_path / "speech.pcm"
    speech = client.audio.speech.with_streaming_response
    with pytest.raises(APIConnectionError):
        async with speech.create(
            model="tts-1", voice="alloy", input=TEXT, response_format="pcm"
        ) as response:
            await response.stream_to_file(target)
    assert os.listdir(tmp_path) == []


async def test_cancelled_transfer_leaves_no_file_and_no_connection(tmp_path: Path) -> None:
    """Cancelled mid-transfer: no file at the path, and the half-read connection is closed."""
    # A server of its own: no other test's connections in its count.
    with LocalServer(record=False) as server:
        _control(server, 100.0)  # 288 MB: still arriving when the deadline passes
        target = tmp_path / "speech.pcm"
        async with AsyncClient(base_url=server.url, api_key="", max_retries=0) as client:
            speech = client.audio.speech.with_streaming_response
            with anyio.move_on_after(0.2) as scope:
                async with speech.create(
                    model="tts-1", voice="alloy", input=TEXT, response_format="pcm"
                ) as response:
                    await response.stream_to_file(target)
            assert scope.cancelled_caught
            assert os.listdir(tmp_path) == []
            for _ in range(500):  # the server sees the half-read connection close
                if server.connections_open == 0:
                    break
                await anyio.sleep(0.01)
            assert server.connections_open == 0
            # The client goes on working afterwards.
            assert len(await client.audio.speech.create(model="m", voice="v", input="a")) > 0


async def test_sse_stream_format(client: AsyncClient) -> None:
    """stream_format="sse" answers base64 audio deltas, then speech.audio.done with usage."""
    pcm = await client.audio.speech.create(
        model="gpt-4o-mini-tts", voice="alloy", input=TEXT, response_format="pcm"
    )
    events: list[dict[str, Any]] = []
    speech = client.audio.speech.with_streaming_response
    async with speech.create(
        model="gpt-4o-mini-tts",
        voice="alloy",
        input=TEXT,
        response_format="pcm",
        stream_format="sse",
    ) as response:
        assert response.headers["content-type"] == "text/event-stream"
        async for line in response.iter_lines():
            if line.startswith("data: "):
                events.append(json.loads(line.removeprefix("data: ")))
    deltas = [e for e in events if e["type"] == "speech.audio.delta"]
    assert b"".join(base64.b64decode(e["audio"]) for e in deltas) == pcm
    assert events[-1]["type"] == "speech.audio.done"
    assert events[-1]["usage"]["output_tokens"] == len(deltas)


async def test_sse_events_parse_as_bytes(client: AsyncClient) -> None:
    """parse() of a streamed sse answer reads it whole: the events' text, as create() gives."""
    arguments: dict[str, Any] = {
        "model": "gpt-4o-mini-tts",
        "voice": "alloy",
        "input": TEXT,
        "stream_format": "sse",
    }
    whole = await client.audio.speech.create(**arguments)
    async with client.audio.speech.with_streaming_response.create(**arguments) as response:
        parsed = await response.parse()
    assert parsed == whole
    assert whole.startswith(b'data: {"type": "speech.audio.delta"')


@pytest.mark.parametrize(
    ("change", "param"),
    [
        ({"voice": None}, "voice"),
        ({"input": "x" * 4097}, "input"),
        ({"input": b"bytes"}, "input"),
        ({"voice": {"name": "alloy"}}, "voice"),
        ({"voice": ""}, "voice"),
        ({"model": 3}, "model"),
        ({"speed": 4.5}, "speed"),
        ({"speed": 0.1}, "speed"),
        ({"response_format": "ogg"}, "response_format"),
        ({"stream_format": "chunks"}, "stream_format"),
        ({"instructions": "y" * 4097}, "instructions"),
    ],
)
async def test_bad_arguments_are_refused_before_sending(
    client: AsyncClient, server: LocalServer, change: dict[str, Any], param: str
) -> None:
    """Each bad argument raises InvalidParameterError naming it; nothing is sent."""
    arguments: dict[str, Any] = {"model": "tts-1", "voice": "alloy", "input": TEXT, **change}
    arguments = {k: v for k, v in arguments.items() if v is not None}
    with pytest.raises(InvalidParameterError) as caught:
        await client.audio.speech.create(**arguments)
    assert caught.value.param == param
    assert server.requests == []


@pytest.mark.off_spec("extra_body sends a speed the API refuses")
async def test_server_refusal_is_typed(client: AsyncClient) -> None:
    """A 400 from the server is a BadRequestError carrying the parameter it names."""
    with pytest.raises(BadRequestError) as caught:
        await client.audio.speech.create(
            model="tts-1", voice="alloy", input=TEXT, extra_body={"speed": 9}
        )
    assert caught.value.param == "speed"


async def test_program_written_for_the_sdk(server: LocalServer, tmp_path: Path) -> None:
    """The SDK's text-to-speech example runs unchanged but for the import."""
    speech_file_path = tmp_path / "speech.mp3"

    # From here on, as written for ``from openai import AsyncOpenAI``.
    openai = AsyncOpenAI(base_url=server.url, api_key="sk-local")
    async with openai.audio.speech.with_streaming_response.create(
        model="gpt-4o-mini-tts",
        voice="coral",
        input="Today is a wonderful day to build something people love!",
        instructions="Speak in a cheerful and positive tone.",
        response_format="mp3",
    ) as response:
        await response.stream_to_file(speech_file_path)
    await openai.close()

    assert speech_file_path.stat().st_size == SIZE
