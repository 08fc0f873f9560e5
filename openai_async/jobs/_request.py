"""The request of a batch job and its options, checked before anything runs."""

from __future__ import annotations

import json
import math
import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal, TypedDict, TypeGuard
from urllib.parse import urlsplit

import attrs

from .._exceptions import InvalidParameterError, excerpt, shown
from .._messages import message_json
from .._progress import ProgressCallback
from .._tokens import TokenCounter, approximate_tokens

if TYPE_CHECKING:
    from ._limiter import Limiter

__all__ = ["BatchOptions", "BatchRequest", "JobSettings"]


def _id_str(value: str | int | None) -> str | None:
    return None if value is None else str(value)


@attrs.frozen(kw_only=True)
class BatchRequest:
    """One request of a batch job: any endpoint, by path.

    ``id`` is yours (it keys the checkpoint) and is kept as a str, so ``101`` and
    ``"101"`` are the same id and results carry ``"101"``; without one, the item's
    position in the input is its id. An id an earlier item has already is refused:
    that item gets an ``InvalidParameterError`` result and is not sent. ``cast_to``
    picks the response model; by default the response of a known endpoint is parsed
    into its model and anything else is left as JSON.
    """

    path: str = attrs.field(validator=lambda _, __, value: _check_path(value))
    body: Mapping[str, Any] | None = None
    method: str = "POST"
    id: str | None = attrs.field(default=None, converter=_id_str)
    cast_to: type[Any] | None = None

    @classmethod
    def chat(cls, *, id: str | int | None = None, **params: Any) -> BatchRequest:
        """A ``POST /chat/completions`` item with these body parameters.

        ``messages`` may hold response models, as in ``chat.completions.create``.
        """
        messages = params.get("messages")
        if isinstance(messages, list | tuple):
            params["messages"] = [message_json(m) for m in messages]
        return cls(path="chat/completions", body=params, id=id)

    @classmethod
    def completion(cls, *, id: str | int | None = None, **params: Any) -> BatchRequest:
        """A ``POST /completions`` item."""
        return cls(path="completions", body=params, id=id)

    @classmethod
    def embedding(cls, *, id: str | int | None = None, **params: Any) -> BatchRequest:
        """A ``POST /embeddings`` item."""
        return cls(path="embeddings", body=params, id=id)

    @classmethod
    def moderation(cls, *, id: str | int | None = None, **params: Any) -> BatchRequest:
        """A ``POST /moderations`` item."""
        return cls(path="moderations", body=params, id=id)

    @classmethod
    def from_batch_line(cls, line: str | bytes | Mapping[str, Any]) -> BatchRequest:
        """An item from a line of OpenAI's Batch API input file, as text or parsed.

        (``{"custom_id", "method", "url": "/v1/...", "body"}``), so such a file can run
        here unchanged: ``[BatchRequest.from_batch_line(line) for line in file]``.
        """
        if isinstance(line, str | bytes):
            try:
                line = json.loads(line)
            except ValueError as exc:
                raise InvalidParameterError("line", f"not a JSON line: {exc}") from None
        if not isinstance(line, Mapping) or "url" not in line:
            raise InvalidParameterError("line", "expected an object with a 'url'")
        url = line["url"]
        if not isinstance(url, str) or not url.startswith("/v1/"):
            # As the Batch API itself: a path under /v1/, never another host, which
            # would be sent this client's key.
            raise InvalidParameterError(
                "url", f"must be an API path starting with /v1/, got {excerpt(url, 80)!r}"
            )
        return cls(
            path=url.removeprefix("/v1/"),
            body=line.get("body"),
            method=str(line.get("method", "POST")),
            id=line.get("custom_id"),
        )


