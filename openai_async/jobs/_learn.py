"""What a job learns of the server's rate limits from its answers: the rules, without I/O.

Each kind of limit (requests, tokens per window) is the lowest of three numbers:

- the one you gave (``requests_per_minute``/``tokens_per_minute``): a lower limit than
  the server's is your choice to leave room for others, and is kept;
- the one the server states (``x-ratelimit-limit-*`` on any answer, 429s included);
- the one its 429s show, when it states none: the job's own admitted requests (or
  tokens) in the last window are what the server accepted before it refused, so that
  count is the limit. It is raised 2 % after every window without a 429, so a budget
  freed by someone else is found again.

A kind nobody has stated yet has no pace; requests are then sent through a small
congestion window instead (one in flight, one more per answer, halved by a 429), so
a job that was told nothing opens with one request, learns the limit from its answer,
and never with a burst.

``remaining: 0`` on an answer empties that kind's bucket: the next request waits for the
next free slot at the learned pace, not for the ``reset`` of the whole window (for a
sliding window that is when the window is *empty*, ~a minute away). A 429 holds every
request for its ``retry-after`` (the server's next free slot, capped), and empties the
bucket of the kind it names.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Mapping

import attrs

from .._ratelimit import RateLimits

__all__ = ["KINDS", "Answer", "LimitLearner", "Reservation", "kind_of_refusal"]

KINDS = ("requests", "tokens")

RECOVERY = 1.02  # an estimated limit grows this much per window without a 429
# A 429 while the admitted count is this close to a stated limit is the edge of the
# window (delivery jitter), not a smaller budget: nothing is estimated from it.
NEAR_STATED = 0.9


@attrs.frozen
class Reservation:
    """Budget taken for one attempt: one request and ``tokens`` tokens, at ``at``.

    ``handle`` is the limiter's own record of it, for ``settle``.
    """

    tokens: int
    at: float
    handle: object = attrs.field(default=None, eq=False, repr=False)


@attrs.frozen(kw_only=True)
class Answer:
    """What one attempt's answer says about the budget; ``status`` None: no answer."""

    status: int | None
    limits: RateLimits = attrs.field(factory=RateLimits)
    retry_after: float | None = None
    refused: str | None = None  # for a 429: "requests", "tokens", or None when unsaid
    used_tokens: int | None = None  # usage.total_tokens of a success

    @property
    def rate_limited(self) -> bool:
        return self.status == 429


def kind_of_refusal(error: Mapping[str, object] | None, limits: RateLimits) -> str | None:
    """Which limit a 429 says was hit: from ``error.type``, its message, or the headers.

    OpenAI answers ``"type": "requests"`` or ``"tokens"`` and a message naming RPM or TPM.
    """
    kind = error.get("type") if error else None
    if kind in KINDS:
        return str(kind)
    message = str(error.get("message", "")).lower() if error else ""
    if "tokens per" in message or "(tpm)" in message:
        return "tokens"
    if "requests per" in message or "(rpm)" in message:
        return "requests"
    if limits.remaining_tokens == 0 and limits.remaining_requests != 0:
        return "tokens"
    if limits.remaining_requests == 0:
        return "requests"
    return None


@attrs.define
class _Budget:
    """One kind of limit: the numbers it is the lowest of, and what was admitted."""

    given: float | None
    stated: float | None = None
    estimated: float | None = None
    checked_at: float = -math.inf  # when the estimate last grew or was made
    admitted: deque[tuple[float, float]] = attrs.field(factory=deque)
    admitted_sum: float = 0.0

    def limit(self) -> float | None:
        known = [v for v in (self.given, self.stated, self.estimated) if v is not None]
        return min(known) if known else None

    def admit(self, at: float, amount: float) -> None:
        self.admitted.append((at, amount))
        self.admitted_sum += amount

    def in_window(self, now: float, period: float) -> float:
        while self.admitted and self.admitted[0][0] <= now - period:
            self.admitted_sum -= self.admitted.popleft()[1]
        return max(self.admitted_sum, 0.0)


@attrs.frozen
class Change:
    """What the limiter must do after an answer: new limits, emptied buckets, a hold."""

    limits: dict[str, float | None]
    emptied: tuple[str, ...] = ()
    hold: float = 0.0


