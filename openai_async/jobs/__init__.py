"""Batch jobs: many requests under concurrency and rate limits, none ever lost.

The modules, by concept: the request and its options (``_request``), the running job
(``_run``), each item's attempts (``_send``) and its idempotency key (``_keys``),
results, their tally and input order (``_records``), checkpoint lines
(``_checkpoint``), what the server's answers teach of its limits (``_learn``), and
the limiters: one job's own (``_limiter``) and one budget shared by many workers
through Redis (``_redis``); the provider's Batch API as a backend (``_batch_api``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._learn import Answer, Reservation
from ._limiter import Limiter, LocalLimiter
from ._records import BatchResult, BatchSummary
from ._request import BatchOptions, BatchRequest
from ._run import BatchJob

if TYPE_CHECKING:
    from ._redis import RedisLimiter

__all__ = [
    "Answer",
    "BatchJob",
    "BatchOptions",
    "BatchRequest",
    "BatchResult",
    "BatchSummary",
    "Limiter",
    "LocalLimiter",
    "RedisLimiter",
    "Reservation",
]


def __getattr__(name: str) -> Any:
    if name == "RedisLimiter":  # imported on use: it needs the optional ``redis`` extra
        from ._redis import RedisLimiter

        return RedisLimiter
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
