"""The fine-tunes the local server starts with, and how a job "runs"."""

from __future__ import annotations

from typing import Any

from ._fixtures import CREATED, model_object

__all__ = ["FINAL_STATUSES", "fine_tune", "initial_fine_tunes", "progress", "results"]

FINAL_STATUSES = frozenset({"succeeded", "failed", "cancelled"})
_ORG = "org-local"
_OWNER = "local"  # what the fine-tuned models' names and owned_by say


def _event(message: str, created_at: int, level: str = "info") -> dict[str, Any]:
    return {
        "object": "fine-tune-event",
        "created_at": created_at,
        "level": level,
        "message": message,
    }


def _file(file_id: str, filename: str, purpose: str, size: int) -> dict[str, Any]:
    return {
        "id": file_id,
        "object": "file",
        "bytes": size,
        "created_at": CREATED - 3600,
        "filename": filename,
        "purpose": purpose,
        "status": "processed",
        "status_details": None,
    }


def fine_tune(
    fine_tune_id: str,
    *,
    training_file: dict[str, Any],
    model: str = "curie",
    hyperparams: dict[str, Any] | None = None,
    validation_file: dict[str, Any] | None = None,
    suffix: str | None = None,
) -> dict[str, Any]:
    """A new pending job, as ``POST /fine-tunes`` answers it, on these file objects."""
    params: dict[str, Any] = {"batch_size": None, "learning_rate_multiplier": None}
    params.update(n_epochs=4, prompt_loss_weight=0.01)
    params.update(hyperparams or {})
    return {
        "id": fine_tune_id,
        "object": "fine-tune",
        "model": model,
        "created_at": CREATED,
        "updated_at": CREATED,
        "events": [_event(f"Created fine-tune: {fine_tune_id}", CREATED)],
        "fine_tuned_model": None,
        "hyperparams": params,
        "organization_id": _ORG,
        "result_files": [],
        "status": "pending",
        "validation_files": [] if validation_file is None else [validation_file],
        "training_files": [training_file],
        "_suffix": suffix,  # not sent: names the model when the job succeeds
    }


def progress(job: dict[str, Any]) -> list[tuple[str, str | None]]:
    """The steps a pending job goes through: (event message, new status or None)."""
    epochs = job["hyperparams"].get("n_epochs") or 4
    model = f"{job['model']}:ft-{_OWNER}-{job['_suffix'] or 'model'}-2023-06-28-00-00-00"
    job["_target_model"] = model
    steps: list[tuple[str, str | None]] = [
        ("Fine-tune costs $0.00", None),
        ("Fine-tune enqueued. Queue number: 0", None),
        ("Fine-tune started", "running"),
    ]
    steps += [(f"Completed epoch {e}/{epochs}", None) for e in range(1, epochs + 1)]
    steps += [(f"Uploaded model: {model}", None), ("Fine-tune succeeded", "succeeded")]
    return steps


def results(job: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any], bytes]:
    """What a job leaves once it succeeds: its model, its results file and that file's bytes."""
    model = model_object(job["_target_model"], _OWNER, job["model"])
    epochs = job["hyperparams"].get("n_epochs") or 4
    rows = [f"{e},{e * 1024},{e * 8},{1 / e:.4f}" for e in range(1, epochs + 1)]
    content = "\n".join(["step,elapsed_tokens,elapsed_examples,training_loss", *rows, ""])
    data = content.encode()
    file_id = f"file-results-{job['id']}"
    results_file = _file(file_id, "compiled_results.csv", "fine-tune-results", len(data))
    results_file["created_at"] = job["updated_at"]
    return model, results_file, data


def initial_fine_tunes() -> dict[str, dict[str, Any]]:
    """One finished job and one pending job."""
    # Their files are not among the server's files: they stand for uploads made before.
    training = _file("file-XGinujblHPwGLSztz8cPS8XY", "train.jsonl", "fine-tune", 1547)
    done = fine_tune("ft-AF1WoRqd3aJAHsqc9NY7iL8F", training_file=training)
    done.update(
        status="succeeded",
        fine_tuned_model="curie:ft-acmeco-2021-03-03-21-44-20",
        updated_at=CREATED + 600,
        result_files=[
            _file(
                "file-QQm6ZpqdNwAaVC3aSz5sWwLT", "compiled_results.csv", "fine-tune-results", 81509
            )
        ],
    )
    done["events"] += [
        _event("Fine-tune started", CREATED + 5),
        _event("Uploaded model: curie:ft-acmeco-2021-03-03-21-44-20", CREATED + 590),
        _event("Fine-tune succeeded", CREATED + 600),
    ]
    training = _file("file-pending00000000000000", "train.jsonl", "fine-tune", 1547)
    pending = fine_tune("ft-pending000000000000000", training_file=training)
    return {job["id"]: job for job in (done, pending)}
