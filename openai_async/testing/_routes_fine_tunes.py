"""``/v1/fine-tunes``: the legacy fine-tuning jobs, and their event stream.

A job trains on files uploaded through ``/v1/files`` (an unknown id is a 404). It stays
pending until someone follows its events (``?stream=true``): the stream then runs the
job through its steps, one event each, and ends with [DONE] once the job succeeded (or
was cancelled meanwhile). A job that succeeds adds its model to ``/v1/models`` and its
results file to ``/v1/files``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ._app import State, current_fault, error_response, route
from ._bodies import Invalid, checked, json_body, optional, required
from ._events import sse_response
from ._fixtures_fine_tunes import FINAL_STATUSES, fine_tune, progress, results
from ._http import ServerRequest, ServerResponse, json_response

_MAX_SUFFIX = 40


def _public(job: Mapping[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in job.items() if not key.startswith("_")}


def _not_found(fine_tune_id: str) -> ServerResponse:
    return error_response(404, f"No such fine-tune: {fine_tune_id}", param="id")


def _uploaded(state: State, param: str, file_id: str) -> dict[str, Any]:
    """The object of an uploaded file (a copy: the job outlives the file), or a 404."""
    entry = state.data["files"].get(file_id)
    if entry is None:
        raise Invalid(f"No such File object: {file_id}", param, status=404)
    return dict(entry["object"])


def _add_event(job: dict[str, Any], message: str, level: str = "info") -> dict[str, Any]:
    created = job["updated_at"] + 1
    event = {"object": "fine-tune-event", "created_at": created, "level": level, "message": message}
    job["events"].append(event)
    job["updated_at"] = created
    return event


@route("POST", r"/v1/fine-tunes")
@checked
async def create_fine_tune(
    state: State, request: ServerRequest, params: Mapping[str, str]
) -> ServerResponse:
    body = json_body(request)
    suffix = optional(body, "suffix", str, None)
    if suffix is not None and not 1 <= len(suffix) <= _MAX_SUFFIX:
        raise Invalid(f"suffix must be 1 to {_MAX_SUFFIX} characters", "suffix")
    training = _uploaded(state, "training_file", required(body, "training_file", str))
    validation_id = optional(body, "validation_file", str, None)
    validation = None
    if validation_id is not None:
        validation = _uploaded(state, "validation_file", validation_id)
    hyperparams = {
        key: body[key]
        for key in ("batch_size", "learning_rate_multiplier", "n_epochs", "prompt_loss_weight")
        if body.get(key) is not None
    }
    job = fine_tune(
        state.new_id("ft"),
        training_file=training,
        model=optional(body, "model", str, "curie"),
        hyperparams=hyperparams,
        validation_file=validation,
        suffix=suffix,
    )
    state.data["fine_tunes"][job["id"]] = job
    return json_response(_public(job))


@route("GET", r"/v1/fine-tunes")
async def list_fine_tunes(
    state: State, request: ServerRequest, params: Mapping[str, str]
) -> ServerResponse:
    jobs = [_public(job) for job in state.data["fine_tunes"].values()]
    for job in jobs:
        job.pop("events")  # the list leaves them out, as the real service did
    return json_response({"object": "list", "data": jobs})


@route("GET", r"/v1/fine-tunes/(?P<fine_tune_id>[^/]+)")
async def retrieve_fine_tune(
    state: State, request: ServerRequest, params: Mapping[str, str]
) -> ServerResponse:
    job = state.data["fine_tunes"].get(params["fine_tune_id"])
    return _not_found(params["fine_tune_id"]) if job is None else json_response(_public(job))


@route("POST", r"/v1/fine-tunes/(?P<fine_tune_id>[^/]+)/cancel")
async def cancel_fine_tune(
    state: State, request: ServerRequest, params: Mapping[str, str]
) -> ServerResponse:
    job = state.data["fine_tunes"].get(params["fine_tune_id"])
    if job is None:
        return _not_found(params["fine_tune_id"])
    if job["status"] in FINAL_STATUSES:
        return error_response(400, f"Cannot cancel a job that is already {job['status']}")
    job["status"] = "cancelled"
    _add_event(job, "Fine-tune cancelled")
    return json_response(_public(job))


@route("GET", r"/v1/fine-tunes/(?P<fine_tune_id>[^/]+)/events")
async def list_fine_tune_events(
    state: State, request: ServerRequest, params: Mapping[str, str]
) -> ServerResponse:
    job = state.data["fine_tunes"].get(params["fine_tune_id"])
    if job is None:
        return _not_found(params["fine_tune_id"])
    if request.query.get("stream", "").lower() == "true":
        return sse_response(_follow(state, job), current_fault())
    return json_response({"object": "list", "data": list(job["events"])})


def _follow(state: State, job: dict[str, Any]) -> Iterator[dict[str, Any]]:
    # Read lazily between writes: a cancel arriving meanwhile shows up in the stream.
    steps = iter(progress(job)) if job["status"] not in FINAL_STATUSES else iter(())
    sent = 0
    while True:
        while sent < len(job["events"]):
            yield job["events"][sent]
            sent += 1
        if job["status"] in FINAL_STATUSES:
            return
        step = next(steps, None)
        if step is None:
            return
        message, status = step
        if status is not None:
            job["status"] = status
        if status == "succeeded":
            model, results_file, content = results(job)
            state.data["models"][model["id"]] = model
            state.data["files"][results_file["id"]] = {"object": results_file, "content": content}
            job["fine_tuned_model"] = model["id"]
            job["result_files"] = [results_file]
        _add_event(job, message)
