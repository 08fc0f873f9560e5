"""Models of ``POST /moderations``.

The API names categories with slashes and dashes (``hate/threatening``,
``self-harm``); the models give them Python names (``hate_threatening``,
``self_harm``), and ``categories["hate/threatening"]`` or ``to_dict()`` keep the
API's names reachable, including categories added after this client was written.
"""

from __future__ import annotations

from typing import Any

import attrs

from .._models import JSON_KEY, APIObject

__all__ = [
    "Moderation",
    "ModerationCategories",
    "ModerationCategoryAppliedInputTypes",
    "ModerationCategoryScores",
    "ModerationCreateResponse",
]


def _key(name: str) -> dict[str, str]:
    return {JSON_KEY: name}


class _ByAPIName:
    """``obj["hate/threatening"]``: a category by the name the API gives it."""

    __slots__ = ()

    def __getitem__(self, key: str) -> Any:
        return self.to_dict()[key]  # type: ignore[attr-defined]


@attrs.frozen(kw_only=True, slots=False)
class ModerationCategories(_ByAPIName, APIObject):
    """Whether the input falls into each category (the 2023 seven, then later ones).

    ``illicit`` and ``illicit_violent`` come from the omni models (null or missing
    from the text-moderation ones).
    """

    hate: bool
    hate_threatening: bool = attrs.field(metadata=_key("hate/threatening"))
    self_harm: bool = attrs.field(metadata=_key("self-harm"))
    sexual: bool
    sexual_minors: bool = attrs.field(metadata=_key("sexual/minors"))
    violence: bool
    violence_graphic: bool = attrs.field(metadata=_key("violence/graphic"))
    # Added by OpenAI later in 2023; other servers may not send them.
    harassment: bool | None = None
    harassment_threatening: bool | None = attrs.field(
        default=None, metadata=_key("harassment/threatening")
    )
    self_harm_intent: bool | None = attrs.field(default=None, metadata=_key("self-harm/intent"))
    self_harm_instructions: bool | None = attrs.field(
        default=None, metadata=_key("self-harm/instructions")
    )
    illicit: bool | None = None
    illicit_violent: bool | None = attrs.field(default=None, metadata=_key("illicit/violent"))


@attrs.frozen(kw_only=True, slots=False)
class ModerationCategoryScores(_ByAPIName, APIObject):
    """The model's confidence, from 0 to 1, for each category."""

    hate: float
    hate_threatening: float = attrs.field(metadata=_key("hate/threatening"))
    self_harm: float = attrs.field(metadata=_key("self-harm"))
    sexual: float
    sexual_minors: float = attrs.field(metadata=_key("sexual/minors"))
    violence: float
    violence_graphic: float = attrs.field(metadata=_key("violence/graphic"))
    harassment: float | None = None
    harassment_threatening: float | None = attrs.field(
        default=None, metadata=_key("harassment/threatening")
    )
    self_harm_intent: float | None = attrs.field(default=None, metadata=_key("self-harm/intent"))
    self_harm_instructions: float | None = attrs.field(
        default=None, metadata=_key("self-harm/instructions")
    )
    illicit: float | None = None
    illicit_violent: float | None = attrs.field(default=None, metadata=_key("illicit/violent"))


@attrs.frozen(kw_only=True, slots=False)
class ModerationCategoryAppliedInputTypes(_ByAPIName, APIObject):
    """Which kinds of input (``"text"``, ``"image"``) each category's verdict looked at.

    Sent by the omni models; a category only judged on text lists ``["text"]``, one
    no input applied to lists nothing.
    """

    hate: list[str] = attrs.field(factory=list)
    hate_threatening: list[str] = attrs.field(factory=list, metadata=_key("hate/threatening"))
    harassment: list[str] = attrs.field(factory=list)
    harassment_threatening: list[str] = attrs.field(
        factory=list, metadata=_key("harassment/threatening")
    )
    illicit: list[str] = attrs.field(factory=list)
    illicit_violent: list[str] = attrs.field(factory=list, metadata=_key("illicit/violent"))
    self_harm: list[str] = attrs.field(factory=list, metadata=_key("self-harm"))
    self_harm_intent: list[str] = attrs.field(factory=list, metadata=_key("self-harm/intent"))
    self_harm_instructions: list[str] = attrs.field(
        factory=list, metadata=_key("self-harm/instructions")
    )
    sexual: list[str] = attrs.field(factory=list)
    sexual_minors: list[str] = attrs.field(factory=list, metadata=_key("sexual/minors"))
    violence: list[str] = attrs.field(factory=list)
    violence_graphic: list[str] = attrs.field(factory=list, metadata=_key("violence/graphic"))


@attrs.frozen(kw_only=True, slots=False)
class Moderation(APIObject):
    """The verdict on one input: ``flagged`` if any category is.

    ``category_applied_input_types`` comes from the omni models (None otherwise).
    """

    flagged: bool
    categories: ModerationCategories
    category_scores: ModerationCategoryScores
    category_applied_input_types: ModerationCategoryAppliedInputTypes | None = None


@attrs.frozen(kw_only=True, slots=False)
class ModerationCreateResponse(APIObject):
    """The answer to ``POST /moderations``: one ``Moderation`` per input, in order."""

    id: str
    model: str
    results: list[Moderation]
