"""``openai-async batch run requests.jsonl --out results.jsonl``: a Batch API input file.

Run live by default; ``--backend batch_api`` hands it to the provider's Batch API (the
output file then also records the batches made, so that a second run polls them again).

Each input line is a Batch API request (``{"custom_id", "method", "url", "body"}``).
The output file is the job's checkpoint: one JSON line per finished request
(``{"id", "ok", "attempts", "response" | "error", "usage", "digest"}``), appended as
results arrive, and one ``{"idempotency_salt"}`` line, from which each request's
``Idempotency-Key`` derives (the same when it is sent again after a crash); the same
command run again skips the ids already there, so a run cut short by Ctrl-C, a crash
or a lost connection resumes where it stopped.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .._client import AsyncClient
from .._exceptions import InvalidParameterError
from .._progress import BatchProgress
from ..jobs import BatchRequest
from ._output import EXIT, Output

__all__ = ["add_batch_arguments", "run_batch"]


def add_batch_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("input", help="a Batch API input file (JSON Lines)")
    parser.add_argument("--out", required=True, help="results (JSON Lines; also the checkpoint)")
    parser.add_argument("--rpm", type=float, help="requests per minute at most")
    parser.add_argument("--tpm", type=float, help="tokens per minute at most")
    parser.add_argument("--concurrency", type=int, default=32, help="requests in flight (32)")
    parser.add_argument(
        "--backend",
        choices=("live", "batch_api"),
        default="live",
        help="live requests (default), or the provider's Batch API (cheaper, within a day)",
    )
    parser.add_argument(
        "--retry-failed", action="store_true", help="run again the items that failed last time"
    )
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")


def count_lines(path: Path) -> int:
    """Check every line parses before anything is sent; the number of requests."""
    count = 0
    with path.open("rb") as f:
        for number, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                BatchRequest.from_batch_line(line)
            except InvalidParameterError as exc:
                raise InvalidParameterError(
                    "input", f"{path} line {number}: {exc.args[-1] if exc.args else exc}"
                ) from None
            count += 1
    return count


def read_requests(path: Path) -> Iterator[BatchRequest]:
    """The file's requests, read a line at a time (memory stays flat for any size)."""
    with path.open("rb") as f:
        for line in f:
            if line.strip():
                yield BatchRequest.from_batch_line(line)


class Bar:
    """A progress bar on stderr: tqdm's when installed, else one line redrawn in place."""

    def __init__(self, total: int, enabled: bool) -> None:
        self.total = total
        self.enabled = enabled and sys.stderr.isatty()
        self._tqdm: Any = None
        if self.enabled:
            try:
                tqdm = importlib.import_module("tqdm").tqdm
            except ImportError:
                pass
            else:
                self._tqdm = tqdm(total=total, unit="req", desc="batch", file=sys.stderr)

    def __call__(self, progress: BatchProgress) -> None:
        if not self.enabled:
            return
        done = progress.done + progress.skipped
        if self._tqdm is not None:
            self._tqdm.update(done - self._tqdm.n)
            self._tqdm.set_postfix(failed=progress.failed, refresh=False)
            return
        width = 30
        filled = width * done // max(self.total, 1)
        sys.stderr.write(
            f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{self.total}"
            f" ({progress.failed} failed) {progress.rate:.0f} req/s"
        )
        sys.stderr.flush()

    def close(self) -> None:
        if self._tqdm is not None:
            self._tqdm.close()
        elif self.enabled:
            sys.stderr.write("\n")


async def run_batch(client: AsyncClient, args: argparse.Namespace, out: Output) -> int:
    path = Path(args.input)
    total = count_lines(path)
    bar = Bar(total, enabled=not args.no_progress and not out.json_lines)
    try:
        job = client.batch(
            read_requests(path),
            max_concurrency=args.concurrency,
            requests_per_minute=args.rpm,
            tokens_per_minute=args.tpm,
            checkpoint=args.out,
            retry_failed=args.retry_failed,
            progress=bar,
            backend=args.backend,
        )
        async with job:
            async for _ in job:
                pass
    finally:
        bar.close()
    summary = job.summary
    if out.json_lines:
        out.data({"input": str(path), "out": args.out, **_summary_dict(summary)})
    else:
        out.line(
            f"{summary.succeeded} succeeded, {summary.failed} failed, {summary.skipped} skipped"
            f" (done before) in {summary.elapsed:.1f} s -> {args.out}"
        )
    return EXIT["failed"] if summary.failed else EXIT["ok"]


def _summary_dict(summary: Any) -> dict[str, Any]:
    names = ("succeeded", "failed", "skipped", "total_tokens", "elapsed")
    return {name: getattr(summary, name) for name in names}