class LimitLearner:
    """The limits of a job as its answers teach them; see the module docstring.

    ``estimate=False`` learns only what the server states (a budget shared by many
    workers: one worker's own count says nothing of the budget's).
    """

    def __init__(
        self,
        *,
        requests: float | None,
        tokens: float | None,
        period: float,
        max_hold: float,
        estimate: bool = True,
    ) -> None:
        self.period = period
        self.max_hold = max_hold
        self._estimate = estimate
        self._budgets = {"requests": _Budget(requests), "tokens": _Budget(tokens)}
        self.window = 1.0  # the congestion window, while the requests limit is unknown
        self.in_flight = 0
        self.latency = 0.0  # smoothed seconds from sending to the answer

    def limit(self, kind: str) -> float | None:
        return self._budgets[kind].limit()

    def limits(self) -> dict[str, float | None]:
        return {kind: self.limit(kind) for kind in KINDS}

    @property
    def gated(self) -> bool:
        """Whether requests go through the congestion window (no requests limit known)."""
        return self.limit("requests") is None

    def may_send(self) -> bool:
        return not self.gated or self.in_flight < self.window

    def sent(self) -> None:
        self.in_flight += 1

    def answered(self, reservation: Reservation, answer: Answer, now: float) -> Change | None:
        """Learn from ``answer``; the change to apply, or None when nothing changed."""
        self.in_flight -= 1
        before = self.limits()
        emptied: list[str] = []
        hold = 0.0
        for kind in KINDS:
            stated = getattr(answer.limits, f"limit_{kind}")
            if stated is not None and stated > 0:
                self._budgets[kind].stated = float(stated)
        if answer.status is not None:
            self.latency += (now - reservation.at - self.latency) / 8  # like TCP's SRTT
        if answer.rate_limited:
            kind = answer.refused or "requests"
            self._refused(kind, reservation, now)
            emptied.append(kind)
            self.window = max(1.0, self.window / 2)
            if answer.retry_after is not None:
                hold = min(answer.retry_after, self.max_hold)
        elif answer.status is not None:
            self._admitted(reservation, answer, now)
            self.window += 1.0
            for kind in KINDS:
                if getattr(answer.limits, f"remaining_{kind}") == 0:
                    emptied.append(kind)
        self._recover(now)
        after = self.limits()
        if after == before and not emptied and not hold:
            return None
        return Change(after, tuple(emptied), hold)

    def extra_tokens(self, reservation: Reservation, answer: Answer) -> int:
        """Tokens the service counts beyond the reservation (usage over the estimate)."""
        if answer.used_tokens is None:
            return 0
        return max(0, answer.used_tokens - reservation.tokens)

    def _admitted(self, reservation: Reservation, answer: Answer, now: float) -> None:
        if not self._estimate:
            return
        charged = reservation.tokens + self.extra_tokens(reservation, answer)
        for kind, amount in (("requests", 1.0), ("tokens", float(charged))):
            budget = self._budgets[kind]
            budget.admit(reservation.at, amount)
            budget.in_window(now, 2 * self.period)  # forget what is long gone: memory bounded

    def _refused(self, kind: str, reservation: Reservation, now: float) -> None:
        if not self._estimate:
            return
        budget = self._budgets[kind]
        if reservation.at <= budget.checked_at:
            return  # sent before the last estimate: it cannot tell anything new
        # The server counted what arrived in the window before this request did:
        # what we sent up to one latency earlier than the window.
        count = budget.in_window(now, self.period + self.latency)
        if count < 1:
            return  # nothing of ours in the window: someone else spent it
        if budget.stated is not None and count >= NEAR_STATED * budget.stated:
            return
        current = budget.estimated
        budget.estimated = count if current is None else min(current, max(count, current / 2))
        budget.checked_at = now

    def _recover(self, now: float) -> None:
        for budget in self._budgets.values():
            if budget.estimated is not None and now - budget.checked_at >= self.period:
                budget.estimated *= RECOVERY
                budget.checked_at = now
                if budget.stated is not None and budget.estimated >= budget.stated:
                    budget.estimated = None
