"""``RateLimits``: the ``x-ratelimit-*`` headers of a response, parsed.

OpenAI sends, on successes and errors alike::

    x-ratelimit-limit-requests: 10000      x-ratelimit-limit-tokens: 2000000
    x-ratelimit-remaining-requests: 9999   x-ratelimit-remaining-tokens: 1999970
    x-ratelimit-reset-requests: 6ms        x-ratelimit-reset-tokens: 1m30.5s

Resets are Go-style durations; they become float seconds. OpenAI-compatible
servers often send none of these, or only some: missing or unreadable values are None.
So are counts of more than 18 digits (past any real limit, and past 4,300 digits
``int()`` would raise): parsing headers never raises, whatever a server sends.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping

import attrs

__all__ = ["RateLimits", "parse_duration"]

_UNITS = {"h": 3600.0, "m": 60.0, "s": 1.0, "ms": 1e-3, "us": 1e-6, "µs": 1e-6, "ns": 1e-9}
_NUMBER = r"(?:\d+(?:\.\d*)?|\.\d+)"
_PART = re.compile(rf"({_NUMBER})(ms|us|µs|ns|h|m|s)")
_DURATION = re.compile(rf"(?:{_NUMBER}(?:ms|us|µs|ns|h|m|s))+")
_PLAIN = re.compile(_NUMBER)
# 18 digits always fit in an int64; a longer "count" is noise, not a limit.
_INT = re.compile(r"[0-9]{1,18}")


def parse_duration(text: str) -> float | None:
    """Seconds in a Go-style duration (``"1s"``, ``"6m0s"``, ``"20ms"``, ``"1h2m3.5s"``).

    A bare number counts as seconds (some compatible servers send ``"60"``).
    Anything else (empty, negative, ``"inf"``, garbage) gives None.
    """
    text = text.strip()
    if _PLAIN.fullmatch(text):
        seconds = float(text)
    elif _DURATION.fullmatch(text):
        seconds = sum(float(number) * _UNITS[unit] for number, unit in _PART.findall(text))
    else:
        return None
    return seconds if math.isfinite(seconds) else None


def _count(text: str | None) -> int | None:
    if text is None:
        return None
    text = text.strip()
    return int(text) if _INT.fullmatch(text) else None


def _duration(text: str | None) -> float | None:
    return None if text is None else parse_duration(text)


@attrs.frozen(kw_only=True)
class RateLimits:
    """Request and token limits of the key, as one response reported them.

    Field names follow the headers: ``remaining_tokens`` is
    ``x-ratelimit-remaining-tokens``. ``reset_*`` are seconds until that window
    is full again. Every field is None when the server did not send it.
    """

    limit_requests: int | None = None
    limit_tokens: int | None = None
    remaining_requests: int | None = None
    remaining_tokens: int | None = None
    reset_requests: float | None = None
    reset_tokens: float | None = None

    @classmethod
    def from_headers(cls, headers: Mapping[str, str]) -> RateLimits:
        """Parse the ``x-ratelimit-*`` entries of ``headers`` (any letter case)."""
        found = {
            name.lower()[len("x-ratelimit-") :]: value
            for name, value in headers.items()
            if name.lower().startswith("x-ratelimit-")
        }
        return cls(
            limit_requests=_count(found.get("limit-requests")),
            limit_tokens=_count(found.get("limit-tokens")),
            remaining_requests=_count(found.get("remaining-requests")),
            remaining_tokens=_count(found.get("remaining-tokens")),
            reset_requests=_duration(found.get("reset-requests")),
            reset_tokens=_duration(found.get("reset-tokens")),
        )
