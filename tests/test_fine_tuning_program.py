"""A fine-tuning program written for the official ``AsyncOpenAI`` runs here but for its import.

The program follows the fine-tuning guide: upload the training data, create a job,
follow it to its end, read its events and checkpoints, and use the model it made.
Only the import line differs.
"""

# The program opens files as its users do, blocking calls in async code included.
# ruff: noqa: ASYNC230

from __future__ import annotations

import json
from pathlib import Path

import anyio
import pytest

from openai_async import AsyncOpenAI
from openai_async.testing import LocalServer

pytestmark = [
    pytest.mark.anyio,
    pytest.mark.latest_spec("/fine_tuning/jobs came after the 2023 spec"),
]


async def fine_tuning_program(workdir: Path) -> tuple[str, list[str], str]:
    """The program: every line of it as written for ``openai.AsyncOpenAI``."""
    client = AsyncOpenAI()
    path = workdir / "mydata.jsonl"
    with open(path, "w") as file:
        for question, answer in [("2+2?", "4"), ("3+3?", "6"), ("4+4?", "8")]:
            messages = [
                {"role": "system", "content": "You are a calculator."},
                {"role": "user", "content": question},
                {"role": "assistant", "content": answer},
            ]
            file.write(json.dumps({"messages": messages}) + "\n")

    with open(path, "rb") as file:
        training = await client.files.create(file=file, purpose="fine-tune")
    job = await client.fine_tuning.jobs.create(
        training_file=training.id,
        model="gpt-4o-mini-2024-07-18",
        suffix="calculator",
        method={
            "type": "supervised",
            "supervised": {"hyperparameters": {"n_epochs": 2, "batch_size": "auto"}},
        },
    )
    while job.status not in ("succeeded", "failed", "cancelled"):
        await anyio.sleep(0.02)
        job = await client.fine_tuning.jobs.retrieve(job.id)
    assert job.fine_tuned_model is not None

    events = await client.fine_tuning.jobs.list_events(fine_tuning_job_id=job.id, limit=10)
    messages = [event.message for event in events.data]
    checkpoints = client.fine_tuning.jobs.checkpoints.list(fine_tuning_job_id=job.id)
    async for checkpoint in checkpoints:
        assert checkpoint.fine_tuned_model_checkpoint.startswith(job.fine_tuned_model)
    all_jobs = [j.id async for j in client.fine_tuning.jobs.list(limit=10)]
    assert job.id in all_jobs

    completion = await client.chat.completions.create(
        model=job.fine_tuned_model, messages=[{"role": "user", "content": "5+5?"}]
    )
    await client.close()
    return job.status, messages, completion.choices[0].message.content or ""


async def test_fine_tuning_program_runs_unchanged(
    server: LocalServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The guide's program follows its job to success and chats with the new model."""
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    monkeypatch.setenv("OPENAI_BASE_URL", server.url)
    status, messages, answer = await fine_tuning_program(tmp_path)
    assert status == "succeeded"
    assert messages[0] == "The job has successfully completed"
    assert len(messages) == 10
    assert answer == "You said: 5+5?"
