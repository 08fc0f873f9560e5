"""Models of ``/audio/transcriptions`` and ``/audio/translations``.

``response_format="json"`` gives ``Transcription`` / ``Translation``,
``"verbose_json"`` the ``...Verbose`` models; ``text``, ``srt`` and ``vtt`` are
plain text and come back as ``str``.
"""

from __future__ import annotations

import attrs

from .._models import APIObject

__all__ = [
    "Transcription",
    "TranscriptionSegment",
    "TranscriptionVerbose",
    "Translation",
    "TranslationVerbose",
]


@attrs.frozen(kw_only=True)
class Transcription(APIObject):
    """The text spoken in the audio, in its language."""

    text: str


@attrs.frozen(kw_only=True)
class Translation(APIObject):
    """The text spoken in the audio, in English."""

    text: str


@attrs.frozen(kw_only=True)
class TranscriptionSegment(APIObject):
    """A stretch of the audio (``verbose_json``); times are in seconds."""

    id: int
    seek: int | None = None
    start: float
    end: float
    text: str
    tokens: list[int] = attrs.field(factory=list)
    temperature: float | None = None
    avg_logprob: float | None = None
    compression_ratio: float | None = None
    no_speech_prob: float | None = None


@attrs.frozen(kw_only=True)
class TranscriptionVerbose(APIObject):
    """A transcription with its language, duration and timed segments."""

    task: str | None = None
    language: str | None = None
    duration: float | None = None
    text: str
    segments: list[TranscriptionSegment] = attrs.field(factory=list)


@attrs.frozen(kw_only=True)
class TranslationVerbose(APIObject):
    """A translation with the source's language, its duration and timed segments."""

    task: str | None = None
    language: str | None = None
    duration: float | None = None
    text: str
    segments: list[TranscriptionSegment] = attrs.field(factory=list)
