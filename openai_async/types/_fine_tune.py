"""Models of the legacy ``/fine-tunes`` endpoints (2023 API)."""

from __future__ import annotations

import attrs

from .._models import APIObject

__all__ = ["FineTune", "FineTuneEvent", "FineTuneFile", "FineTuneHyperparams"]


@attrs.frozen(kw_only=True)
class FineTuneEvent(APIObject):
    """A line of a fine-tune's log: ``level`` (info, warn, error) and ``message``."""

    object: str = "fine-tune-event"
    created_at: int = 0
    level: str = "info"
    message: str = ""


@attrs.frozen(kw_only=True)
class FineTuneHyperparams(APIObject):
    """The hyperparameters a fine-tune runs with (None where the server chose)."""

    batch_size: int | None = None
    learning_rate_multiplier: float | None = None
    n_epochs: int | None = None
    prompt_loss_weight: float | None = None


@attrs.frozen(kw_only=True)
class FineTuneFile(APIObject):
    """An uploaded file as a fine-tune lists it (training, validation, results)."""

    id: str
    object: str = "file"
    bytes: int | None = None
    created_at: int | None = None
    filename: str | None = None
    purpose: str | None = None
    status: str | None = None


@attrs.frozen(kw_only=True)
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
