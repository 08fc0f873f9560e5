"""``client.audio``: speech to text (``transcriptions``) and to English (``translations``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final, Literal, Required, Unpack, cast, overload

import httpx

from .._config import NotGiven
from .._exceptions import InvalidParameterError, shown
from .._file_input import FileInput
from .._request import APIRequest, RequestOptions, pop_options
from .._streaming import AsyncStream, StreamEnd
from ..types import (
    BinaryResponseContent,
    Transcription,
    TranscriptionDiarized,
    TranscriptionStreamEvent,
    TranscriptionVerbose,
    Translation,
    TranslationVerbose,
)
from ._base import Resource
from ._checks import (
    check_choice,
    check_flag,
    check_max_length,
    check_number,
    check_types,
    json_body,
)
from ._upload import form_request, streamed_form

__all__ = [
    "Audio",
    "Speech",
    "SpeechCreateParams",
    "TranscriptionCreateParams",
    "Transcriptions",
    "TranslationCreateParams",
    "Translations",
]

AudioResponseFormat = Literal["json", "text", "srt", "verbose_json", "vtt", "diarized_json"]
TextFormat = Literal["text", "srt", "vtt"]

# The formats the API reference lists; text, srt and vtt come back as plain text.
_FORMATS = ("json", "text", "srt", "verbose_json", "vtt", "diarized_json")
_TRANSLATION_FORMATS = ("json", "text", "srt", "verbose_json", "vtt")
_TEXT_FORMATS = frozenset(("text", "srt", "vtt"))
_MAX_SPEAKERS = 4  # "Up to 4 speakers are supported"

# A streamed transcription ends with its transcript.text.done event (servers such as
# vLLM send data: [DONE] after it, which ends it as well); a body that stops before
# either is an incomplete transcript.
TRANSCRIPTION_STREAM_END = StreamEnd(marker="[DONE]", terminal=frozenset({"transcript.text.done"}))


class TranslationCreateParams(RequestOptions, total=False):
    """The parameters of ``POST /audio/translations`` but ``response_format``."""

    file: Required[FileInput]
    model: Required[str]
    prompt: str | NotGiven | None
    temperature: float | NotGiven | None


class TranscriptionCreateParams(TranslationCreateParams, total=False):
    """The parameters of ``POST /audio/transcriptions`` but ``response_format`` and
    ``stream``, declared once.

    Lists go out as ``name[]`` form fields and ``chunking_strategy``'s object as
    ``chunking_strategy[key]`` fields, as the API reads them.
    """

    language: str | NotGiven | None
    languages: Sequence[str] | NotGiven | None
    keywords: Sequence[str] | NotGiven | None
    include: Sequence[Literal["logprobs"]] | NotGiven | None
    timestamp_granularities: Sequence[Literal["word", "segment"]] | NotGiven | None
    chunking_strategy: Literal["auto"] | Mapping[str, Any] | NotGiven | None
    known_speaker_names: Sequence[str] | NotGiven | None
    known_speaker_references: Sequence[str] | NotGiven | None


def _list(name: str, value: object, limit: int | None = None) -> list[Any] | None:
    if value is None:
        return None
    if isinstance(value, str | bytes) or not isinstance(value, Sequence):
        raise InvalidParameterError(name, f"expected a list, got {type(value).__name__}")
    items = list(value)
    if limit is not None and len(items) > limit:
        raise InvalidParameterError(name, f"at most {limit} items, got {len(items)}")
    return items


def _fields(params: dict[str, Any], response_format: object, formats: tuple[str, ...]) -> Any:
    check_choice("response_format", response_format, formats)
    check_number("temperature", params.get("temperature"), 0, 1)
    fields = {"response_format": response_format, **params}
    for name in ("languages", "keywords", "include", "timestamp_granularities"):
        fields[name] = _list(name, fields.get(name))
    for name in ("known_speaker_names", "known_speaker_references"):
        fields[name] = _list(name, fields.get(name), _MAX_SPEAKERS)
    chunking = fields.get("chunking_strategy")
    if chunking is not None and chunking != "auto" and not isinstance(chunking, Mapping):
        raise InvalidParameterError(
            "chunking_strategy", f'expected "auto" or a mapping, got {shown(chunking)}'
        )
    return {name: value for name, value in fields.items() if value is not None}


def _result_type(response_format: object, models: tuple[type, type, type]) -> type[object]:
    if response_format in _TEXT_FORMATS:
        return str
    if response_format == "verbose_json":
        return models[1]
    if response_format == "diarized_json":
        return models[2]
    return models[0]


async def _form(
    path: str, cast_to: type[Any], fields: dict[str, Any], options: RequestOptions
) -> APIRequest[Any]:
    file = fields.pop("file", None)
    if file is None:
        raise InvalidParameterError("file", "is required")
    if not isinstance(fields.get("model"), str):
        raise InvalidParameterError("model", f"expected a string, got {shown(fields.get('model'))}")
    return await form_request(path, cast_to, fields=fields, files={"file": file}, options=options)


class Transcriptions(Resource):
    """Speech to text in the language spoken, whole or streamed."""

    __slots__ = ()

    @overload
    async def create(
        self,
        *,
        response_format: Literal["json"] | NotGiven | None = None,
        stream: Literal[False] | NotGiven = False,
        **params: Unpack[TranscriptionCreateParams],
    ) -> Transcription: ...

    @overload
    async def create(
        self,
        *,
        response_format: Literal["verbose_json"],
        stream: Literal[False] | NotGiven = False,
        **params: Unpack[TranscriptionCreateParams],
    ) -> TranscriptionVerbose: ...

    @overload
    async def create(
        self,
        *,
        response_format: Literal["diarized_json"],
        stream: Literal[False] | NotGiven = False,
        **params: Unpack[TranscriptionCreateParams],
    ) -> TranscriptionDiarized: ...

    @overload
    async def create(
        self,
        *,
        response_format: TextFormat,
        stream: Literal[False] | NotGiven = False,
        **params: Unpack[TranscriptionCreateParams],
    ) -> str: ...

    @overload
    async def create(
        self,
        *,
        response_format: str | NotGiven | None = None,
        stream: Literal[False] | NotGiven = False,
        **params: Unpack[TranscriptionCreateParams],
    ) -> Transcription | TranscriptionVerbose | TranscriptionDiarized | str: ...

    @overload
    async def create(
        self,
        *,
        response_format: AudioResponseFormat | NotGiven | None = None,
        stream: Literal[True],
        **params: Unpack[TranscriptionCreateParams],
    ) -> AsyncStream[TranscriptionStreamEvent]: ...

    @overload
    async def create(
        self,
        *,
        response_format: str | NotGiven | None = None,
        stream: bool,
        **params: Unpack[TranscriptionCreateParams],
    ) -> (
        Transcription
        | TranscriptionVerbose
        | TranscriptionDiarized
        | str
        | AsyncStream[TranscriptionStreamEvent]
    ): ...

    async def create(
        self,
        *,
        response_format: str | NotGiven | None = None,
        stream: bool | NotGiven = False,
        **params: Unpack[TranscriptionCreateParams],
    ) -> (
        Transcription
        | TranscriptionVerbose
        | TranscriptionDiarized
        | str
        | AsyncStream[TranscriptionStreamEvent]
    ):
        """``POST /audio/transcriptions``: the text of ``file`` (mp3, wav, webm, flac...).

        ``response_format`` "json" (the default) gives a ``Transcription``,
        "verbose_json" a ``TranscriptionVerbose`` with timed segments (and words, with
        ``timestamp_granularities=["word"]``), "diarized_json" a
        ``TranscriptionDiarized`` (``gpt-4o-transcribe-diarize``), and "text", "srt"
        and "vtt" the text itself as ``str``. ``language`` is ISO-639-1.

        ``stream=True`` (gpt-4o-transcribe and later models) gives an ``AsyncStream``
        of ``TranscriptionStreamEvent``: ``transcript.text.delta`` events, then one
        ``transcript.text.done`` with the whole text; a stream that stops before it
        raises ``StreamTruncatedError``. Which model supports which parameter is the
        service's to say; only the spec's own limits are checked here.
        """
        given: dict[str, Any] = dict(params)
        options = pop_options(given)
        check_types(given, TranscriptionCreateParams)
        check_flag("stream", stream)
        fields = _fields(given, response_format, _FORMATS)
        if stream:
            fields["stream"] = True
        models = (Transcription, TranscriptionVerbose, TranscriptionDiarized)
        request = await _form(
            "audio/transcriptions", _result_type(response_format, models), fields, options
        )
        if stream:
            return await self._client.call(
                streamed_form(request, TranscriptionStreamEvent, TRANSCRIPTION_STREAM_END)
            )
        result = await self._client.call(request)
        return cast(Transcription | TranscriptionVerbose | TranscriptionDiarized | str, result)


class Translations(Resource):
    """Speech in any language to English text."""

    __slots__ = ()

    @overload
    async def create(
        self,
        *,
        response_format: Literal["json"] | NotGiven | None = None,
        **params: Unpack[TranslationCreateParams],
    ) -> Translation: ...

    @overload
    async def create(
        self,
        *,
        response_format: Literal["verbose_json"],
        **params: Unpack[TranslationCreateParams],
    ) -> TranslationVerbose: ...

    @overload
    async def create(
        self, *, response_format: TextFormat, **params: Unpack[TranslationCreateParams]
    ) -> str: ...

    @overload
    async def create(
        self,
        *,
        response_format: str | NotGiven | None = None,
        **params: Unpack[TranslationCreateParams],
    ) -> Translation | TranslationVerbose | str: ...

    async def create(
        self,
        *,
        response_format: str | NotGiven | None = None,
        **params: Unpack[TranslationCreateParams],
    ) -> Translation | TranslationVerbose | str:
        """``POST /audio/translations``: ``file``'s speech as English text.

        ``response_format`` works as for ``client.audio.transcriptions.create``.
        """
        given: dict[str, Any] = dict(params)
        options = pop_options(given)
        check_types(given, TranslationCreateParams)
        fields = _fields(given, response_format, _TRANSLATION_FORMATS)
        models = (Translation, TranslationVerbose, TranslationVerbose)
        request = await _form(
            "audio/translations", _result_type(response_format, models), fields, options
        )
        result = await self._client.call(request)
        return cast(Translation | TranslationVerbose | str, result)


class SpeechCreateParams(RequestOptions, total=False):
    """The parameters of ``POST /audio/speech``, as the latest API reference names them.

    ``voice`` is a built-in voice's name (``"alloy"``, ``"coral"``, ...) or a custom
    voice ``{"id": "voice_1234"}``. None (or leaving one out) means "not sent".
    """

    input: Required[str]
    model: Required[str]
    voice: Required[str | Mapping[str, str]]
    instructions: str | NotGiven | None
    response_format: Literal["mp3", "opus", "aac", "flac", "wav", "pcm"] | NotGiven | None
    speed: float | NotGiven | None
    stream_format: Literal["sse", "audio"] | NotGiven | None


_SPEECH_FORMATS = ("mp3", "opus", "aac", "flac", "wav", "pcm")
_SPEECH_MAX_CHARS = 4096  # the documented limit of ``input`` and ``instructions``
_OCTETS: Final = {"Accept": "application/octet-stream"}


def _speech_body(params: Mapping[str, Any]) -> dict[str, Any]:
    body = json_body(**params)
    for name in ("input", "model", "voice"):
        if name not in body:
            raise InvalidParameterError(name, "is required")
    check_max_length("input", body["input"], _SPEECH_MAX_CHARS)
    if not isinstance(body["model"], str) or not body["model"]:
        raise InvalidParameterError("model", f"expected a model name, got {shown(body['model'])}")
    voice = body["voice"]
    custom = isinstance(voice, Mapping) and set(voice) == {"id"} and isinstance(voice["id"], str)
    if not (isinstance(voice, str) and voice) and not custom:
        raise InvalidParameterError(
            "voice", f"expected a voice name or {{'id': 'voice_...'}}, got {shown(voice)}"
        )
    if "instructions" in body:
        check_max_length("instructions", body["instructions"], _SPEECH_MAX_CHARS)
    check_choice("response_format", body.get("response_format"), _SPEECH_FORMATS)
    check_number("speed", body.get("speed"), 0.25, 4.0)
    check_choice("stream_format", body.get("stream_format"), ("sse", "audio"))
    return body


def _audio_content(response: httpx.Response) -> BinaryResponseContent:
    return BinaryResponseContent(response.content, response.encoding or "utf-8")


class Speech(Resource):
    """Text to speech: ``create`` answers with the audio's bytes."""

    __slots__ = ()

    async def create(self, **params: Unpack[SpeechCreateParams]) -> BinaryResponseContent:
        """``POST /audio/speech``: ``input`` spoken by ``voice``, as audio bytes.

        The result holds the whole file (``bytes`` with the SDK's ``write_to_file``).
        To keep memory flat however long the audio, stream it instead::

            async with client.audio.speech.with_streaming_response.create(...) as response:
                await response.stream_to_file("speech.mp3")  # or: async for chunk in
                                                              #   response.iter_bytes()

        ``stream_format="sse"`` asks for server-sent events (base64 audio deltas)
        instead of the audio itself; the bytes are then the events' text.
        """
        given: dict[str, Any] = dict(params)
        options = pop_options(given)
        check_types(given, SpeechCreateParams)
        body = _speech_body(given)
        request = APIRequest(
            method="POST",
            path="audio/speech",
            read=_audio_content,
            body=body,
            headers=_OCTETS,
            options=options,
        )
        return await self._client.call(request)


class Audio(Resource):
    """``client.audio.transcriptions``, ``.translations`` and ``.speech``."""

    __slots__ = ()

    @property
    def transcriptions(self) -> Transcriptions:
        return Transcriptions(self._client)

    @property
    def translations(self) -> Translations:
        return Translations(self._client)

    @property
    def speech(self) -> Speech:
        return Speech(self._client)
