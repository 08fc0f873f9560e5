"""Batch items name a path under the base URL: none can send the key to another host."""

from __future__ import annotations

import json

import pytest

from openai_async import AsyncClient, BatchRequest, InvalidParameterError
from openai_async.testing import LocalServer

ELSEWHERE = [
    "https://attacker.example/v1/chat/completions",
    "http://127.0.0.1:9/v1/models",
    "//attacker.example/v1/models",
    "/v1/../../attacker",
    "/v2/chat/completions",
    "v1/chat/completions",
]


@pytest.mark.parametrize("url", ELSEWHERE)
def test_batch_lines_must_name_a_v1_path(url: str) -> None:
    """As the Batch API accepts only /v1/ paths, a line naming anything else is refused."""
    line = {"custom_id": "a", "method": "POST", "url": url, "body": {}}
    with pytest.raises(InvalidParameterError) as info:
        BatchRequest.from_batch_line(json.dumps(line))
    assert info.value.param in ("url", "path")


@pytest.mark.parametrize(
    "path",
    ["https://attacker.example/x", "//attacker.example/x", "../x", "chat/../../x", ""],
)
def test_items_cannot_leave_the_base_url(path: str) -> None:
    """However an item is made, a path that leaves the base URL is refused by name."""
    with pytest.raises(InvalidParameterError) as info:
        BatchRequest(path=path)
    assert info.value.param == "path"


@pytest.mark.anyio
async def test_a_v1_line_runs_against_the_base_url(
    client: AsyncClient, server: LocalServer
) -> None:
    """The accepted form, /v1/..., runs under the client's base URL (its /v1 once)."""
    line = {"custom_id": "ok", "method": "GET", "url": "/v1/models/whisper-1"}
    item = BatchRequest.from_batch_line(line)
    assert item.path == "models/whisper-1"
    async with client.batch([item]) as job:
        (result,) = await job.collect()
    assert result.ok
    assert [request.path for request in server.requests] == ["/v1/models/whisper-1"]
