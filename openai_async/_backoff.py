"""``RetryPolicy`` and the arithmetic of waiting: backoff, jitter, ``Retry-After``.

Everything here is a pure function of its arguments (the random draw and the wall
clock are passed in), so the retry middleware in ``_retry`` stays a thin loop and
the rules can be tested without a server or a clock.
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Mapping
from datetime import UTC
from email.utils import parsedate_to_datetime
from typing import Final

import attrs

from ._exceptions import InvalidParameterError

__all__ = [
    "DEFAULT_MAX_RETRIES",
    "DEFAULT_RETRY_STATUSES",
    "RetryPolicy",
    "backoff_delay",
    "parse_retry_after",
    "should_retry",
]

DEFAULT_MAX_RETRIES: Final = 2

# 408 timeout, 409 lock conflict, 429 rate limit, and every server-side failure.
DEFAULT_RETRY_STATUSES: frozenset[int] = frozenset({408, 409, 429, *range(500, 600)})

# float() also takes "inf", "nan", "1_0" and " 1e3 "; a header value must be plainer.
_NUMBER = re.compile(r"\d+(?:\.\d*)?|\.\d+")


def _statuses_repr(statuses: Collection[int]) -> str:
    if statuses == DEFAULT_RETRY_STATUSES:
        return "DEFAULT_RETRY_STATUSES"
    return "{" + ", ".join(str(s) for s in sorted(statuses)) + "}"


def _non_negative(instance: object, attribute: attrs.Attribute[float], value: float) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not value >= 0:
        raise InvalidParameterError(attribute.name, f"expected seconds >= 0, got {value!r}")


def _check_max_retries(instance: object, attribute: attrs.Attribute[int], value: int) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise InvalidParameterError("max_retries", f"expected an int >= 0, got {value!r}")


def _check_deadline(
    instance: object, attribute: attrs.Attribute[float | None], value: object
) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int | float) or not (0 < value < math.inf):
        raise InvalidParameterError("deadline", f"expected seconds > 0 or None, got {value!r}")


def _check_statuses(
    instance: object, attribute: attrs.Attribute[frozenset[int]], value: frozenset[int]
) -> None:
    if not isinstance(value, frozenset) or not all(
        isinstance(s, int) and not isinstance(s, bool) for s in value
    ):
        raise InvalidParameterError("statuses", "expected a collection of int status codes")


def _to_statuses(value: Collection[int]) -> frozenset[int]:
    try:
        return frozenset(value)
    except TypeError:
        raise InvalidParameterError("statuses", f"expected status codes, got {value!r}") from None


@attrs.frozen(kw_only=True)
class RetryPolicy:
    """When and how long to wait before trying a failed request again.

    A failed attempt is tried again, at most ``max_retries`` times, when it is a
    connection error or timeout, or an error status in ``statuses`` (408, 409, 429
    and 5xx by default). A server's ``x-should-retry: true|false`` overrides that
    choice both ways; a 429 whose ``error.code`` is ``insufficient_quota`` is final,
    since waiting cannot refill a quota.

    The wait is what the server asks for (``retry-after-ms``, else ``Retry-After``
    in seconds or as an HTTP date) when it is positive and finite, capped at
    ``max_retry_after``; otherwise exponential backoff with full jitter: a random
    wait between 0 and ``min(max_delay, initial_delay * 2**n)`` before retry ``n``
    (counting from 0).

    ``deadline`` bounds the whole call in seconds, from its start to the end of its
    body: attempts, waits, and the reading of the answer, a streamed one included
    (``stream=True``, ``with_streaming_response``, downloads). An attempt still
    running at the deadline fails with ``APITimeoutError``, and so does a stream
    still being read: the read waiting then, or the next one. When the next wait
    would end past the deadline, the last error is raised at once instead of
    sleeping in vain. A client's ``stream_timeout``, when set, bounds a streamed body
    instead, counted from its headers: then the deadline ends with the headers. None
    (the default): no limit but the per-read ``timeout`` and ``max_retries``.
    """

    max_retries: int = attrs.field(default=DEFAULT_MAX_RETRIES, validator=_check_max_retries)
    initial_delay: float = attrs.field(default=0.5, validator=_non_negative)
    max_delay: float = attrs.field(default=8.0, validator=_non_negative)
    max_retry_after: float = attrs.field(default=60.0, validator=_non_negative)
    deadline: float | None = attrs.field(default=None, validator=_check_deadline)
    statuses: frozenset[int] = attrs.field(
        default=DEFAULT_RETRY_STATUSES,
        converter=_to_statuses,
        validator=_check_statuses,
        repr=_statuses_repr,
    )

    def wait(
        self, retry: int, headers: Mapping[str, str] | None, *, now: float, jitter: float
    ) -> float:
        """Seconds to wait before retry number ``retry`` (0 for the first retry).

        ``headers`` are the failed response's (None after a connection error),
        ``now`` is the wall clock (``time.time()``, for HTTP dates) and ``jitter`` a
        uniform random draw from [0, 1).
        """
        asked = None if headers is None else parse_retry_after(headers, now=now)
        if asked is not None:
            return min(asked, self.max_retry_after)
        return backoff_delay(
            retry, initial_delay=self.initial_delay, max_delay=self.max_delay, jitter=jitter
        )


def backoff_delay(retry: int, *, initial_delay: float, max_delay: float, jitter: float) -> float:
    """Full-jitter exponential backoff: ``jitter * min(max_delay, initial_delay * 2**retry)``.

    Full jitter (a uniform draw over the whole range, not a small spread around the
    exponential) keeps many clients that failed together from retrying together.
    """
    # 2.0**1100 overflows; by 2**64 any sane initial_delay is far past any cap.
    ceiling = min(max_delay, initial_delay * 2.0 ** min(max(retry, 0), 64))
    return ceiling * jitter


def parse_retry_after(headers: Mapping[str, str], *, now: float) -> float | None:
    """The wait in seconds a response asks for, or None when it asks for none usable.

    ``retry-after-ms`` (OpenAI's, milliseconds) wins over ``Retry-After`` (seconds,
    or an HTTP date compared with ``now``, a Unix timestamp). Zero, negative,
    infinite and unparsable values count as not asked.
    """
    millis = _number(headers.get("retry-after-ms"))
    if millis is not None and millis > 0:
        return millis / 1000
    value = headers.get("retry-after")
    if value is None:
        return None
    seconds = _number(value)
    if seconds is None:
        try:
            date = parsedate_to_datetime(value.strip())
        except (TypeError, ValueError, IndexError):
            return None
        if date.tzinfo is None:  # HTTP dates are GMT; never read them as local time
            date = date.replace(tzinfo=UTC)
        seconds = date.timestamp() - now
    return seconds if 0 < seconds < math.inf else None


def _number(text: str | None) -> float | None:
    if text is None or _NUMBER.fullmatch(text.strip()) is None:
        return None
    value = float(text)
    return value if math.isfinite(value) else None


def should_retry(
    status: int,
    headers: Mapping[str, str],
    error_code: str | None,
    statuses: Collection[int] = DEFAULT_RETRY_STATUSES,
) -> bool:
    """Whether an error response with ``status`` is worth another attempt.

    The server's ``x-should-retry`` wins both ways; then a 429 for an exhausted
    quota is final; then ``status`` must be among ``statuses``.
    """
    flag = headers.get("x-should-retry", "").strip().lower()
    if flag == "true":
        return True
    if flag == "false":
        return False
    if status == 429 and error_code == "insufficient_quota":
        return False
    return status in statuses
