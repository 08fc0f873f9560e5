"""The retry middleware, outermost in every client's chain, and its testing switch.

The rules (what is retried, how long to wait) are ``RetryPolicy``'s, in
``_backoff``; this module only runs the loop: attempt, decide, close, wait.
Waiting uses ``anyio.sleep``, so it works on asyncio and trio alike. The call's
time limit (the policy's ``deadline``, or the client's ``stream_timeout`` for a
streamed body) goes with a streamed body the caller reads later (``_deadline``).
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Iterator
from contextlib import contextmanager

import anyio
import httpx

from ._backoff import RetryPolicy, should_retry
from ._deadline import limit_body
from ._exceptions import APIConnectionError, APITimeoutError, _error_object
from ._middleware import CallNext, RequestOptions, options_of

__all__ = [
    "ATTEMPT_KEY",
    "IDEMPOTENCY_HEADER",
    "KEYED_METHODS",
    "Retry",
    "attempt_of",
    "instant_retries",
]

logger = logging.getLogger("openai_async")

IDEMPOTENCY_HEADER = "Idempotency-Key"
ATTEMPT_KEY = "openai_async.attempt"

# Methods whose repetition could do the work twice: they get an idempotency key.
KEYED_METHODS = frozenset({"POST", "PATCH"})

# The lists of waits that ``instant_retries`` blocks collect, innermost last.
# Process-wide on purpose, like ``stamina.set_testing``: a test's client may run in
# a task or thread that a context variable would not reach.
_instant: list[list[float]] = []


@contextmanager
def instant_retries() -> Iterator[list[float]]:
    """Make every retry wait zero seconds inside the block; yield the waits skipped.

    For your own test suites: retries still happen, with the same decisions (the
    deadline included), only the sleeping is skipped. The yielded list gets each
    wait the policy asked for, in seconds, in order::

        with instant_retries() as waits:
            await client.models.list()     # against a server answering 503, then 200
        assert len(waits) == 1
    """
    waits: list[float] = []
    _instant.append(waits)
    try:
        yield waits
    finally:
        # By identity: list.remove would take the first *equal* list, e.g. another [].
        del _instant[next(i for i, item in enumerate(_instant) if item is waits)]


async def _sleep(seconds: float) -> None:
    if _instant:
        _instant[-1].append(seconds)
        # Imported here, like uuid below: anyio.lowlevel adds ~2 ms to ``import openai_async``.
        from anyio.lowlevel import checkpoint

        await checkpoint()  # so cancellation still works the same
    else:
        await anyio.sleep(seconds)


def _idempotency_key() -> str:
    # uuid is imported on the first POST, not with the package (~1 ms of import time).
    import uuid

    return f"openai-async-{uuid.uuid4()}"


def attempt_of(request: httpx.Request) -> int:
    """Which attempt ``request`` is on: 1 for the first try, 2 for the first retry."""
    attempt = request.extensions.get(ATTEMPT_KEY, 1)
    return attempt if isinstance(attempt, int) else 1


class Retry:
    """Try a request again while its ``RetryPolicy`` says waiting can help.

    A response is returned as soon as it is a success, or an error not worth
    retrying, or retries or the deadline run out; the client turns an error
    response into its exception. A connection error or timeout that runs out of
    retries is raised as is. A streamed 2xx answer is never retried, since its
    bytes go to the caller.
    """

    __slots__ = ()

    def __repr__(self) -> str:
        return "Retry()"

    async def __call__(self, request: httpx.Request, call_next: CallNext) -> httpx.Response:
        options = options_of(request)
        policy = options.retry
        deadline = None if policy.deadline is None else anyio.current_time() + policy.deadline
        if (
            policy.max_retries
            and request.method in KEYED_METHODS
            and IDEMPOTENCY_HEADER not in request.headers
        ):
            # One key for every attempt of this call, so the server can tell a
            # retry from a new request and do the work once.
            request.headers[IDEMPOTENCY_HEADER] = _idempotency_key()

        retry = 0
        while True:
            request.extensions[ATTEMPT_KEY] = retry + 1
            response: httpx.Response | None = None
            error: APIConnectionError | None = None
            try:
                response = await _attempt(request, call_next, deadline)
            except APIConnectionError as exc:
                error = exc
            if response is not None and not _retryable(response, policy):
                if options.stream and not response.is_closed:
                    _limit_stream(response, options, deadline)
                return response
            if retry >= policy.max_retries:
                return _final(response, error)
            headers = None if response is None else response.headers
            wait = policy.wait(retry, headers, now=time.time(), jitter=random.random())
            if deadline is not None and anyio.current_time() + wait >= deadline:
                logger.debug(
                    "Not retrying %s %s: waiting %.2f s would pass the %.2f s deadline",
                    request.method,
                    request.url.path,
                    wait,
                    policy.deadline,
                )
                return _final(response, error)
            if response is not None:
                await response.aclose()  # give the connection back before sleeping
            _log_retry(request, response, error, retry, policy, wait)
            await _sleep(wait)
            retry += 1


async def _attempt(
    request: httpx.Request, call_next: CallNext, deadline: float | None
) -> httpx.Response:
    if deadline is None:
        return await call_next(request)
    try:
        with anyio.fail_after(max(deadline - anyio.current_time(), 0)):
            return await call_next(request)
    except TimeoutError as exc:  # the deadline's own, raised by fail_after
        raise APITimeoutError(
            f"Request timed out: {_deadline_text(options_of(request))} passed before "
            "the answer arrived.",
            request=request,
        ) from exc


def _deadline_text(options: RequestOptions) -> str:
    return f"the retry policy's deadline ({options.retry.deadline:g} s for the whole call)"


def _limit_stream(
    response: httpx.Response, options: RequestOptions, deadline: float | None
) -> None:
    """Bound the reading of a body the caller streams: one limit for the whole call.

    ``stream_timeout``, when set, counts from now (the headers are in) and replaces
    what is left of the deadline; otherwise the deadline covers the body too.
    """
    seconds = options.stream_timeout
    if seconds is not None:
        at = anyio.current_time() + seconds
        limit_body(response, at=at, limit=f"stream_timeout ({seconds:g} s from the headers)")
    elif deadline is not None:
        limit_body(response, at=deadline, limit=_deadline_text(options))


def _retryable(response: httpx.Response, policy: RetryPolicy) -> bool:
    if not response.is_error:
        return False
    return should_retry(
        response.status_code, response.headers, _error_code(response), policy.statuses
    )


def _error_code(response: httpx.Response) -> str | None:
    if response.status_code != 429:
        return None  # only a 429's code changes the decision; skip parsing the rest
    from ._decode import loads  # with the first 429, not with the package

    try:
        code = _error_object(loads(response.content)).get("code")
    except (ValueError, httpx.ResponseNotRead):
        return None
    return code if isinstance(code, str) else None


def _final(response: httpx.Response | None, error: APIConnectionError | None) -> httpx.Response:
    if response is not None:
        return response
    assert error is not None
    raise error


def _log_retry(
    request: httpx.Request,
    response: httpx.Response | None,
    error: APIConnectionError | None,
    retry: int,
    policy: RetryPolicy,
    wait: float,
) -> None:
    if response is not None:
        reason = str(response.status_code)
        request_id = response.headers.get("x-request-id")
    else:
        reason = type(error).__name__
        request_id = None
    logger.info(
        "Retrying %s %s in %.2f s after %s (retry %d of %d, request id %s)",
        request.method,
        request.url.path,
        wait,
        reason,
        retry + 1,
        policy.max_retries,
        request_id,
        extra={
            "method": request.method,
            "path": request.url.path,
            "status": None if response is None else response.status_code,
            "attempt": retry + 1,
            "wait": wait,
            "request_id": request_id,
        },
    )
