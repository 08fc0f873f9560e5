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


def _all_fields(server: LocalServer) -> list[tuple[str, str]]:
    sent = server.requests[-1]
    parts = parse_multipart(sent.headers["content-type"], sent.body)
    return [(p.name, p.text) for p in parts if p.filename is None]


SPOKEN = "Transcribed audio from speech.mp3. It has 32000 bytes."


@pytest.mark.latest_spec("today's transcription parameters came after the 2023 spec")
async def test_words_and_segments(client: AsyncClient, server: LocalServer) -> None:
    """timestamp_granularities goes out as timestamp_granularities[] fields; words come back."""
    result = await client.audio.transcriptions.create(
        file=("speech.mp3", AUDIO),
        model="whisper-1",
        response_format="verbose_json",
        timestamp_granularities=["word", "segment"],
    )
    assert [f for f in _all_fields(server) if f[0].startswith("timestamp")] == [
        ("timestamp_granularities[]", "word"),
        ("timestamp_granularities[]", "segment"),
    ]
    assert result.words is not None
    assert [w.word for w in result.words] == [w.strip(".") for w in SPOKEN.split()]
    assert result.words[-1].end == result.duration
    assert len(result.segments) == 2


@pytest.mark.latest_spec("today's transcription models came after the 2023 spec")
async def test_gpt_4o_transcribe_with_logprobs(client: AsyncClient, server: LocalServer) -> None:
    """include=["logprobs"] gives token logprobs; today's models report token usage."""
    result = await client.audio.transcriptions.create(
        file=("speech.mp3", AUDIO),
        model="gpt-4o-transcribe",
        include=["logprobs"],
        chunking_strategy="auto",
        languages=["en", "fr"],
        keywords=["audio"],
    )
    fields = _all_fields(server)
    assert ("include[]", "logprobs") in fields
    assert ("chunking_strategy", "auto") in fields
    assert [v for k, v in fields if k == "languages[]"] == ["en", "fr"]
    assert result.text == SPOKEN
    assert result.logprobs is not None
    assert [lp.token for lp in result.logprobs] == SPOKEN.split()
    assert result.usage is not None
    assert result.usage.type == "tokens"
    assert result.usage.total_tokens == 20 + len(SPOKEN.split())


@pytest.mark.latest_spec("chunking_strategy came after the 2023 spec")
async def test_chunking_strategy_object(client: AsyncClient, server: LocalServer) -> None:
    """A server_vad chunking_strategy goes out as chunking_strategy[key] fields."""
    await client.audio.transcriptions.create(
        file=("speech.mp3", AUDIO),
        model="gpt-4o-transcribe-diarize",
        chunking_strategy={"type": "server_vad", "threshold": 0.5, "silence_duration_ms": 300},
    )
    assert [f for f in _all_fields(server) if f[0].startswith("chunking")] == [
        ("chunking_strategy[type]", "server_vad"),
        ("chunking_strategy[threshold]", "0.5"),
        ("chunking_strategy[silence_duration_ms]", "300"),
    ]


@pytest.mark.latest_spec("diarized_json came after the 2023 spec")
async def test_diarized_json(client: AsyncClient, server: LocalServer) -> None:
    """diarized_json parses into TranscriptionDiarized, segments by speaker."""
    result = await client.audio.transcriptions.create(
        file=("speech.mp3", AUDIO),
        model="gpt-4o-transcribe-diarize",
        response_format="diarized_json",
        known_speaker_names=["agent"],
        known_speaker_references=["data:audio/wav;base64,AAAA"],
    )
    assert [(s.speaker, s.text) for s in result.segments] == [
        ("A", "Transcribed audio from speech.mp3."),
        ("B", "It has 32000 bytes."),
    ]
    assert result.duration == 2.0


@pytest.mark.latest_spec("streamed transcriptions came after the 2023 spec")
async def test_streamed_transcription(client: AsyncClient, server: LocalServer) -> None:
    """stream=True gives text deltas, then transcript.text.done, which ends the stream."""
    stream = await client.audio.transcriptions.create(
        file=("speech.mp3", AUDIO), model="gpt-4o-mini-transcribe", stream=True
    )
    async with stream:
        events = [event async for event in stream]
    assert ("stream", "true") in _all_fields(server)
    assert server.requests[-1].headers["accept"] == "text/event-stream"
    *deltas, done = events
    assert {e.type for e in deltas} == {"transcript.text.delta"}
    assert "".join(e.delta or "" for e in deltas) == SPOKEN
    assert done.type == "transcript.text.done"
    assert done.text == SPOKEN
    assert done.usage is not None
    assert done.usage.output_tokens == len(SPOKEN.split())


