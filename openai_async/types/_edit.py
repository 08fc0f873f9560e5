"""Models of ``POST /edits`` (deprecated by OpenAI in 2023, still served by some servers)."""

from __future__ import annotations

from typing import Any

import attrs

from .._models import APIObject
from ._completion import CompletionUsage

__all__ = ["Edit", "EditChoice"]


@attrs.frozen(kw_only=True, slots=False)
class EditChoice(APIObject):
    """One edited version of the input."""

    text: str = ""  # the 2023 schema requires nothing of a choice
    index: int = 0
    logprobs: dict[str, Any] | None = None
    finish_reason: str | None = None


@attrs.frozen(kw_only=True, slots=False)
class Edit(APIObject):
    """The answer to ``POST /edits``: ``n`` choices."""

    object: str = "edit"
    created: int
    choices: list[EditChoice]
    usage: CompletionUsage | None = None
