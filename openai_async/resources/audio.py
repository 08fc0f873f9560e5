"""``client.audio``: speech to text (``transcriptions``) and to English (``translations``)."""

from __future__ import annotations

from typing import Any, Literal, Unpack, cast, overload

from .._file_input import FileInput
from .._request import RequestOptions
from ..types import Transcription, TranscriptionVerbose, Translation, TranslationVerbose
from ._base import Resource
from ._checks import check_choice, check_number
from ._upload import form_request

__all__ = ["Audio", "Transcriptions", "Translations"]

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


class Audio(Resource):
    """``client.audio.transcriptions`` and ``client.audio.translations``."""

    __slots__ = ()

    @property
    def transcriptions(self) -> Transcriptions:
        return Transcriptions(self._client)

    @property
    def translations(self) -> Translations:
        return Translations(self._client)
