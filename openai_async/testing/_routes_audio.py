"""``/v1/audio/transcriptions`` and ``/translations``: text derived from the upload.

The "speech" is made from the file's name and size, so a test knows what to expect;
``srt`` and ``vtt`` are real subtitle files with one cue per sentence.

Today's transcription models (``gpt-4o-transcribe`` and the like, any ``gpt-`` model)
answer ``json`` only (the diarizing one also ``text`` and ``diarized_json``), with token
usage, ``logprobs`` when ``include[]=logprobs`` asks, and with ``stream=true`` a series
of ``transcript.text.delta`` events (one per word) ending with ``transcript.text.done``
(no ``[DONE]`` after it). ``whisper-1`` ignores ``stream``, as the service does, and
gives words with ``timestamp_granularities[]=word`` (``verbose_json`` only).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ._app import State, current_fault, route
from ._bodies import Form, Invalid, checked, form_body
from ._events import sse_response
from ._http import ServerRequest, ServerResponse, json_response

FORMATS = ("json", "text", "srt", "verbose_json", "vtt", "diarized_json")
EXTENSIONS = ("flac", "mp3", "mp4", "mpeg", "mpga", "m4a", "ogg", "wav", "webm")
DIARIZE_MODEL = "gpt-4o-transcribe-diarize"
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


def _formats(model: str, task: str) -> tuple[str, ...]:
    if task == "translate":
        return FORMATS[:-1]
    if model == DIARIZE_MODEL:
        return ("json", "text", "diarized_json")
    if model.startswith("gpt-"):
        return ("json",)
    return FORMATS[:-1]


def _token_usage(text: str) -> dict[str, Any]:
    output = len(text.split())
    return {
        "type": "tokens",
        "input_tokens": 20,
        "input_token_details": {"text_tokens": 0, "audio_tokens": 20},
        "output_tokens": output,
        "total_tokens": 20 + output,
    }


def _logprobs(words: list[str]) -> list[dict[str, Any]]:
    return [
        {"token": word, "logprob": round(-0.1 * (i % 3 + 1), 2), "bytes": list(word.encode())}
        for i, word in enumerate(words)
    ]


def _words(text: str, duration: float) -> list[dict[str, Any]]:
    words = text.split()
    step = duration / len(words)
    return [
        {"word": w.strip(".,"), "start": round(i * step, 3), "end": round((i + 1) * step, 3)}
        for i, w in enumerate(words)
    ]


def _stream(text: str, logprobs: bool, usage: dict[str, Any]) -> Iterator[dict[str, Any]]:
    words = [" " + w if i else w for i, w in enumerate(text.split())]
    for word in words:
        delta: dict[str, Any] = {"type": "transcript.text.delta", "delta": word}
        if logprobs:
            delta["logprobs"] = _logprobs([word])
        yield delta
    done: dict[str, Any] = {"type": "transcript.text.done", "text": text, "usage": usage}
    if logprobs:
        done["logprobs"] = _logprobs(words)
    yield done


def _check_options(form: Form, task: str, model: str, response_format: str) -> None:
    if response_format not in _formats(model, task):
        raise Invalid(
            f"response_format '{response_format}' is not compatible with model '{model}'. "
            f"Use one of {list(_formats(model, task))}.",
            "response_format",
        )
    temperature = form.number("temperature", float, 0.0)
    if not 0 <= temperature <= 1:
        raise Invalid("'temperature' must be from 0 to 1.", "temperature")
    if task == "translate":
        for name in form.fields:
            if name not in ("model", "prompt", "response_format", "temperature"):
                raise Invalid(f"Unrecognized request argument supplied: {name}", name)
        return
    granularities = form.array("timestamp_granularities") or []
    if granularities and response_format != "verbose_json":
        raise Invalid(
            "timestamp_granularities requires response_format=verbose_json",
            "timestamp_granularities",
        )
    for name, allowed in (
        ("timestamp_granularities", ("word", "segment")),
        ("include", ("logprobs",)),
    ):
        for value in form.array(name) or []:
            if value not in allowed:
                raise Invalid(f"'{value}' is not one of {list(allowed)} - '{name}[]'", name)
    if form.array("include") and (response_format != "json" or not model.startswith("gpt-")):
        raise Invalid("logprobs are only available with gpt-4o models and json.", "include")
    chunking = form.text("chunking_strategy") or form.object("chunking_strategy")
    if (
        chunking is not None
        and chunking != "auto"
        and (not isinstance(chunking, dict) or chunking.get("type") != "server_vad")
    ):
        raise Invalid(
            "chunking_strategy must be 'auto' or a server_vad object.", "chunking_strategy"
        )


async def _answer(request: ServerRequest, task: str) -> ServerResponse:
    form = form_body(request)
    part = form.file("file")
    assert part is not None
    model = form.text("model", required=True)
    response_format = form.text("response_format", "json")
    if response_format not in FORMATS:
        raise Invalid(
            f"'{response_format}' is not one of {list(FORMATS)} - 'response_format'",
            "response_format",
        )
    _check_options(form, task, model, response_format)
    filename = part.filename or ""
    if filename.rpartition(".")[2].lower() not in EXTENSIONS:
        raise Invalid(f"Invalid file format. Supported formats: {list(EXTENSIONS)}", "file")
    texts = sentences(task, filename, len(part.data))
    text = " ".join(texts)
    duration = round(len(part.data) / BYTES_PER_SECOND, 3) or 0.001
    segments = _segments(texts, duration)
    tokens = model.startswith("gpt-")
    usage = _token_usage(text) if tokens else {"type": "duration", "seconds": duration}
    logprobs = "logprobs" in (form.array("include") or [])
    if form.text("stream") == "true" and tokens:  # whisper-1 ignores stream
        return sse_response(_stream(text, logprobs, usage), current_fault(), done=False)
    if response_format == "json":
        answer: dict[str, Any] = {"text": text}
        if tokens:
            answer["usage"] = usage
        if logprobs:
            answer["logprobs"] = _logprobs(text.split())
        return json_response(answer)
    if response_format == "text":
        return _text(text + "\n")
    if response_format in ("srt", "vtt"):
        return _text(subtitles(segments, response_format))
    if response_format == "diarized_json":
        return json_response(_diarized(texts, segments, duration, usage))
    language = form.text("language", "en") if task == "transcribe" else "en"
    verbose: dict[str, Any] = {
        "task": task,
        "language": {"en": "english"}.get(language, language),
        "duration": duration,
        "text": text,
    }
    granularities = form.array("timestamp_granularities") or ["segment"]
    if "segment" in granularities:
        verbose["segments"] = segments
    if "word" in granularities:
        verbose["words"] = _words(text, duration)
    return json_response(verbose)


def _diarized(
    texts: list[str], segments: list[dict[str, Any]], duration: float, usage: dict[str, Any]
) -> dict[str, Any]:
    # Speakers take turns, one sentence each.
    return {
        "task": "transcribe",
        "duration": duration,
        "text": " ".join(texts),
        "segments": [
            {
                "type": "transcript.text.segment",
                "id": f"seg_{s['id']}",
                "start": s["start"],
                "end": s["end"],
                "text": s["text"].strip(),
                "speaker": "AB"[s["id"] % 2],
            }
            for s in segments
        ],
        "usage": usage,
    }


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