def _check_path(path: object) -> None:
    """A batch item's path is relative to the base URL: it cannot name another host."""
    if not isinstance(path, str) or not path:
        raise InvalidParameterError("path", "expected a path relative to the base URL")
    parts = urlsplit(path)
    segments = parts.path.split("/")
    if parts.scheme or parts.netloc or ".." in segments:
        raise InvalidParameterError(
            "path",
            f"must be a path relative to the base URL (like 'chat/completions'), "
            f"got {excerpt(path, 80)!r}: the request would carry the key elsewhere",
        )


class BatchOptions(TypedDict, total=False):
    """The keyword options of ``BatchJob`` (and ``AsyncClient.batch``)."""

    max_concurrency: int
    requests_per_minute: float | None
    tokens_per_minute: float | None
    period: float
    limiter: Limiter | None
    checkpoint: str | os.PathLike[str] | None
    retry_failed: bool
    ordered: bool
    progress: bool | ProgressCallback
    token_counter: TokenCounter
    backend: Literal["live", "batch_api", "auto"]
    deadline: float | None
    batch_rerun: Literal["live", "batch", "none"]
    batch_size: int
    poll_interval: float


def _is_number(value: object) -> TypeGuard[float]:
    return isinstance(value, int | float) and not isinstance(value, bool)


@attrs.frozen(kw_only=True)
class JobSettings:
    """A job's options, checked: every bad one is an ``InvalidParameterError`` naming it."""

    max_concurrency: int = 16
    requests_per_minute: float | None = None
    tokens_per_minute: float | None = None
    period: float = 60.0
    limiter: Limiter | None = None
    checkpoint: str | os.PathLike[str] | None = None
    retry_failed: bool = False
    ordered: bool = False
    progress: bool | ProgressCallback = False
    token_counter: TokenCounter = approximate_tokens
    backend: Literal["live", "batch_api", "auto"] = "live"
    deadline: float | None = None
    batch_rerun: Literal["live", "batch", "none"] = "live"
    batch_size: int = 50_000
    poll_interval: float = 1.0

    def __attrs_post_init__(self) -> None:
        self._check_limits()
        if self.backend not in ("live", "batch_api", "auto"):
            raise InvalidParameterError("backend", "must be 'live', 'batch_api' or 'auto'")
        if self.batch_rerun not in ("live", "batch", "none"):
            raise InvalidParameterError("batch_rerun", "must be 'live', 'batch' or 'none'")
        size = self.batch_size
        if isinstance(size, bool) or not isinstance(size, int) or not 1 <= size <= 50_000:
            raise InvalidParameterError("batch_size", "must be an int from 1 to 50,000")
        for name in ("deadline", "poll_interval"):
            value = getattr(self, name)
            if value is not None and not (_is_number(value) and 0 < value < math.inf):
                raise InvalidParameterError(name, f"must be positive seconds, got {shown(value)}")
        if self.backend == "auto" and (self.deadline is None or self.tokens_per_minute is None):
            raise InvalidParameterError(
                "deadline", "backend='auto' needs a deadline and tokens_per_minute to weigh"
            )

    def _check_limits(self) -> None:
        concurrency = self.max_concurrency
        if isinstance(concurrency, bool) or not isinstance(concurrency, int) or concurrency < 1:
            raise InvalidParameterError("max_concurrency", "must be an int >= 1")
        for name in ("requests_per_minute", "tokens_per_minute"):
            limit = getattr(self, name)
            if limit is not None and not (_is_number(limit) and 2 <= limit < math.inf):
                raise InvalidParameterError(
                    name, f"must be a number >= 2 or None, got {shown(limit)}"
                )
            if limit is not None and self.limiter is not None:
                raise InvalidParameterError(
                    name, "give the limits to the limiter, not to the job, when you pass one"
                )
        if not (_is_number(self.period) and 0 < self.period < math.inf):
            raise InvalidParameterError(
                "period", f"must be positive seconds, got {shown(self.period)}"
            )
        if self.limiter is not None and not (
            callable(getattr(self.limiter, "acquire", None))
            and callable(getattr(self.limiter, "settle", None))
        ):
            raise InvalidParameterError("limiter", "expected a Limiter (acquire and settle)")
