"""Wall time of a large Batch API batch through the local server: upload, run, download.

    python benchmarks/batch_api.py [--items 100000]

The local server runs in this process's background thread (as tests use it), with
its per-batch limit raised to ``--items``. Reported: the seconds from create to
completed, the size of the output file, and whether every custom_id came back.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time

from openai_async import AsyncClient
from openai_async.testing import LocalServer


def _line(i: int) -> bytes:
    body = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": f"item {i}"}]}
    line = {"custom_id": str(i), "method": "POST", "url": "/v1/chat/completions", "body": body}
    return json.dumps(line).encode() + b"\n"


async def run(items: int) -> dict[str, object]:
    with LocalServer(record=False) as server:
        server.configure_batches(max_requests=items)
        async with AsyncClient(base_url=server.url, api_key="") as client:
            content = b"".join(_line(i) for i in range(items))
            started = time.perf_counter()
            batch_file = await client.files.create(file=("in.jsonl", content), purpose="batch")
            batch = await client.batches.create(
                input_file_id=batch_file.id,
                endpoint="/v1/chat/completions",
                completion_window="24h",
            )
            created = time.perf_counter()
            while batch.status not in ("completed", "failed", "expired", "cancelled"):
                await asyncio.sleep(0.05)
                batch = await client.batches.retrieve(batch.id)
            ran = time.perf_counter()
            assert batch.output_file_id is not None, batch
            output = await client.files.content(batch.output_file_id)
            done = time.perf_counter()
    ids = {json.loads(line)["custom_id"] for line in output.splitlines()}
    return {
        "items": items,
        "status": batch.status,
        "upload_seconds": round(created - started, 2),
        "run_seconds": round(ran - created, 2),
        "download_seconds": round(done - ran, 2),
        "output_mib": round(len(output) / 2**20, 1),
        "every_item_answered": ids == {str(i) for i in range(items)},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--items", type=int, default=100_000)
    print(json.dumps(asyncio.run(run(parser.parse_args().items))))


if __name__ == "__main__":
    main()
