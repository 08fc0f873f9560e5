"""Models of the ``/batches`` endpoints (the Batch API)."""

from __future__ import annotations

from typing import Any

import attrs

from .._models import APIObject

__all__ = ["Batch", "BatchError", "BatchErrors", "BatchRequestCounts", "BatchUsage"]


@attrs.frozen(kw_only=True, slots=False)
class BatchError(APIObject):
    """Why a batch failed validation: ``code``, ``message``, and the ``line`` at fault."""

    code: str | None = None
    message: str | None = None
    param: str | None = None
    line: int | None = None


@attrs.frozen(kw_only=True, slots=False)
class BatchErrors(APIObject):
    """The ``errors`` of a batch that failed: a list object of ``BatchError``."""

    object: str = "list"
    data: list[BatchError] = attrs.field(factory=list)


@attrs.frozen(kw_only=True, slots=False)
class BatchRequestCounts(APIObject):
    """How many of a batch's requests there are, and how many succeeded or failed."""

    total: int = 0
    completed: int = 0
    failed: int = 0


@attrs.frozen(kw_only=True, slots=False)
class BatchUsage(APIObject):
    """The tokens a batch's requests used, summed (details as the server sent them)."""

    input_tokens: int = 0
    output_tokens: int = 0
    total_tokens: int = 0
    input_tokens_details: dict[str, Any] | None = None
    output_tokens_details: dict[str, Any] | None = None


@attrs.frozen(kw_only=True, slots=False)
class Batch(APIObject):
    """A batch: its input file, its ``status``, and its output and error files once done.

    ``status`` goes ``validating`` → ``in_progress`` → ``finalizing`` → ``completed``,
    or ends ``failed`` (see ``errors``), ``expired`` or (through ``cancelling``)
    ``cancelled``. ``output_file_id`` holds the answers, ``error_file_id`` the
    requests that failed; read them with ``client.files.content`` or ``download``.
    """

    id: str
    object: str = "batch"
    endpoint: str
    input_file_id: str
    completion_window: str
    status: str
    created_at: int
    model: str | None = None
    errors: BatchErrors | None = None
    output_file_id: str | None = None
    error_file_id: str | None = None
    in_progress_at: int | None = None
    expires_at: int | None = None
    finalizing_at: int | None = None
    completed_at: int | None = None
    failed_at: int | None = None
    expired_at: int | None = None
    cancelling_at: int | None = None
    cancelled_at: int | None = None
    request_counts: BatchRequestCounts | None = None
    usage: BatchUsage | None = None
    metadata: dict[str, str] | None = None
