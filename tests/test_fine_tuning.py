"""``client.fine_tuning.jobs`` over loopback: jobs that run on the local server's clock."""

from __future__ import annotations

import json
from typing import Any

import anyio
import pytest

from openai_async import (
    AsyncClient,
    BadRequestError,
    ConflictError,
    InvalidParameterError,
    NotFoundError,
)
from openai_async.testing import LocalServer
from openai_async.types import FileObject, FineTuningJob

from .openapi import LATEST, assert_request_matches_spec

pytestmark = [
    pytest.mark.anyio,
    pytest.mark.latest_spec("/fine_tuning/jobs replaced /fine-tunes after the 2023 spec"),
]

FINAL = ("succeeded", "failed", "cancelled")
CHAT_EXAMPLE = {
    "messages": [
        {"role": "user", "content": "2+2?"},
        {"role": "assistant", "content": "4"},
    ]
}


async def training_file(client: AsyncClient, examples: int = 4) -> FileObject:
    content = "".join(json.dumps(CHAT_EXAMPLE) + "\n" for _ in range(examples)).encode()
    return await client.files.create(file=("train.jsonl", content), purpose="fine-tune")


async def finished(client: AsyncClient, job: FineTuningJob) -> FineTuningJob:
    with anyio.fail_after(20):
        while job.status not in FINAL:
            await anyio.sleep(0.01)
            job = await client.fine_tuning.jobs.retrieve(job.id)
    return job


async def test_create_sends_every_parameter(client: AsyncClient, server: LocalServer) -> None:
    """create sends the latest spec's parameters as given, and parses the job."""
    train = await training_file(client)
    valid = await training_file(client, 2)
    method = {"type": "supervised", "supervised": {"hyperparameters": {"n_epochs": 2}}}
    integration = {"type": "wandb", "wandb": {"project": "tuning", "tags": ["a"]}}
    job = await client.fine_tuning.jobs.create(
        model="gpt-4o-mini",
        training_file=train.id,
        validation_file=valid.id,
        suffix="my-model",
        seed=7,
        method=method,
        integrations=[integration],
        metadata={"team": "search"},
    )
    sent = server.requests[-1]
    assert (sent.method, sent.path) == ("POST", "/v1/fine_tuning/jobs")
    assert sent.json() == {
        "model": "gpt-4o-mini",
        "training_file": train.id,
        "validation_file": valid.id,
        "suffix": "my-model",
        "seed": 7,
        "method": method,
        "integrations": [integration],
        "metadata": {"team": "search"},
    }
    assert_request_matches_spec(sent, spec=LATEST)
    assert isinstance(job, FineTuningJob)
    assert (job.object, job.status, job.seed) == ("fine_tuning.job", "validating_files", 7)
    assert (job.training_file, job.validation_file) == (train.id, valid.id)
    assert job.method is not None
    assert job.method.type == "supervised"
    assert job.method.supervised is not None
    hyperparameters = job.method.supervised.hyperparameters
    assert hyperparameters is not None
    assert (hyperparameters.n_epochs, hyperparameters.batch_size) == (2, 1)  # "auto" chosen
    assert job.integrations is not None
    assert job.integrations[0].wandb is not None
    assert job.integrations[0].wandb.project == "tuning"
    assert job.metadata == {"team": "search"}


