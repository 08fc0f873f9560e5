"""``/v1/fine_tuning/jobs``: today's fine-tuning jobs, which run on the server's clock.

A job trains on a file uploaded with ``purpose="fine-tune"`` (an unknown id is a
404). It goes ``validating_files`` → ``queued`` → ``running`` (a metrics event per
step, a checkpoint per epoch) → ``succeeded``, one step every
``FineTuningSettings.step_seconds`` of time it is not paused, emitting an event at
each; a training file that is not JSON Lines of objects makes it ``failed``. The
steps due are applied whenever the job is looked at, so no task runs meanwhile. A
job that succeeds adds its model to ``/v1/models`` and its results file to
``/v1/files``. ``pause``, ``resume`` and ``cancel`` act on it as the service does.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from typing import Any, Final

import attrs

from ._app import State, error_response, route
from ._bodies import Invalid, checked, json_body, optional, required
from ._fixtures import model_object
from ._http import ServerRequest, ServerResponse, json_response

__all__ = ["FineTuningSettings", "fine_tuning_settings"]

FINAL: Final = frozenset({"succeeded", "failed", "cancelled"})
_ORG: Final = "org-local"
_MAX_SUFFIX: Final = 64
_STEPS_PER_EPOCH: Final = 3  # at most: fewer for a smaller training file
_CHOSEN: Final = {"batch_size": 1, "learning_rate_multiplier": 1.8, "n_epochs": 3, "beta": 0.1}


@attrs.define(kw_only=True)
class FineTuningSettings:
    """How fast jobs run: one step (an event) every ``step_seconds``."""

    step_seconds: float = 0.01


def fine_tuning_settings(state: State) -> FineTuningSettings:
    """The server's settings (the defaults again after every ``reset()``)."""
    settings: FineTuningSettings = state.data.setdefault(
        "fine_tuning_settings", FineTuningSettings()
    )
    return settings


def _jobs(state: State) -> dict[str, dict[str, Any]]:
    jobs: dict[str, dict[str, Any]] = state.data.setdefault("fine_tuning_jobs", {})
    return jobs


