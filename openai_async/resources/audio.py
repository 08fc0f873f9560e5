"""``client.audio``: speech to text (``transcriptions``) and to English (``translations``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final, Literal, Required, Unpack, cast, overload

import httpx

from .._exceptions import InvalidParameterError
from .._file_input import FileInput
from .._request import APIRequest, RequestOptions, pop_options
from ..types import (
    BinaryResponseContent,
    Transcription,
    TranscriptionVerbose,
    Translation,
    TranslationVerbose,
)
from ._base import Resource
from ._checks import check_choice, check_max_length, check_number, json_body
from ._upload import form_request

__all__ = ["Audio", "Speech", "SpeechCreateParams", "Transcriptions", "Translations"]

AudioResponseFormat = Literal["json", "text", "srt", "verbose_json", "vtt"]
TextFormat = Literal["text", "srt", "vtt"]

# The formats the API reference lists; text, srt and vtt come back as plain text.
_FORMATS = ("json", "text", "srt", "verbose_json", "vtt")
_TEXT_FORMATS = frozenset(("text", "srt", "vtt"))


async def _create(
    resource: Resource,
    path: str,
    models: tuple[
        type[Transcription | Translation], type[TranscriptionVerbose | TranslationVerbose]
    ],
    file: FileInput,
    fields: dict[str, object],
    options: RequestOptions,
) -> Any:
    response_format = fields.get("response_format")
    check_choice("response_format", response_format, _FORMATS)
    check_number("temperature", fields.get("temperature"), 0, 1)
    cast_to: type[object]
    if response_format in _TEXT_FORMATS:
        cast_to = str
    elif response_format == "verbose_json":
        cast_to = models[1]
    else:
        cast_to = models[0]
    request = await form_request(
        path, cast_to, fields=fields, files={"file": file}, options=options
    )
    return await resource._client.call(request)


class Transcriptions(Resource):
    """Speech to text in the language spoken."""

    __slots__ = ()

    @overload
    async def create(
        self,
        *,
        file: FileInput,
        model: str,
        prompt: str | None = ...,
        response_format: Literal["json"] | None = ...,
        temperature: float | None = ...,
        language: str | None = ...,
        **options: Unpack[RequestOptions],
    ) -> Transcription: ...

    @overload
    async def create(
        self,
        *,
        file: FileInput,
        model: str,
        prompt: str | None = ...,
        response_format: Literal["verbose_json"],
        temperature: float | None = ...,
        language: str | None = ...,
        **options: Unpack[RequestOptions],
    ) -> TranscriptionVerbose: ...

    @overload
    async def create(
        self,
        *,
        file: FileInput,
        model: str,
        prompt: str | None = ...,
        response_format: TextFormat,
        temperature: float | None = ...,
        language: str | None = ...,
        **options: Unpack[RequestOptions],
    ) -> str: ...

    @overload
    async def create(
        self,
        *,
        file: FileInput,
        model: str,
        prompt: str | None = ...,
        response_format: str | None = ...,
        temperature: float | None = ...,
        language: str | None = ...,
        **options: Unpack[RequestOptions],
    ) -> Transcription | TranscriptionVerbose | str: ...

    async def create(
        self,
        *,
        file: FileInput,
        model: str,
        prompt: str | None = None,
        response_format: str | None = None,
        temperature: float | None = None,
        language: str | None = None,
        **options: Unpack[RequestOptions],
    ) -> Transcription | TranscriptionVerbose | str:
        """``POST /audio/transcriptions``: the text of ``file`` (mp3, mp4, m4a, wav, webm...).

        ``response_format`` "json" (the default) gives a ``Transcription``,
        "verbose_json" a ``TranscriptionVerbose`` with timed segments, and "text",
        "srt" and "vtt" the text itself as ``str``. ``language`` is ISO-639-1.
        """
        fields: dict[str, object] = {
            "model": model,
            "prompt": prompt,
            "response_format": response_format,
            "temperature": temperature,
            "language": language,
        }
        result = await _create(
            self,
            "audio/transcriptions",
            (Transcription, TranscriptionVerbose),
            file,
            fields,
            options,
        )
        return cast(Transcription | TranscriptionVerbose | str, result)


class Translations(Resource):
    """Speech in any language to English text."""

    __slots__ = ()

    @overload
    async def create(
        self,
        *,
        file: FileInput,
        model: str,
        prompt: str | None = ...,
        response_format: Literal["json"] | None = ...,
        temperature: float | None = ...,
        **options: Unpack[RequestOptions],
    ) -> Translation: ...

    @overload
    async def create(
        self,
        *,
        file: FileInput,
        model: str,
        prompt: str | None = ...,
        response_format: Literal["verbose_json"],
        temperature: float | None = ...,
        **options: Unpack[RequestOptions],
    ) -> TranslationVerbose: ...

    @overload
    async def create(
        self,
        *,
        file: FileInput,
        model: str,
        prompt: str | None = ...,
        response_format: TextFormat,
        temperature: float | None = ...,
        **options: Unpack[RequestOptions],
    ) -> str: ...

    @overload
    async def create(
        self,
        *,
        file: FileInput,
        model: str,
        prompt: str | None = ...,
        response_format: str | None = ...,
        temperature: float | None = ...,
        **options: Unpack[RequestOptions],
    ) -> Translation | TranslationVerbose | str: ...

    async def create(
        self,
        *,
        file: FileInput,
        model: str,
        prompt: str | None = None,
        response_format: str | None = None,
        temperature: float | None = None,
        **options: Unpack[RequestOptions],
    ) -> Translation | TranslationVerbose | str:
        """``POST /audio/translations``: ``file``'s speech as English text.

        ``response_format`` works as for ``client.audio.transcriptions.create``.
        """
        fields: dict[str, object] = {
            "model": model,
            "prompt": prompt,
            "response_format": response_format,
            "temperature": temperature,
        }
        result = await _create(
            self, "audio/translations", (Translation, TranslationVerbose), file, fields, options
        )
        return cast(Translation | TranslationVerbose | str, result)


class SpeechCreateParams(RequestOptions, total=False):
    """The parameters of ``POST /audio/speech``, as the latest API reference names them.

    ``voice`` is a built-in voice's name (``"alloy"``, ``"coral"``, ...) or a custom
    voice ``{"id": "voice_1234"}``. None (or leaving one out) means "not sent".
    """

    input: Required[str]
    model: Required[str]
    voice: Required[str | Mapping[str, str]]
    instructions: str | None
    response_format: Literal["mp3", "opus", "aac", "flac", "wav", "pcm"] | None
    speed: float | None
    stream_format: Literal["sse", "audio"] | None


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
        raise InvalidParameterError("model", f"expected a model name, got {body['model']!r}")
    voice = body["voice"]
    custom = isinstance(voice, Mapping) and set(voice) == {"id"} and isinstance(voice["id"], str)
    if not (isinstance(voice, str) and voice) and not custom:
        raise InvalidParameterError(
            "voice", f"expected a voice name or {{'id': 'voice_...'}}, got {voice!r:.60}"
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
