"""``/v1/audio/transcriptions`` and ``/translations``: text derived from the upload.

The "speech" is made from the file's name and size, so a test knows what to expect;
``srt`` and ``vtt`` are real subtitle files with one cue per sentence.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ._app import State, route
from ._bodies import Invalid, checked, form_body
from ._http import ServerRequest, ServerResponse, json_response

FORMATS = ("json", "text", "srt", "verbose_json", "vtt")
EXTENSIONS = ("mp3", "mp4", "mpeg", "mpga", "m4a", "wav", "webm")
BYTES_PER_SECOND = 16_000  # the "bit rate" that turns a size into a duration


def sentences(task: str, filename: str, size: int) -> list[str]:
    """What the local server "hears" in a file."""
    verb = "Transcribed" if task == "transcribe" else "Translated"
    return [f"{verb} audio from {filename}.", f"It has {size} bytes."]


def _timestamp(seconds: float, separator: str) -> str:
    millis = round(seconds * 1000)
    hours, millis = divmod(millis, 3_600_000)
    minutes, millis = divmod(millis, 60_000)
    secs, millis = divmod(millis, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}{separator}{millis:03d}"


def _segments(texts: list[str], duration: float) -> list[dict[str, Any]]:
    step = duration / len(texts)
    return [
        {
            "id": i,
            "seek": 0,
            "start": round(i * step, 3),
            "end": round((i + 1) * step, 3),
            "text": " " + text,
            "tokens": list(range(50364 + i * 10, 50364 + i * 10 + len(text.split()))),
            "temperature": 0.0,
            "avg_logprob": -0.25,
            "compression_ratio": 1.0,
            "no_speech_prob": 0.01,
            "transient": False,
        }
        for i, text in enumerate(texts)
    ]


def subtitles(segments: list[dict[str, Any]], kind: str) -> str:
    """The segments as an SRT or WebVTT file."""
    if kind == "srt":
        cues = [
            f"{s['id'] + 1}\n{_timestamp(s['start'], ',')} --> {_timestamp(s['end'], ',')}\n"
            f"{s['text'].strip()}\n"
            for s in segments
        ]
        return "\n".join(cues) + "\n"
    cues = [
        f"{_timestamp(s['start'], '.')} --> {_timestamp(s['end'], '.')}\n{s['text'].strip()}\n"
        for s in segments
    ]
    return "WEBVTT\n\n" + "\n".join(cues) + "\n"


def _text(body: str) -> ServerResponse:
    headers = {"content-type": "text/plain; charset=utf-8"}
    return ServerResponse(headers=headers, body=body.encode())


async def _answer(request: ServerRequest, task: str) -> ServerResponse:
    form = form_body(request)
    part = form.file("file")
    assert part is not None
    form.text("model", required=True)
    response_format = form.text("response_format", "json")
    if response_format not in FORMATS:
        raise Invalid(
            f"'{response_format}' is not one of {list(FORMATS)} - 'response_format'",
            "response_format",
        )
    temperature = form.number("temperature", float, 0.0)
    if not 0 <= temperature <= 1:
        raise Invalid("'temperature' must be from 0 to 1.", "temperature")
    filename = part.filename or ""
    if filename.rpartition(".")[2].lower() not in EXTENSIONS:
        raise Invalid(f"Invalid file format. Supported formats: {list(EXTENSIONS)}", "file")
    if task == "translate" and "language" in form.fields:
        raise Invalid("Unrecognized request argument supplied: language", "language")
    texts = sentences(task, filename, len(part.data))
    text = " ".join(texts)
    duration = round(len(part.data) / BYTES_PER_SECOND, 3) or 0.001
    segments = _segments(texts, duration)
    if response_format == "json":
        return json_response({"text": text})
    if response_format == "text":
        return _text(text + "\n")
    if response_format in ("srt", "vtt"):
        return _text(subtitles(segments, response_format))
    language = form.text("language", "en") if task == "transcribe" else "en"
    return json_response(
        {
            "task": task,
            "language": {"en": "english"}.get(language, language),
            "duration": duration,
            "text": text,
            "segments": segments,
        }
    )


@route("POST", r"/v1/audio/transcriptions")
@checked
async def transcribe(
    state: State, request: ServerRequest, params: Mapping[str, str]
) -> ServerResponse:
    return await _answer(request, "transcribe")


@route("POST", r"/v1/audio/translations")
@checked
async def translate(
    state: State, request: ServerRequest, params: Mapping[str, str]
) -> ServerResponse:
    return await _answer(request, "translate")