def _public(job: Mapping[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in job.items() if not key.startswith("_")}


def _not_found(job_id: str) -> ServerResponse:
    return error_response(404, f"Fine-tuning job {job_id} not found.", param="fine_tuning_job_id")


def _job(state: State, job_id: str) -> dict[str, Any] | None:
    """The job, with every step that fell due applied."""
    job = _jobs(state).get(job_id)
    if job is not None:
        _advance(state, job)
    return job


def _page(items: list[dict[str, Any]], query: Mapping[str, str], default: int) -> dict[str, Any]:
    """A cursor page of ``items`` (in listing order), as ``after`` and ``limit`` ask."""
    limit_text = query.get("limit", str(default))
    if not limit_text.isdigit() or int(limit_text) < 1:
        raise Invalid("limit must be a positive integer", "limit")
    after = query.get("after")
    if after is not None:
        ids = [item["id"] for item in items]
        items = items[ids.index(after) + 1 :] if after in ids else []
    page = items[: int(limit_text)]
    return {
        "object": "list",
        "data": page,
        "first_id": page[0]["id"] if page else None,
        "last_id": page[-1]["id"] if page else None,
        "has_more": len(items) > len(page),
    }


def _uploaded(state: State, param: str, file_id: str) -> bytes:
    entry = state.data["files"].get(file_id)
    if entry is None:
        raise Invalid(f"File {file_id} not found.", param, status=404)
    if entry["object"]["purpose"] != "fine-tune":
        raise Invalid(f"File {file_id} was not uploaded with purpose 'fine-tune'.", param)
    return bytes(entry["content"])


def _examples(content: bytes) -> int | None:
    """How many examples a JSON Lines training file holds; None if it is not one."""
    count = 0
    for raw in content.splitlines():
        if not raw.strip():
            continue
        try:
            line = json.loads(raw)
        except ValueError:
            return None
        if not isinstance(line, dict):
            return None
        count += 1
    return count or None


def _hyperparameters(body: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The method as the job reports it, and the hyperparameters it runs with."""
    method = body.get("method")
    if method is None:
        given = body.get("hyperparameters") or {}
        method = {"type": "supervised", "supervised": {"hyperparameters": given}}
    if not isinstance(method, dict) or method.get("type") not in (
        "supervised",
        "dpo",
        "reinforcement",
    ):
        raise Invalid("method.type must be supervised, dpo or reinforcement", "method")
    kind = method["type"]
    settings = method.get(kind) or {}
    given = dict(settings.get("hyperparameters") or {})
    keys = ["batch_size", "learning_rate_multiplier", "n_epochs"] + (
        ["beta"] if kind == "dpo" else []
    )
    chosen = {key: _CHOSEN[key] if given.get(key, "auto") == "auto" else given[key] for key in keys}
    method = {**method, kind: {**settings, "hyperparameters": chosen}}
    return method, chosen


@route("POST", r"/v1/fine_tuning/jobs")
@checked
async def create_job(
    state: State, request: ServerRequest, params: Mapping[str, str]
) -> ServerResponse:
    body = json_body(request)
    model = required(body, "model", str)
    training_file = required(body, "training_file", str)
    suffix = optional(body, "suffix", str, None)
    if suffix is not None and not 1 <= len(suffix) <= _MAX_SUFFIX:
        raise Invalid(f"suffix must be 1 to {_MAX_SUFFIX} characters", "suffix")
    content = _uploaded(state, "training_file", training_file)
    validation_file = optional(body, "validation_file", str, None)
    if validation_file is not None:
        _uploaded(state, "validation_file", validation_file)
    method, chosen = _hyperparameters(body)
    job_id = state.new_id("ftjob")
    settings = fine_tuning_settings(state)
    job: dict[str, Any] = {
        "id": job_id,
        "object": "fine_tuning.job",
        "created_at": int(time.time()),
        "error": None,
        "fine_tuned_model": None,
        "finished_at": None,
        "hyperparameters": {
            k: chosen[k] for k in ("batch_size", "learning_rate_multiplier", "n_epochs")
        },
        "model": model,
        "organization_id": _ORG,
        "result_files": [],
        "status": "validating_files",
        "trained_tokens": None,
        "training_file": training_file,
        "validation_file": validation_file,
        "integrations": optional(body, "integrations", list, None),
        "seed": optional(body, "seed", int, int(job_id.rsplit("-", 1)[-1])),
        "estimated_finish": None,
        "method": method,
        "metadata": optional(body, "metadata", dict, None),
        "_suffix": suffix,
        "_examples": _examples(content),
        "_step_seconds": settings.step_seconds,
        "_start": time.monotonic(),
        "_paused": 0.0,  # seconds spent paused so far
        "_paused_since": None,
        "_done": 0,  # steps applied
        "_events": [],  # oldest first
        "_checkpoints": [],  # oldest first
    }
    job["_steps"] = _steps(job, chosen)
    _jobs(state)[job_id] = job
    _advance(state, job)
    return json_response(_public(job))


def _steps(job: Mapping[str, Any], chosen: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The job's life, one step (event) at a time; the first is due at creation."""
    steps: list[dict[str, Any]] = [{"message": f"Validating training file: {job['training_file']}"}]
    examples = job["_examples"]
    if examples is None:
        error = {
            "code": "invalid_training_file",
            "message": "The training file is not JSON Lines of objects.",
            "param": "training_file",
        }
        steps.append({"message": error["message"], "status": "failed", "error": error})
        return steps
    steps += [
        {"message": "Files validated, moving job to queued state", "status": "queued"},
        {"message": "Fine-tuning job started", "status": "running"},
    ]
    epochs = int(chosen["n_epochs"])
    per_epoch = min(examples, _STEPS_PER_EPOCH)
    total = epochs * per_epoch
    for step in range(1, total + 1):
        loss = round(2.0 / (1 + step), 4)
        data = {"step": step, "train_loss": loss, "total_steps": total}
        steps.append(
            {
                "message": f"Step {step}/{total}: training loss={loss}",
                "type": "metrics",
                "data": data,
            }
        )
        if step % per_epoch == 0:
            steps.append({"message": f"Checkpoint created at step {step}", "checkpoint": data})
    steps += [
        {"message": "New fine-tuned model created", "model": True},
        {"message": "The job has successfully completed", "status": "succeeded"},
    ]
    return steps


def _advance(state: State, job: dict[str, Any]) -> None:
    if job["status"] in FINAL or job["_paused_since"] is not None:
        return
    elapsed = time.monotonic() - job["_start"] - job["_paused"]
    due = min(
        len(job["_steps"]),
        1 + int(elapsed / job["_step_seconds"]) if job["_step_seconds"] else len(job["_steps"]),
    )
    while job["_done"] < due and job["status"] not in FINAL:
        step = job["_steps"][job["_done"]]
        job["_done"] += 1
        _apply(state, job, step)


def _event(state: State, job: dict[str, Any], message: str, **extra: Any) -> None:
    event = {
        "object": "fine_tuning.job.event",
        "id": state.new_id("ftevent"),
        "created_at": job["created_at"] + job["_done"],
        "level": extra.pop("level", "info"),
        "message": message,
        "type": extra.pop("type", "message"),
        "data": extra.pop("data", {}),
    }
    job["_events"].append(event)


def _apply(state: State, job: dict[str, Any], step: Mapping[str, Any]) -> None:
    if "status" in step:
        job["status"] = step["status"]
    if "error" in step:
        job.update(error=step["error"], finished_at=job["created_at"] + job["_done"])
        _event(state, job, step["message"], level="error")
        return
    if "model" in step:
        job["fine_tuned_model"] = _model_name(job)
    if "checkpoint" in step:
        _checkpoint(state, job, step["checkpoint"])
    if job["status"] == "succeeded":
        _succeed(state, job)
    _event(state, job, step["message"], type=step.get("type", "message"), data=step.get("data", {}))


def _model_name(job: Mapping[str, Any]) -> str:
    suffix = f":{job['_suffix']}" if job["_suffix"] else ""
    return f"ft:{job['model']}:local{suffix}:{job['id'].rsplit('-', 1)[-1]}"


def _checkpoint(state: State, job: dict[str, Any], metrics: Mapping[str, Any]) -> None:
    step = metrics["step"]
    job["_checkpoints"].append(
        {
            "object": "fine_tuning.job.checkpoint",
            "id": state.new_id("ftckpt"),
            "created_at": job["created_at"] + job["_done"],
            "fine_tuned_model_checkpoint": f"{_model_name(job)}:ckpt-step-{step}",
            "fine_tuning_job_id": job["id"],
            "step_number": step,
            "metrics": {"step": float(step), "train_loss": metrics["train_loss"]},
        }
    )


def _succeed(state: State, job: dict[str, Any]) -> None:
    finished = job["created_at"] + job["_done"]
    model = job["fine_tuned_model"] or _model_name(job)
    state.data["models"][model] = model_object(model, "local", job["model"])
    rows = ["step,train_loss"] + [
        f"{c['step_number']},{c['metrics']['train_loss']}" for c in job["_checkpoints"]
    ]
    content = ("\n".join(rows) + "\n").encode()
    file_id = state.new_id("file")
    state.data["files"][file_id] = {
        "object": {
            "id": file_id,
            "object": "file",
            "bytes": len(content),
            "created_at": finished,
            "filename": "step_metrics.csv",
            "purpose": "fine-tune-results",
            "status": "processed",
            "status_details": None,
        },
        "content": content,
    }
    job.update(
        fine_tuned_model=model,
        finished_at=finished,
        result_files=[file_id],
        trained_tokens=100 * len(job["_checkpoints"]),
    )


@route("GET", r"/v1/fine_tuning/jobs")
@checked
async def list_jobs(
    state: State, request: ServerRequest, params: Mapping[str, str]
) -> ServerResponse:
    wanted = {
        key[len("metadata[") : -1]: value
        for key, value in request.query.items()
        if key.startswith("metadata[") and key.endswith("]")
    }
    jobs = []
    for job_id in reversed(list(_jobs(state))):
        job = _job(state, job_id)
        assert job is not None
        metadata = job["metadata"] or {}
        if all(metadata.get(key) == value for key, value in wanted.items()):
            jobs.append(_public(job))
    return json_response(_page(jobs, request.query, 20))


@route("GET", r"/v1/fine_tuning/jobs/(?P<job_id>[^/]+)")
async def retrieve_job(
    state: State, request: ServerRequest, params: Mapping[str, str]
) -> ServerResponse:
    job = _job(state, params["job_id"])
    return _not_found(params["job_id"]) if job is None else json_response(_public(job))


@route("GET", r"/v1/fine_tuning/jobs/(?P<job_id>[^/]+)/events")
@checked
async def list_events(
    state: State, request: ServerRequest, params: Mapping[str, str]
) -> ServerResponse:
    job = _job(state, params["job_id"])
    if job is None:
        return _not_found(params["job_id"])
    return json_response(_page(job["_events"][::-1], request.query, 20))


@route("GET", r"/v1/fine_tuning/jobs/(?P<job_id>[^/]+)/checkpoints")
@checked
async def list_checkpoints(
    state: State, request: ServerRequest, params: Mapping[str, str]
) -> ServerResponse:
    job = _job(state, params["job_id"])
    if job is None:
        return _not_found(params["job_id"])
    return json_response(_page(job["_checkpoints"][::-1], request.query, 10))


@route("POST", r"/v1/fine_tuning/jobs/(?P<job_id>[^/]+)/(?P<action>cancel|pause|resume)")
async def act_on_job(
    state: State, request: ServerRequest, params: Mapping[str, str]
) -> ServerResponse:
    job = _job(state, params["job_id"])
    if job is None:
        return _not_found(params["job_id"])
    action, status = params["action"], job["status"]
    if status in FINAL:
        return error_response(409, f"Cannot {action} a job that is {status}.")
    if action == "cancel":
        job.update(status="cancelled", finished_at=int(time.time()), _paused_since=None)
        _event(state, job, "Fine-tuning job cancelled")
    elif action == "pause":
        if status != "running":
            return error_response(409, f"Cannot pause a job that is {status}; it must be running.")
        job.update(status="paused", _paused_since=time.monotonic())
        _event(state, job, "Fine-tuning job paused")
    else:
        if status != "paused":
            return error_response(409, f"Cannot resume a job that is {status}; it is not paused.")
        job["_paused"] += time.monotonic() - job["_paused_since"]
        job.update(status="running", _paused_since=None)
        _event(state, job, "Fine-tuning job resumed")
    return json_response(_public(job))


@route("POST", r"/_control/fine_tuning")
@checked
async def configure_fine_tuning(
    state: State, request: ServerRequest, params: Mapping[str, str]
) -> ServerResponse:
    try:
        state.data["fine_tuning_settings"] = FineTuningSettings(**json_body(request))
    except TypeError as exc:
        raise Invalid(f"Bad fine-tuning settings: {exc}") from exc
    return json_response(attrs.asdict(fine_tuning_settings(state)))
