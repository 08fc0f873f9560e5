"""Peak memory of ``uploads.upload_file_chunked`` sending a large file through the local server.

    python benchmarks/upload_memory.py [--mib 1024] [--part-mib 64] [--parts-in-flight 4]
                                       [--from-bytes]

A file of ``--mib`` MiB is made in a temporary directory under /tmp (sparse, with a
few distinct bytes in every MiB so the md5 means something) and deleted afterwards.
The local server runs in a process of its own, so only the client is measured here:
this process's peak resident memory (``VmHWM``) after imports, the pool and one
request, then after the upload. ``--from-bytes`` reads the file into memory first
and passes the bytes, as a client that does not stream would: the measurement must
see that. Prints one JSON object; ``tests/test_uploads_memory.py`` runs a small case.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from openai_async import AsyncClient

MIB = 1024 * 1024


def peak_mib() -> float:
    """This process's peak resident memory in MiB (``VmHWM``; ``ru_maxrss`` elsewhere)."""
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return peak / MIB if sys.platform == "darwin" else peak / 1024
    kib = next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM:"))
    return int(kib) / 1024


def make_file(path: Path, mib: int) -> None:
    with path.open("wb") as f:
        f.truncate(mib * MIB)
        for i in range(mib):
            f.seek(i * MIB)
            f.write(i.to_bytes(8, "big"))


def start_server() -> tuple[subprocess.Popen[str], str]:
    root = Path(__file__).resolve().parent.parent
    env = {**os.environ, "PYTHONPATH": str(root)}
    process = subprocess.Popen(
        [sys.executable, "-m", "openai_async.testing", "--port", "0"],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    match = re.search(r"http://\S+/v1", line)
    if match is None:
        process.terminate()
        raise SystemExit(f"the server did not start: {line!r}")
    return process, match.group(0)


async def measure(url: str, path: Path, args: argparse.Namespace) -> dict[str, object]:
    async with AsyncClient(base_url=url, api_key="", max_retries=2) as client:
        await client.models.list()  # imports, the pool and a request are in the baseline
        baseline = peak_mib()
        file: Path | bytes = path
        if args.from_bytes:
            file = await asyncio.to_thread(path.read_bytes)
        started = time.perf_counter()
        upload = await client.uploads.upload_file_chunked(
            file=file,
            filename=path.name,
            mime_type="application/octet-stream",
            purpose="assistants",
            part_size=args.part_mib * MIB,
            parts_in_flight=args.parts_in_flight,
        )
        seconds = time.perf_counter() - started
        peak = peak_mib()
    assert upload.file is not None
    return {
        "file_mib": args.mib,
        "part_mib": args.part_mib,
        "parts_in_flight": args.parts_in_flight,
        "from_bytes": args.from_bytes,
        "status": upload.status,
        "uploaded_bytes": upload.file.bytes,
        "seconds": round(seconds, 2),
        "baseline_mib": round(baseline, 1),
        "peak_mib": round(peak, 1),
        "growth_mib": round(peak - baseline, 1),
        "bound_mib": args.part_mib * args.parts_in_flight,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--mib", type=int, default=1024, help="file size in MiB")
    parser.add_argument("--part-mib", type=int, default=64, help="part size in MiB (<= 64)")
    parser.add_argument("--parts-in-flight", type=int, default=4)
    parser.add_argument("--from-bytes", action="store_true", help="pass the file as bytes")
    args = parser.parse_args()
    server, url = start_server()
    try:
        with tempfile.TemporaryDirectory(dir="/tmp", prefix="upload-memory-") as directory:
            path = Path(directory) / "large.bin"
            make_file(path, args.mib)
            result = asyncio.run(measure(url, path, args))
    finally:
        server.terminate()
        server.wait(timeout=10)
        if server.stdout is not None:
            server.stdout.close()
    print(json.dumps(result))


if __name__ == "__main__":
    main()
