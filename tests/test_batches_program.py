"""A Batch API program written for the official ``AsyncOpenAI`` runs here but for its import.

The program below is the Batch API guide's flow as an ``AsyncOpenAI`` user writes it:
write the requests to a JSON Lines file, upload it with ``purpose="batch"``, create
the batch, poll it, and read the output file. Only the import line differs.
"""

# The program opens files as its users do, blocking calls in async code included.
# ruff: noqa: ASYNC230

from __future__ import annotations

import json
import os
from pathlib import Path

import anyio
import pytest

from openai_async import AsyncOpenAI
from openai_async.testing import LocalServer

pytestmark = [
    pytest.mark.anyio,
    pytest.mark.latest_spec("the Batch API came after 2023"),
]


async def batch_program(workdir: Path) -> list[str]:
    """The program: every line of it as written for ``openai.AsyncOpenAI``."""
    client = AsyncOpenAI()  # OPENAI_API_KEY and OPENAI_BASE_URL from the environment
    tasks = []
    for index, question in enumerate(["What is 2+2?", "Name a colour."]):
        tasks.append(
            {
                "custom_id": f"task-{index}",
                "method": "POST",
                "url": "/v1/chat/completions",
                "body": {
                    "model": "gpt-4o-mini",
                    "messages": [{"role": "user", "content": question}],
                },
            }
        )
    input_path = workdir / "batch_tasks.jsonl"
    with open(input_path, "w") as file:
        for task in tasks:
            file.write(json.dumps(task) + "\n")

    with open(input_path, "rb") as file:
        batch_file = await client.files.create(file=file, purpose="batch")
    batch_job = await client.batches.create(
        input_file_id=batch_file.id,
        endpoint="/v1/chat/completions",
        completion_window="24h",
        metadata={"description": "nightly eval job"},
    )
    while batch_job.status not in ("completed", "failed", "expired", "cancelled"):
        await anyio.sleep(0.05)
        batch_job = await client.batches.retrieve(batch_job.id)
    assert batch_job.output_file_id is not None

    result = (await client.files.content(batch_job.output_file_id)).content
    result_path = workdir / "batch_job_results.jsonl"
    with open(result_path, "wb") as file:
        file.write(result)

    answers = []
    with open(result_path) as file:
        for line in file:
            item = json.loads(line.strip())
            answers.append(item["response"]["body"]["choices"][0]["message"]["content"])
    batches = [b.id async for b in client.batches.list(limit=10)]
    assert batch_job.id in batches
    await client.close()
    return answers


async def test_batch_program_runs_unchanged(
    server: LocalServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The Batch API guide's program gets the answers of its two requests."""
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    monkeypatch.setenv("OPENAI_BASE_URL", server.url)
    answers = await batch_program(tmp_path)
    assert answers == ["You said: What is 2+2?", "You said: Name a colour."]
    assert sorted(os.listdir(tmp_path)) == ["batch_job_results.jsonl", "batch_tasks.jsonl"]
