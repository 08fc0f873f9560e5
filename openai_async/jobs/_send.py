"""One item's attempts, every one of them through the job's limiter.

The job sends with a variant of your client that does not retry
(``with_options(max_retries=0)``) and runs the retries itself, under your client's
``RetryPolicy`` (what is retried, how often, the backoff and the deadline). Each retry
waits its turn at the limiter like any request, so rate-limit errors can never burn an
item's attempts in a burst: a 429 holds the whole job until the server's next free
slot, and the retry queues behind the requests already waiting. A 429 is the
limiter's to pace, not the item's failure: the first ``FREE_429S`` of an item do not
count against its retries (a job learning a limit no header states may be refused
several times in a row), and past them they count as any retryable error does.
"""

from __future__ import annotations

import functools
import random
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import attrs
import httpx

from .._backoff import parse_retry_after, should_retry
from .._exceptions import APIConnectionError, APIStatusError, RateLimitError
from .._ratelimit import RateLimits
from .._request import APIRequest
from .._retry import IDEMPOTENCY_HEADER, _sleep
from ._learn import Answer, kind_of_refusal
from ._limiter import Limiter

if TYPE_CHECKING:
    from .._client import AsyncClient
    from ._request import BatchRequest

__all__ = ["FREE_429S", "Sender", "Sent"]

FREE_429S = 10  # an item's 429s that do not count against its retries


@attrs.frozen(kw_only=True)
class Sent:
    """The outcome of an item: the JSON received and the result made of it, or the error."""

    data: object = None
    body: Any = None
    error: Exception | None = None
    attempts: int = 0
    usage: dict[str, int] | None = None

    @property
    def quota_gone(self) -> bool:
        """The key's quota is spent: waiting cannot help, and neither can sending more."""
        error = self.error
        return isinstance(error, RateLimitError) and error.code == "insufficient_quota"


@attrs.frozen
class _Read:
    data: object
    body: Any
    headers: httpx.Headers


def _read_item(response: httpx.Response, *, cast_to: type[Any] | None) -> _Read:
    """The answer's JSON (for the checkpoint), the result made of it, and its headers."""
    from .._decode import decode_json, structure_body

    data = decode_json(response)
    body = data if cast_to is None else structure_body(response, data, cast_to)
    return _Read(data, body, response.headers)


def usage_of(data: object) -> dict[str, int] | None:
    usage = data.get("usage") if isinstance(data, Mapping) else None
    if not isinstance(usage, Mapping):
        return None
    return {k: v for k, v in usage.items() if isinstance(v, int) and not isinstance(v, bool)}


def _answer_to_error(error: APIStatusError) -> Answer:
    limits = error.rate_limits
    refused = None
    if error.status_code == 429:
        refused = kind_of_refusal({"type": error.type, "message": str(error)}, limits)
    return Answer(
        status=error.status_code,
        limits=limits,
        retry_after=parse_retry_after(error.headers, now=time.time()),
        refused=refused,
    )


class Sender:
    """Sends items for one job: each attempt through ``limiter``, retried by the policy."""

    def __init__(self, client: AsyncClient, limiter: Limiter) -> None:
        self._policy = client.retry
        self._client = client.with_options(max_retries=0)
        self._limiter = limiter

    async def send(
        self, request: BatchRequest, tokens: int, cast_to: type[Any] | None, *, key: str | None
    ) -> Sent:
        """Every attempt of one item until it succeeds, fails for good, or runs out.

        ``key`` is the item's ``Idempotency-Key``, sent with every attempt, so the
        server can tell a retry (or a resend after a crash) from a new request.
        """
        policy = self._policy
        headers = None if key is None else {IDEMPOTENCY_HEADER: key}
        api_request = APIRequest(
            method=request.method,
            path=request.path,
            read=functools.partial(_read_item, cast_to=cast_to),
            body=request.body,
            headers=headers,
        )
        attempts = 0
        refused = 0  # attempts the server refused with 429 (quota aside)
        first_sent: float | None = None
        while True:
            reservation = await self._limiter.acquire(tokens)
            attempts += 1
            if first_sent is None:
                first_sent = time.monotonic()
            error: Exception
            try:
                read = await self._client.call(api_request)
            except APIStatusError as exc:
                await self._limiter.settle(reservation, _answer_to_error(exc))
                error = exc
                retry = exc.code != "insufficient_quota" or exc.status_code != 429
                retry = retry and should_retry(
                    exc.status_code, exc.headers, exc.code, policy.statuses
                )
                response_headers: httpx.Headers | None = exc.headers
            except APIConnectionError as exc:
                await self._limiter.settle(reservation, Answer(status=None))
                error, retry, response_headers = exc, True, None
            except Exception as exc:  # an answer that cannot be read: the item fails alone
                await self._limiter.settle(reservation, Answer(status=None))
                return Sent(error=exc, attempts=attempts)
            else:
                usage = usage_of(read.data)
                answer = Answer(
                    status=200,
                    limits=RateLimits.from_headers(read.headers),
                    used_tokens=None if usage is None else usage.get("total_tokens"),
                )
                await self._limiter.settle(reservation, answer)
                return Sent(data=read.data, body=read.body, attempts=attempts, usage=usage)
            rate_limited = isinstance(error, APIStatusError) and error.status_code == 429
            if rate_limited:
                refused += 1
            if not retry or attempts - min(refused, FREE_429S) > policy.max_retries:
                return Sent(error=error, attempts=attempts)
            wait = 0.0  # a 429's wait is the limiter's hold, for every item at once
            if not rate_limited:
                wait = policy.wait(
                    attempts - 1, response_headers, now=time.time(), jitter=random.random()
                )
            elapsed = time.monotonic() - first_sent
            if policy.deadline is not None and elapsed + wait >= policy.deadline:
                return Sent(error=error, attempts=attempts)
            if wait:
                await _sleep(wait)
