"""Models of ``POST /completions``; streamed chunks are ``Completion`` objects too."""

from __future__ import annotations

import attrs

from .._models import APIObject

__all__ = [
    "Completion",
    "CompletionChoice",
    "CompletionTokensDetails",
    "CompletionUsage",
    "Logprobs",
    "PromptTokensDetails",
]


@attrs.frozen(kw_only=True, slots=False)
class PromptTokensDetails(APIObject):
    """Of the prompt tokens: how many came from the cache, how many were audio."""

    cached_tokens: int = 0
    audio_tokens: int = 0


@attrs.frozen(kw_only=True, slots=False)
class CompletionTokensDetails(APIObject):
    """Of the completion tokens: reasoning (unseen), audio, and predicted-output ones."""

    reasoning_tokens: int = 0
    audio_tokens: int = 0
    accepted_prediction_tokens: int = 0
    rejected_prediction_tokens: int = 0


@attrs.frozen(kw_only=True, slots=False)
class CompletionUsage(APIObject):
    """Tokens billed for a completion or chat completion."""

    prompt_tokens: int = 0
    completion_tokens: int = 0
    total_tokens: int = 0
    prompt_tokens_details: PromptTokensDetails | None = None
    completion_tokens_details: CompletionTokensDetails | None = None


@attrs.frozen(kw_only=True, slots=False)
class Logprobs(APIObject):
    """Per-token log probabilities, when ``logprobs`` was asked for."""

    tokens: list[str] = attrs.field(factory=list)
    token_logprobs: list[float | None] = attrs.field(factory=list)
    top_logprobs: list[dict[str, float] | None] | None = None
    text_offset: list[int] = attrs.field(factory=list)


@attrs.frozen(kw_only=True, slots=False)
class CompletionChoice(APIObject):
    """One completion; with several prompts, ``index == prompt_position * n + k``."""

    text: str = ""
    index: int = 0
    logprobs: Logprobs | None = None
    finish_reason: str | None = None


@attrs.frozen(kw_only=True, slots=False)
class Completion(APIObject):
    """The answer to ``POST /completions`` (``object == "text_completion"``)."""

    id: str
    object: str = "text_completion"
    created: int = 0
    model: str = ""
    choices: list[CompletionChoice] = attrs.field(factory=list)
    usage: CompletionUsage | None = None
    system_fingerprint: str | None = None
