"""An upload-in-parts program written for the official ``AsyncOpenAI`` runs here but for its import.

Two ways the SDK offers: the Uploads API by hand (create, add parts, complete with their
ids in order) and ``upload_file_chunked``. Only the import line differs.
"""

# The program opens files as its users do, blocking calls in async code included.
# ruff: noqa: ASYNC230, ASYNC240

from __future__ import annotations

import os
from pathlib import Path

import pytest

from openai_async import AsyncOpenAI
from openai_async.testing import LocalServer

pytestmark = [
    pytest.mark.anyio,
    pytest.mark.latest_spec("/uploads came after the 2023 spec"),
]

PART_SIZE = 64 * 1024


async def upload_program(path: Path) -> tuple[str, str, bytes]:
    """The program: every line of it as written for ``openai.AsyncOpenAI``."""
    client = AsyncOpenAI()
    size = os.path.getsize(path)
    upload = await client.uploads.create(
        purpose="fine-tune", filename=path.name, bytes=size, mime_type="text/jsonl"
    )
    part_ids = []
    with open(path, "rb") as f:
        while chunk := f.read(PART_SIZE):
            part = await client.uploads.parts.create(upload_id=upload.id, data=chunk)
            part_ids.append(part.id)
    completed = await client.uploads.complete(upload_id=upload.id, part_ids=part_ids)
    assert completed.file is not None

    chunked = await client.uploads.upload_file_chunked(
        file=path, mime_type="text/jsonl", purpose="fine-tune", part_size=PART_SIZE
    )
    assert chunked.file is not None
    content = await client.files.content(chunked.file.id)
    await client.close()
    return completed.status, chunked.status, content.read()


async def test_upload_program_runs_unchanged(
    server: LocalServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both programs make a file holding exactly the bytes on disk."""
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    monkeypatch.setenv("OPENAI_BASE_URL", server.url)
    path = tmp_path / "training.jsonl"
    data = b"".join(b'{"prompt": "%d", "completion": "x"}\n' % i for i in range(10_000))
    path.write_bytes(data)
    by_hand, chunked, content = await upload_program(path)
    assert (by_hand, chunked) == ("completed", "completed")
    assert content == data
    assert sum(r.path.endswith("/parts") for r in server.requests) == 2 * -(-len(data) // PART_SIZE)