async def test_job_runs_to_its_end(client: AsyncClient, server: LocalServer) -> None:
    """A job goes through its states, emits events and checkpoints, and leaves a model."""
    train = await training_file(client)
    job = await client.fine_tuning.jobs.create(
        model="gpt-4o-mini", training_file=train.id, suffix="mine"
    )
    seen = {job.status}
    with anyio.fail_after(20):
        while job.status not in FINAL:
            job = await client.fine_tuning.jobs.retrieve(job.id)
            seen.add(job.status)
    assert job.status == "succeeded"
    assert {"validating_files", "succeeded"} <= seen
    assert job.fine_tuned_model is not None
    assert job.fine_tuned_model.startswith("ft:gpt-4o-mini:local:mine:")
    assert job.finished_at is not None
    assert job.trained_tokens
    assert (await client.models.retrieve(job.fine_tuned_model)).id == job.fine_tuned_model
    (results_id,) = job.result_files
    assert (await client.files.content(results_id)).startswith(b"step,train_loss\n")
    events = [e async for e in client.fine_tuning.jobs.list_events(job.id)]
    messages = [e.message for e in events]
    assert messages[0] == "The job has successfully completed"  # newest first
    assert messages[-1] == f"Validating training file: {train.id}"
    assert "Fine-tuning job started" in messages
    metrics = [e for e in events if e.type == "metrics"]
    assert len(metrics) == 9  # 3 epochs ("auto") of 3 steps
    assert metrics[0].data["step"] == 9
    checkpoints = await client.fine_tuning.jobs.checkpoints.list(job.id)
    assert [c.step_number for c in checkpoints] == [9, 6, 3]
    assert checkpoints[0].metrics.train_loss == 0.2
    assert checkpoints[0].fine_tuning_job_id == job.id
    for request in server.requests:
        assert_request_matches_spec(request, spec=LATEST)


async def test_dpo_method(client: AsyncClient, server: LocalServer) -> None:
    """A dpo job reports its method with beta, "auto" values replaced by the chosen ones."""
    train = await training_file(client)
    method: dict[str, Any] = {"type": "dpo", "dpo": {"hyperparameters": {"beta": "auto"}}}
    job = await client.fine_tuning.jobs.create(
        model="gpt-4o-mini", training_file=train.id, method=method
    )
    assert_request_matches_spec(server.requests[-1], spec=LATEST)
    assert job.method is not None
    assert job.method.dpo is not None
    assert job.method.dpo.hyperparameters is not None
    assert job.method.dpo.hyperparameters.beta == 0.1


async def test_pause_and_resume(client: AsyncClient, server: LocalServer) -> None:
    """A paused job stops moving until resumed; pausing what is not running is a 409."""
    server.configure_fine_tuning(step_seconds=0.05)
    train = await training_file(client)
    job = await client.fine_tuning.jobs.create(model="gpt-4o-mini", training_file=train.id)
    with pytest.raises(ConflictError):
        await client.fine_tuning.jobs.pause(job.id)  # still validating
    with anyio.fail_after(10):
        while job.status != "running":
            await anyio.sleep(0.01)
            job = await client.fine_tuning.jobs.retrieve(job.id)
    paused = await client.fine_tuning.jobs.pause(job.id)
    assert server.requests[-1].path == f"/v1/fine_tuning/jobs/{job.id}/pause"
    assert paused.status == "paused"
    before = len((await client.fine_tuning.jobs.list_events(job.id, limit=100)).data)
    await anyio.sleep(0.3)  # six steps' time
    still = await client.fine_tuning.jobs.retrieve(job.id)
    assert still.status == "paused"
    assert len((await client.fine_tuning.jobs.list_events(job.id, limit=100)).data) == before
    resumed = await client.fine_tuning.jobs.resume(job.id)
    assert resumed.status == "running"
    with pytest.raises(ConflictError):
        await client.fine_tuning.jobs.resume(job.id)
    assert (await finished(client, resumed)).status == "succeeded"
    for request in server.requests:
        assert_request_matches_spec(request, spec=LATEST)


async def test_cancel(client: AsyncClient, server: LocalServer) -> None:
    """cancel stops a job for good; cancelling it again is a 409."""
    server.configure_fine_tuning(step_seconds=10)
    train = await training_file(client)
    job = await client.fine_tuning.jobs.create(model="gpt-4o-mini", training_file=train.id)
    cancelled = await client.fine_tuning.jobs.cancel(job.id)
    assert_request_matches_spec(server.requests[-1], spec=LATEST)
    assert cancelled.status == "cancelled"
    assert cancelled.fine_tuned_model is None
    with pytest.raises(ConflictError):
        await client.fine_tuning.jobs.cancel(job.id)
    with pytest.raises(NotFoundError):
        await client.fine_tuning.jobs.retrieve("ftjob-nope")


