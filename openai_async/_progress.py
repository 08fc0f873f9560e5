"""Progress of a batch job: a tqdm bar in a terminal, log lines elsewhere, or your callback."""

from __future__ import annotations

import importlib
import logging
import sys
import time
from collections.abc import Callable
from typing import Any, Protocol

import attrs

__all__ = ["BatchProgress", "ProgressCallback", "make_progress"]

logger = logging.getLogger("openai_async.batch")

LOG_EVERY = 5.0  # seconds between progress log lines


@attrs.frozen(kw_only=True)
class BatchProgress:
    """A snapshot of a job: items done (failed included), skipped, and the total if known."""

    done: int
    failed: int
    skipped: int
    total: int | None
    elapsed: float

    @property
    def rate(self) -> float:
        """Items finished per second so far."""
        return self.done / self.elapsed if self.elapsed > 0 else 0.0

    def __str__(self) -> str:
        total = "?" if self.total is None else str(self.total)
        text = (
            f"{self.done + self.skipped}/{total} items "
            f"({self.failed} failed, {self.skipped} skipped) "
            f"{self.rate:.1f}/s, {self.elapsed:.0f}s elapsed"
        )
        if self.total is not None and self.rate > 0:
            left = self.total - self.done - self.skipped
            text += f", ~{left / self.rate:.0f}s left"
        return text


ProgressCallback = Callable[[BatchProgress], None]


class _Reporter(Protocol):
    def update(self, progress: BatchProgress) -> None: ...
    def close(self) -> None: ...


class _Silent:
    def update(self, progress: BatchProgress) -> None:
        pass

    def close(self) -> None:
        pass


@attrs.define
class _Callback:
    callback: ProgressCallback

    def update(self, progress: BatchProgress) -> None:
        try:
            self.callback(progress)
        except Exception:  # a bug in a progress display must not end a long job
            logger.exception("batch progress callback %r failed; the job goes on", self.callback)

    def close(self) -> None:
        pass


@attrs.define
class _LogLines:
    """One INFO line every few seconds and a last one at the end: readable in any log."""

    last: BatchProgress | None = None
    logged_at: float = 0.0

    def update(self, progress: BatchProgress) -> None:
        self.last = progress
        now = time.monotonic()
        if now - self.logged_at >= LOG_EVERY:
            self.logged_at = now
            logger.info("batch progress: %s", progress)

    def close(self) -> None:
        if self.last is not None:
            logger.info("batch finished: %s", self.last)


@attrs.define
class _Bar:
    bar: Any

    def update(self, progress: BatchProgress) -> None:
        self.bar.n = progress.done + progress.skipped
        self.bar.set_postfix(failed=progress.failed, refresh=False)
        self.bar.refresh()

    def close(self) -> None:
        self.bar.close()


def make_progress(progress: bool | ProgressCallback, total: int | None) -> _Reporter:
    """The reporter for a job's ``progress`` argument."""
    if progress is False:
        return _Silent()
    if callable(progress):
        return _Callback(progress)
    if sys.stderr.isatty():
        try:  # optional extra: openai_async[progress]
            tqdm = importlib.import_module("tqdm.auto").tqdm
        except ImportError:
            pass
        else:
            return _Bar(tqdm(total=total, unit="item", desc="batch"))
    return _LogLines()
