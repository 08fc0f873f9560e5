"""Models of ``/audio/transcriptions`` and ``/audio/translations``.

``response_format="json"`` gives ``Transcription`` / ``Translation``,
``"verbose_json"`` the ``...Verbose`` models, ``"diarized_json"`` a
``TranscriptionDiarized``; ``text``, ``srt`` and ``vtt`` are plain text and come back
as ``str``. A streamed transcription is a series of ``TranscriptionStreamEvent``.
"""

from __future__ import annotations

import attrs

from .._models import APIObject

__all__ = [
    "Transcription",
    "TranscriptionDiarized",
    "TranscriptionDiarizedSegment",
    "TranscriptionLogprob",
    "TranscriptionSegment",
    "TranscriptionStreamEvent",
    "TranscriptionUsage",
    "TranscriptionVerbose",
    "TranscriptionWord",
    "Translation",
    "TranslationVerbose",
]


@attrs.frozen(kw_only=True, slots=False)
class TranscriptionLogprob(APIObject):
    """A token of the transcript and its log probability (``include=["logprobs"]``)."""

    token: str | None = None
    logprob: float | None = None
    bytes: list[int] | None = None


@attrs.frozen(kw_only=True, slots=False)
class TranscriptionUsage(APIObject):
    """What a transcription cost: ``type`` "tokens" (with the token counts) or
    "duration" (with the ``seconds`` of audio billed)."""

    type: str
    input_tokens: int | None = None
    output_tokens: int | None = None
    total_tokens: int | None = None
    input_token_details: dict[str, int] | None = None
    seconds: float | None = None


@attrs.frozen(kw_only=True, slots=False)
class Transcription(APIObject):
    """The text spoken in the audio, in its language.

    ``logprobs`` with ``include=["logprobs"]`` (gpt-4o-transcribe models); ``usage``
    from today's models.
    """

    text: str
    logprobs: list[TranscriptionLogprob] | None = None
    usage: TranscriptionUsage | None = None


@attrs.frozen(kw_only=True, slots=False)
class Translation(APIObject):
    """The text spoken in the audio, in English."""

    text: str


@attrs.frozen(kw_only=True, slots=False)
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


@attrs.frozen(kw_only=True, slots=False)
class TranscriptionWord(APIObject):
    """A word and when it is spoken, in seconds (``timestamp_granularities=["word"]``)."""

    word: str
    start: float
    end: float


@attrs.frozen(kw_only=True, slots=False)
class TranscriptionVerbose(APIObject):
    """A transcription with its language, duration, timed segments and words.

    ``segments`` and ``words`` are there as ``timestamp_granularities`` asked
    (segments by default).
    """

    task: str | None = None
    language: str | None = None
    duration: float | None = None
    text: str
    segments: list[TranscriptionSegment] = attrs.field(factory=list)
    words: list[TranscriptionWord] | None = None
    usage: TranscriptionUsage | None = None


@attrs.frozen(kw_only=True, slots=False)
class TranscriptionDiarizedSegment(APIObject):
    """A stretch of speech by one ``speaker`` (``response_format="diarized_json"``)."""

    type: str = "transcript.text.segment"
    id: str
    start: float
    end: float
    text: str
    speaker: str


@attrs.frozen(kw_only=True, slots=False)
class TranscriptionDiarized(APIObject):
    """A transcription told apart by speaker (``gpt-4o-transcribe-diarize``)."""

    task: str | None = None
    duration: float
    text: str
    segments: list[TranscriptionDiarizedSegment] = attrs.field(factory=list)
    usage: TranscriptionUsage | None = None


@attrs.frozen(kw_only=True, slots=False)
class TranscriptionStreamEvent(APIObject):
    """One event of a streamed transcription (``stream=True``), told apart by ``type``.

    - ``"transcript.text.delta"``: the next piece of text, ``delta`` (and its
      ``logprobs``; ``segment_id`` with diarization);
    - ``"transcript.text.segment"``: a diarized segment, ``id``, ``start``, ``end``,
      ``text`` and ``speaker``;
    - ``"transcript.text.done"``: the whole ``text`` (and ``logprobs``, ``usage``); the
      last event of the stream.

    Fields an event type does not have are None; events of types added later parse
    too (``to_dict()`` has all they carry).
    """

    type: str
    delta: str | None = None
    text: str | None = None
    logprobs: list[TranscriptionLogprob] | None = None
    segment_id: str | None = None
    usage: TranscriptionUsage | None = None
    id: str | None = None
    start: float | None = None
    end: float | None = None
    speaker: str | None = None


@attrs.frozen(kw_only=True, slots=False)
class TranslationVerbose(APIObject):
    """A translation with the source's language, its duration and timed segments."""

    task: str | None = None
    language: str | None = None
    duration: float | None = None
    text: str
    segments: list[TranscriptionSegment] = attrs.field(factory=list)
