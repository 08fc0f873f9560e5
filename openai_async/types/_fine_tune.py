"""Models of the legacy ``/fine-tunes`` endpoints (2023 API)."""

from __future__ import annotations

from typing import Any

import attrs

from .._models import STRUCTURE_HOOK, APIObject

__all__ = ["FineTune", "FineTuneEvent", "FineTuneFile", "FineTuneHyperparams"]


@attrs.frozen(kw_only=True, slots=False)
class FineTuneEvent(APIObject):
    """A line of a fine-tune's log: ``level`` (info, warn, error) and ``message``."""

    object: str = "fine-tune-event"
    created_at: int = 0
    level: str = "info"
    message: str = ""


# The 2023 schema types hyperparams as any object; servers answer numbers, or "auto"
# for a value they will choose.
def _int_or_text(value: Any, _: Any) -> int | str | None:
    if value is None or isinstance(value, str) or type(value) is int:
        return value
    raise TypeError(f"expected an int or a string, got {value!r:.40}")


def _float_or_text(value: Any, _: Any) -> float | str | None:
    if value is None or isinstance(value, str):
        return value
    if type(value) in (int, float):
        return float(value)
    raise TypeError(f"expected a number or a string, got {value!r:.40}")


@attrs.frozen(kw_only=True, slots=False)
class FineTuneHyperparams(APIObject):
    """The hyperparameters a fine-tune runs with (None where the server chose)."""

    batch_size: int | str | None = attrs.field(
        default=None, metadata={STRUCTURE_HOOK: _int_or_text}
    )
    learning_rate_multiplier: float | str | None = attrs.field(
        default=None, metadata={STRUCTURE_HOOK: _float_or_text}
    )
    n_epochs: int | str | None = attrs.field(default=None, metadata={STRUCTURE_HOOK: _int_or_text})
    prompt_loss_weight: float | None = None


@attrs.frozen(kw_only=True, slots=False)
class FineTuneFile(APIObject):
    """An uploaded file as a fine-tune lists it (training, validation, results)."""

    id: str
    object: str = "file"
    bytes: int | None = None
    created_at: int | None = None
    filename: str | None = None
    purpose: str | None = None
    status: str | None = None
    status_details: Any = None


@attrs.frozen(kw_only=True, slots=False)
class FineTune(APIObject):
    """A fine-tune job; ``status`` is pending, running, succeeded, cancelled or failed."""

    id: str
    object: str = "fine-tune"
    created_at: int = 0
    updated_at: int = 0
    model: str = ""
    fine_tuned_model: str | None = None
    organization_id: str | None = None
    status: str = ""
    hyperparams: FineTuneHyperparams = attrs.field(factory=FineTuneHyperparams)
    training_files: list[FineTuneFile] = attrs.field(factory=list)
    validation_files: list[FineTuneFile] = attrs.field(factory=list)
    result_files: list[FineTuneFile] = attrs.field(factory=list)
    events: list[FineTuneEvent] = attrs.field(factory=list)