@pytest.mark.latest_spec("streamed transcriptions came after the 2023 spec")
async def test_streamed_transcription_with_logprobs(client: AsyncClient) -> None:
    """Each delta carries its logprobs, and the done event all of them."""
    stream = await client.audio.transcriptions.create(
        file=("speech.mp3", AUDIO), model="gpt-4o-transcribe", stream=True, include=["logprobs"]
    )
    async with stream:
        events = [event async for event in stream]
    assert all(e.logprobs and len(e.logprobs) == 1 for e in events[:-1])
    assert events[-1].logprobs is not None
    assert len(events[-1].logprobs) == len(events) - 1


@pytest.mark.latest_spec("streamed transcriptions came after the 2023 spec")
async def test_streamed_transcription_cut_short_raises(
    client: AsyncClient, server: LocalServer
) -> None:
    """A body that ends before transcript.text.done raises instead of ending quietly."""
    from openai_async import StreamTruncatedError

    server.inject(stream_action="end", after_events=3, path="/audio/transcriptions")
    stream = await client.audio.transcriptions.create(
        file=("speech.mp3", AUDIO), model="gpt-4o-transcribe", stream=True
    )
    seen = []

    async def read_all() -> None:
        async with stream:
            async for event in stream:
                seen.append(event)

    with pytest.raises(StreamTruncatedError, match=r"transcript\.text\.done"):
        await read_all()
    assert len(seen) == 3


@pytest.mark.latest_spec("streamed transcriptions came after the 2023 spec")
async def test_done_marker_also_ends_a_transcription_stream(
    client: AsyncClient, server: LocalServer
) -> None:
    """A server that sends data: [DONE] after transcript.text.done is read to its end."""
    done = '{"type": "transcript.text.done", "text": "hi"}'
    body = f'data: {{"type": "transcript.text.delta", "delta": "hi"}}\n\ndata: {done}\n\n'
    server.inject(
        status=200,
        headers={"content-type": "text/event-stream"},
        body=body + "data: [DONE]\n\n",
        path="/audio/transcriptions",
    )
    stream = await client.audio.transcriptions.create(
        file=("speech.mp3", AUDIO), model="gpt-4o-transcribe", stream=True
    )
    async with stream:
        events = [event.type async for event in stream]
    assert events == ["transcript.text.delta", "transcript.text.done"]


@pytest.mark.parametrize(
    ("params", "param"),
    [
        ({"timestamp_granularities": "word"}, "timestamp_granularities"),
        ({"include": "logprobs"}, "include"),
        ({"known_speaker_names": ["a", "b", "c", "d", "e"]}, "known_speaker_names"),
        ({"chunking_strategy": "manual"}, "chunking_strategy"),
        ({"response_format": "xml"}, "response_format"),
        ({"temperature": 1.5}, "temperature"),
    ],
)
async def test_bad_transcription_parameters_are_refused(
    client: AsyncClient, server: LocalServer, params: dict[str, object], param: str
) -> None:
    """The spec's own limits fail before sending, naming the parameter."""
    with pytest.raises(InvalidParameterError) as info:
        await client.audio.transcriptions.create(
            file=("speech.mp3", AUDIO),
            model="gpt-4o-transcribe",
            **params,  # type: ignore[arg-type]
        )
    assert info.value.param == param
    assert server.requests == []


@pytest.mark.latest_spec("today's transcription models came after the 2023 spec")
async def test_model_support_is_the_servers_to_say(
    client: AsyncClient, server: LocalServer
) -> None:
    """srt from gpt-4o-transcribe goes out; the server refuses it, as the service does."""
    with pytest.raises(BadRequestError) as info:
        await client.audio.transcriptions.create(
            file=("speech.mp3", AUDIO), model="gpt-4o-transcribe", response_format="srt"
        )
    assert info.value.param == "response_format"
    assert len(server.requests) == 1
