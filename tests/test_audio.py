"""The /audio endpoints over loopback: every response format, parsed or as text."""

from __future__ import annotations

import re

import pytest

from openai_async import AsyncClient, BadRequestError, InvalidParameterError
from openai_async.testing import LocalServer
from openai_async.testing._multipart import parse_multipart
from openai_async.types import (
    Transcription,
    TranscriptionVerbose,
    Translation,
    TranslationVerbose,
)

from .openapi import assert_request_matches_spec

pytestmark = pytest.mark.anyio

AUDIO = b"ID3" + bytes(31_997)  # 32000 bytes: two seconds at the server's "bit rate"


def _fields(server: LocalServer) -> dict[str, tuple[str | None, str | None, bytes]]:
    sent = server.requests[-1]
    parts = parse_multipart(sent.headers["content-type"], sent.body)
    return {p.name: (p.filename, p.content_type, p.data) for p in parts}


async def test_transcription_json(client: AsyncClient, server: LocalServer) -> None:
    """The default format parses into a Transcription; every field goes as a form part."""
    result = await client.audio.transcriptions.create(
        file=("speech.mp3", AUDIO, "audio/mpeg"),
        model="whisper-1",
        prompt="Hello",
        temperature=0.2,
        language="en",
    )
    sent = server.requests[-1]
    assert (sent.method, sent.path) == ("POST", "/v1/audio/transcriptions")
    assert _fields(server) == {
        "model": (None, None, b"whisper-1"),
        "prompt": (None, None, b"Hello"),
        "temperature": (None, None, b"0.2"),
        "language": (None, None, b"en"),
        "file": ("speech.mp3", "audio/mpeg", AUDIO),
    }
    assert_request_matches_spec(sent)
    assert result == Transcription(text="Transcribed audio from speech.mp3. It has 32000 bytes.")


async def test_transcription_verbose(client: AsyncClient, server: LocalServer) -> None:
    """verbose_json parses into TranscriptionVerbose with timed segments."""
    result = await client.audio.transcriptions.create(
        file=("speech.wav", AUDIO, None), model="whisper-1", response_format="verbose_json"
    )
    assert _fields(server)["response_format"] == (None, None, b"verbose_json")
    assert _fields(server)["file"][1] in ("audio/x-wav", "audio/wav")
    assert_request_matches_spec(server.requests[-1])
    assert isinstance(result, TranscriptionVerbose)
    assert (result.task, result.language, result.duration) == ("transcribe", "english", 2.0)
    assert [(s.start, s.end) for s in result.segments] == [(0.0, 1.0), (1.0, 2.0)]
    assert " ".join(s.text.strip() for s in result.segments) == result.text
    assert result.segments[1].extra == {"transient": False}


async def test_transcription_text_srt_vtt(client: AsyncClient, server: LocalServer) -> None:
    """text, srt and vtt come back as the server's text, and the subtitle formats are real."""
    kwargs = {"file": ("a.m4a", AUDIO, None), "model": "whisper-1"}
    text = await client.audio.transcriptions.create(**kwargs, response_format="text")  # type: ignore[arg-type]
    assert text == "Transcribed audio from a.m4a. It has 32000 bytes.\n"
    assert_request_matches_spec(server.requests[-1])
    srt = await client.audio.transcriptions.create(**kwargs, response_format="srt")  # type: ignore[arg-type]
    assert srt.startswith("1\n00:00:00,000 --> 00:00:01,000\nTranscribed audio from a.m4a.\n\n2\n")
    assert re.findall(r"\d\d:\d\d:\d\d,\d\d\d --> \d\d:\d\d:\d\d,\d\d\d", srt) == [
        "00:00:00,000 --> 00:00:01,000",
        "00:00:01,000 --> 00:00:02,000",
    ]
    vtt = await client.audio.transcriptions.create(**kwargs, response_format="vtt")  # type: ignore[arg-type]
    assert vtt.startswith("WEBVTT\n\n00:00:00.000 --> 00:00:01.000\nTranscribed audio")
    assert_request_matches_spec(server.requests[-1])


async def test_translation_formats(client: AsyncClient, server: LocalServer) -> None:
    """translations parse json and verbose_json into models and return text as str."""
    file = ("german.webm", AUDIO, "audio/webm")
    plain = await client.audio.translations.create(file=file, model="whisper-1")
    sent = server.requests[-1]
    assert (sent.method, sent.path) == ("POST", "/v1/audio/translations")
    assert_request_matches_spec(sent)
    assert plain == Translation(text="Translated audio from german.webm. It has 32000 bytes.")
    verbose = await client.audio.translations.create(
        file=file, model="whisper-1", response_format="verbose_json", prompt="Guten Tag"
    )
    assert_request_matches_spec(server.requests[-1])
    assert isinstance(verbose, TranslationVerbose)
    assert verbose.task == "translate"
    vtt = await client.audio.translations.create(
        file=file, model="whisper-1", response_format="vtt"
    )
    assert vtt.startswith("WEBVTT\n")


async def test_unknown_response_format(client: AsyncClient, server: LocalServer) -> None:
    """A response_format outside the five the API lists fails before sending."""
    with pytest.raises(InvalidParameterError) as info:
        await client.audio.transcriptions.create(
            file=AUDIO, model="whisper-1", response_format="xml"
        )
    assert info.value.param == "response_format"
    with pytest.raises(InvalidParameterError):
        await client.audio.translations.create(file=AUDIO, model="whisper-1", response_format="")
    assert server.requests == []


async def test_temperature_outside_0_to_1_is_refused(
    client: AsyncClient, server: LocalServer
) -> None:
    """Audio's temperature is documented as 0 to 1 (not chat's 0 to 2)."""
    with pytest.raises(InvalidParameterError) as info:
        await client.audio.transcriptions.create(file=AUDIO, model="whisper-1", temperature=1.5)
    assert info.value.param == "temperature"
    await client.audio.translations.create(
        file=("speech.mp3", AUDIO, "audio/mpeg"), model="whisper-1", temperature=1
    )
    assert len(server.requests) == 1


async def test_server_refuses_unknown_audio_type(client: AsyncClient, server: LocalServer) -> None:
    """Bytes named by no audio extension get the API's 400 from the local server."""
    with pytest.raises(BadRequestError, match="Invalid file format") as info:
        await client.audio.transcriptions.create(file=AUDIO, model="whisper-1")
    assert info.value.param == "file"
    assert _fields(server)["file"][0] == "file"  # bytes without a name are called "file"
