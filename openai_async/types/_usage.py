"""Token counts reported with an answer."""

from __future__ import annotations

import attrs

from .._models import APIObject

__all__ = ["CompletionUsage"]


@attrs.frozen(kw_only=True)
class CompletionUsage(APIObject):
    """Tokens used by a request that generates text (completions, chat, edits)."""

    prompt_tokens: int
    completion_tokens: int = 0
    total_tokens: int