async def test_bad_training_file_fails_the_job(client: AsyncClient, server: LocalServer) -> None:
    """A training file that is not JSON Lines makes the job fail, with an error naming it."""
    bad = await client.files.create(file=("train.jsonl", b"not json\n"), purpose="fine-tune")
    job = await finished(
        client,
        await client.fine_tuning.jobs.create(model="gpt-4o-mini", training_file=bad.id),
    )
    assert job.status == "failed"
    assert job.error is not None
    assert (job.error.code, job.error.param) == ("invalid_training_file", "training_file")
    events = await client.fine_tuning.jobs.list_events(job.id)
    assert events[0].level == "error"


async def test_list_pages_and_filters(client: AsyncClient, server: LocalServer) -> None:
    """jobs.list pages newest first by cursor, and filters by metadata[key]=value."""
    server.configure_fine_tuning(step_seconds=60)  # the jobs stand still meanwhile
    train = await training_file(client)
    jobs = [
        await client.fine_tuning.jobs.create(
            model="gpt-4o-mini", training_file=train.id, metadata={"team": team}
        )
        for team in ("a", "b", "a")
    ]
    ids = [job.id for job in reversed(jobs)]
    assert [j.id async for j in client.fine_tuning.jobs.list(limit=1)] == ids
    assert server.requests[-1].query == {"limit": "1", "after": ids[1]}
    page = await client.fine_tuning.jobs.list(metadata={"team": "a"})
    assert server.requests[-1].query == {"metadata[team]": "a"}
    assert [j.id for j in page] == [ids[0], ids[2]]
    assert page.extra["has_more"] is False
    events = [e.id async for e in client.fine_tuning.jobs.list_events(ids[0], limit=1)]
    assert events == [e.id for e in await client.fine_tuning.jobs.list_events(ids[0])]
    for request in server.requests:
        assert_request_matches_spec(request, spec=LATEST)


@pytest.mark.parametrize(
    ("params", "name"),
    [
        ({"training_file": ""}, "training_file"),
        ({"suffix": "x" * 65}, "suffix"),
        ({"seed": -1}, "seed"),
        ({"hyperparameters": {"n_epochs": 51}}, "hyperparameters.n_epochs"),
        ({"method": {"type": "unsupervised"}}, "method.type"),
        ({"method": {"type": "dpo", "dpo": {"hyperparameters": {"beta": 3}}}}, "beta"),
        (
            {
                "method": {
                    "type": "supervised",
                    "supervised": {"hyperparameters": {"batch_size": 0}},
                }
            },
            "batch_size",
        ),
        ({"method": {"type": "reinforcement", "reinforcement": {}}}, "grader"),
        ({"integrations": [{"type": "wandb", "wandb": {}}]}, "project"),
        ({"metadata": {"k": 1}}, "metadata"),
    ],
)
async def test_create_checks_before_sending(
    client: AsyncClient, server: LocalServer, params: dict[str, Any], name: str
) -> None:
    """Bad arguments raise InvalidParameterError naming the parameter; nothing is sent."""
    given: dict[str, Any] = {"model": "gpt-4o-mini", "training_file": "file-1", **params}
    with pytest.raises(InvalidParameterError, match=name):
        await client.fine_tuning.jobs.create(**given)
    with pytest.raises(InvalidParameterError, match="fine_tuning_job_id"):
        await client.fine_tuning.jobs.retrieve("")
    with pytest.raises(InvalidParameterError, match="limit"):
        client.fine_tuning.jobs.list_events("ftjob-1", limit=0)
    assert server.requests == []


async def test_server_refuses_unknown_or_wrong_files(
    client: AsyncClient, server: LocalServer
) -> None:
    """An unknown training file is a 404; one uploaded for another purpose, a 400."""
    with pytest.raises(NotFoundError):
        await client.fine_tuning.jobs.create(model="gpt-4o-mini", training_file="file-nope")
    batch_file = await client.files.create(file=("in.jsonl", b"{}\n"), purpose="batch")
    with pytest.raises(BadRequestError, match="purpose 'fine-tune'"):
        await client.fine_tuning.jobs.create(model="gpt-4o-mini", training_file=batch_file.id)
