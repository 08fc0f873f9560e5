"""Run by ``tests/test_large_files.py`` in a process of its own: upload a large file and
download it again, and report the process's peak memory (``VmHWM``, see ``peak_mib``) as JSON.

    python tests/rss_client.py BASE_URL FILE MODE

MODE ``path`` passes the path (the upload streams from disk) and then streams the
download to a file; MODE ``bytes`` only uploads, after reading the file into memory
the way a client that does not stream would, so the test can show that the
measurement sees it.
Only the client runs here: the server's buffers are in another process.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import resource
import sys
from pathlib import Path

import anyio

from openai_async import AsyncClient


def peak_mib() -> float:
    """This process's peak resident memory, in MiB.

    Linux keeps ``ru_maxrss`` across ``exec``, so a process started by a big parent
    (pytest) inherits the parent's peak; ``VmHWM`` in /proc belongs to this process's
    own address space. Elsewhere ``ru_maxrss`` is the best there is (KiB on Linux,
    bytes on macOS).
    """
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return peak / (1 << 20) if sys.platform == "darwin" else peak / 1024
    kib = next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM:"))
    return int(kib) / 1024


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


async def main(base_url: str, file: Path, mode: str) -> dict[str, object]:
    async with AsyncClient(base_url=base_url, api_key="", max_retries=0) as client:
        await client.models.list()  # imports, the pool and one request are in the baseline
        baseline = peak_mib()
        if mode == "path":
            uploaded = await client.files.create(file=file, purpose="fine-tune")
        else:
            data = await anyio.Path(file).read_bytes()
            uploaded = await client.files.create(file=data, purpose="fine-tune")
        after_upload = peak_mib()
        result: dict[str, object] = {
            "baseline_mib": baseline,
            "upload_growth_mib": after_upload - baseline,
            "uploaded_bytes": uploaded.bytes,
        }
        if mode == "path":
            copy = file.with_name("downloaded.bin")
            result["written_bytes"] = await client.files.download(uploaded.id, copy)
            result["download_growth_mib"] = peak_mib() - baseline
            result["same_content"] = sha256_of(copy) == sha256_of(file)
            copy.unlink()
    return result


if __name__ == "__main__":
    url, path, how = sys.argv[1], Path(sys.argv[2]), sys.argv[3]
    print(json.dumps(asyncio.run(main(url, path, how))))
