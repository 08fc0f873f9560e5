"""Models of today's ``/fine_tuning/jobs`` endpoints (the 2023 ones are in ``_fine_tune``)."""

from __future__ import annotations

from typing import Any

import attrs

from .._models import STRUCTURE_HOOK, APIObject
from ._fine_tune import _float_or_text, _int_or_text

__all__ = [
    "FineTuningJob",
    "FineTuningJobCheckpoint",
    "FineTuningJobCheckpointMetrics",
    "FineTuningJobError",
    "FineTuningJobEvent",
    "FineTuningJobHyperparameters",
    "FineTuningJobIntegration",
    "FineTuningJobMethod",
    "FineTuningJobMethodSettings",
    "FineTuningJobWandb",
]

# A hyperparameter is a number, or "auto" for one the service picks.
_INT_OR_AUTO = {STRUCTURE_HOOK: _int_or_text}
_FLOAT_OR_AUTO = {STRUCTURE_HOOK: _float_or_text}


@attrs.frozen(kw_only=True, slots=False)
class FineTuningJobHyperparameters(APIObject):
    """The hyperparameters of a job or method; ``"auto"`` where the service chooses."""

    batch_size: int | str | None = attrs.field(default=None, metadata=_INT_OR_AUTO)
    learning_rate_multiplier: float | str | None = attrs.field(
        default=None, metadata=_FLOAT_OR_AUTO
    )
    n_epochs: int | str | None = attrs.field(default=None, metadata=_INT_OR_AUTO)
    beta: float | str | None = attrs.field(default=None, metadata=_FLOAT_OR_AUTO)  # dpo


@attrs.frozen(kw_only=True, slots=False)
class FineTuningJobMethodSettings(APIObject):
    """The settings of one method (``supervised``, ``dpo``, ``reinforcement``)."""

    hyperparameters: FineTuningJobHyperparameters | None = None


@attrs.frozen(kw_only=True, slots=False)
class FineTuningJobMethod(APIObject):
    """How a job trains: ``type`` names the method whose settings are given."""

    type: str
    supervised: FineTuningJobMethodSettings | None = None
    dpo: FineTuningJobMethodSettings | None = None
    reinforcement: FineTuningJobMethodSettings | None = None


@attrs.frozen(kw_only=True, slots=False)
class FineTuningJobError(APIObject):
    """Why a job failed; ``param`` names the file at fault, if one was."""

    code: str
    message: str
    param: str | None = None


@attrs.frozen(kw_only=True, slots=False)
class FineTuningJobWandb(APIObject):
    """The Weights and Biases run a job reports to."""

    project: str
    name: str | None = None
    entity: str | None = None
    tags: list[str] | None = None


@attrs.frozen(kw_only=True, slots=False)
class FineTuningJobIntegration(APIObject):
    """An integration of a job (``type`` ``wandb``)."""

    type: str
    wandb: FineTuningJobWandb | None = None


@attrs.frozen(kw_only=True, slots=False)
class FineTuningJob(APIObject):
    """A fine-tuning job (``fine_tuning.job``).

    ``status`` is validating_files, queued, running, succeeded, failed or cancelled
    (and paused while paused). Once it succeeded, ``fine_tuned_model`` names the model
    and ``result_files`` hold the ids of its results files.
    """

    id: str
    object: str = "fine_tuning.job"
    created_at: int
    model: str
    status: str
    training_file: str
    validation_file: str | None = None
    fine_tuned_model: str | None = None
    finished_at: int | None = None
    error: FineTuningJobError | None = None
    hyperparameters: FineTuningJobHyperparameters | None = None
    organization_id: str | None = None
    result_files: list[str] = attrs.field(factory=list)
    trained_tokens: int | None = None
    integrations: list[FineTuningJobIntegration] | None = None
    seed: int | None = None
    estimated_finish: int | None = None
    method: FineTuningJobMethod | None = None
    metadata: dict[str, str] | None = None


@attrs.frozen(kw_only=True, slots=False)
class FineTuningJobEvent(APIObject):
    """A line of a job's log: ``level`` (info, warn, error), ``message``; ``data`` for metrics."""

    id: str
    object: str = "fine_tuning.job.event"
    created_at: int
    level: str = "info"
    message: str = ""
    type: str | None = None
    data: Any = None


@attrs.frozen(kw_only=True, slots=False)
class FineTuningJobCheckpointMetrics(APIObject):
    """The metrics at a checkpoint's step (None where the server sent none)."""

    step: float | None = None
    train_loss: float | None = None
    train_mean_token_accuracy: float | None = None
    valid_loss: float | None = None
    valid_mean_token_accuracy: float | None = None
    full_valid_loss: float | None = None
    full_valid_mean_token_accuracy: float | None = None


@attrs.frozen(kw_only=True, slots=False)
class FineTuningJobCheckpoint(APIObject):
    """A model saved at a step of a job, usable as a model (``fine_tuned_model_checkpoint``)."""

    id: str
    object: str = "fine_tuning.job.checkpoint"
    created_at: int
    fine_tuned_model_checkpoint: str
    fine_tuning_job_id: str
    step_number: int
    metrics: FineTuningJobCheckpointMetrics = attrs.field(factory=FineTuningJobCheckpointMetrics)
