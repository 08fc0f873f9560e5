"""One rate budget shared by many workers, processes or machines, kept in Redis.

::

    import redis.asyncio as redis
    from openai_async import RedisLimiter

    budget = RedisLimiter(redis.Redis(), "team-search", requests_per_minute=5000,
                          tokens_per_minute=2_000_000)
    async with client.batch(requests, limiter=budget) as job:   # in every worker
        ...

Needs the optional extra: ``pip install openai_async[redis]``.

How it works. Each limit is a token bucket (``_limiter.bucket_shape``: at most the
limit in every window) kept in a Redis hash, changed only by Lua scripts, so a check
and its reservation are one atomic step whatever the number of workers. The scripts
read the clock of the Redis server (``TIME``), never a worker's, so workers whose
clocks disagree still share one timeline.

- A worker reserves before it sends: one request, and the request's estimated tokens
  (prompt + ``max_tokens`` x ``n``/``best_of``). Tokens the service counts beyond the
  reservation (usage over the estimate) are charged when the usage arrives; nothing is
  given back, as the service gives nothing back (see ``_limiter``).
- A 429 holds every worker until its ``retry-after`` (a key of its own) and empties
  the bucket of the limit it hit; ``remaining: 0`` empties it too.
- Every key has a TTL: a bucket's is one window past the moment it would be full
  again, a hold's is its length. A worker that dies holding reservations leaks them
  only until the bucket refills, which takes at most one window.
- Limits stated by the server (``x-ratelimit-limit-*``) are learned by each worker
  from its own answers (they all see the same), and the lowest of those and the
  given ones is used. Estimating a limit from 429s, as a lone job does, needs the
  count of everyone's admitted requests, which no worker has; here a 429 without
  headers only holds and empties.

Trio: redis-py's asyncio client runs on asyncio only. Under trio (or anywhere), pass
a synchronous ``redis.Redis`` instead: each script call then runs in a worker thread
(``anyio.to_thread``), one short round trip per request.
"""

from __future__ import annotations

import inspect
import math
from typing import TYPE_CHECKING, Any

import anyio

from .._exceptions import InvalidParameterError
from ._learn import KINDS, Answer, LimitLearner, Reservation
from ._limiter import bucket_shape

if TYPE_CHECKING:
    import redis
    import redis.asyncio

__all__ = ["RedisLimiter"]

# KEYS: requests bucket, tokens bucket, hold.
# ARGV: tokens cost, then per kind (requests, tokens) rate and capacity (0: no limit),
# then the period in seconds.
# Returns "0" when the reservation was made, else the seconds to wait, as a string
# (a Lua number would come back truncated to an integer).
_ACQUIRE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local cost = {1, tonumber(ARGV[1])}
local period = tonumber(ARGV[6])
local wait = tonumber(redis.call('GET', KEYS[3]) or '0') - now
local levels = {}
for i = 1, 2 do
  local rate, cap = tonumber(ARGV[2 * i]), tonumber(ARGV[2 * i + 1])
  if cap > 0 then
    local v = redis.call('HMGET', KEYS[i], 'level', 'updated')
    local level, updated = tonumber(v[1]), tonumber(v[2])
    if level == nil then
      -- A new budget starts half full, and is stored now: a worker that has to wait
      -- must find it refilling when it comes back.
      level, updated = cap / 2, now
      redis.call('HSET', KEYS[i], 'level', tostring(level), 'updated', tostring(now))
      redis.call('PEXPIRE', KEYS[i], math.ceil((cap / 2 / rate + period) * 1000))
    end
    level = math.min(cap, level + math.max(0, now - updated) * rate)
    levels[i] = level
    local missing = math.min(cost[i], cap) - level
    if missing > 0 then wait = math.max(wait, missing / rate) end
  end
end
if wait > 0 then return tostring(wait) end
for i = 1, 2 do
  if levels[i] ~= nil then
    local rate, cap = tonumber(ARGV[2 * i]), tonumber(ARGV[2 * i + 1])
    local level = levels[i] - cost[i]
    redis.call('HSET', KEYS[i], 'level', tostring(level), 'updated', tostring(now))
    local full_in = (cap - level) / rate
    redis.call('PEXPIRE', KEYS[i], math.ceil((full_in + period) * 1000))
  end
end
return '0'
"""

# KEYS as above. ARGV: extra tokens to charge, empty requests (0/1), empty tokens
# (0/1), hold seconds, then per kind rate and capacity, then the period.
_SETTLE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local charge = {0, tonumber(ARGV[1])}
local empty = {ARGV[2] == '1', ARGV[3] == '1'}
local period = tonumber(ARGV[9])
for i = 1, 2 do
  local rate, cap = tonumber(ARGV[3 + 2 * i]), tonumber(ARGV[4 + 2 * i])
  if cap > 0 and (charge[i] > 0 or empty[i]) then
    local v = redis.call('HMGET', KEYS[i], 'level', 'updated')
    local level, updated = tonumber(v[1]), tonumber(v[2])
    if level == nil then level, updated = cap / 2, now end
    level = math.min(cap, level + math.max(0, now - updated) * rate) - charge[i]
    if empty[i] then level = math.min(level, 0) end
    redis.call('HSET', KEYS[i], 'level', tostring(level), 'updated', tostring(now))
    local full_in = (cap - level) / rate
    redis.call('PEXPIRE', KEYS[i], math.ceil((full_in + period) * 1000))
  end
end
local hold = tonumber(ARGV[4])
if hold > 0 then
  local until_ = now + hold
  local current = tonumber(redis.call('GET', KEYS[3]) or '0')
  if until_ > current then
    redis.call('SET', KEYS[3], tostring(until_), 'PX', math.ceil(hold * 1000))
  end
end
return '0'
"""

MAX_POLL = 1.0  # seconds between looks at a held or empty budget


class RedisLimiter:
    """A rate budget in Redis, shared by every job that passes it as ``limiter=``.

    ``redis`` is a ``redis.asyncio.Redis`` (asyncio) or a ``redis.Redis`` (any
    backend, trio included: calls run in a worker thread). ``name`` names the budget:
    workers sharing it share the limits. ``requests_per_minute``/``tokens_per_minute``
    are per ``period`` seconds, or None to learn them from the server's headers.
    """

    def __init__(
        self,
        redis: redis.asyncio.Redis | redis.Redis,
        name: str,
        *,
        requests_per_minute: float | None = None,
        tokens_per_minute: float | None = None,
        period: float = 60.0,
        max_hold: float = 60.0,
    ) -> None:
        if not isinstance(name, str) or not name:
            raise InvalidParameterError("name", "must be a non-empty str")
        for param, limit in (
            ("requests_per_minute", requests_per_minute),
            ("tokens_per_minute", tokens_per_minute),
        ):
            if limit is not None and (
                isinstance(limit, bool) or not isinstance(limit, int | float) or not limit >= 2
            ):
                raise InvalidParameterError(param, f"must be a number >= 2 or None, got {limit!r}")
        if isinstance(period, bool) or not isinstance(period, int | float) or not period > 0:
            raise InvalidParameterError("period", f"must be positive seconds, got {period!r}")
        self.name = name
        # One hash tag: in a Redis Cluster the three keys live on one node, as a
        # script's keys must.
        self._keys = [f"openai_async:{{{name}}}:{kind}" for kind in (*KINDS, "hold")]
        self._asyncio = inspect.iscoroutinefunction(getattr(redis, "execute_command", None))
        self._acquire = redis.register_script(_ACQUIRE)
        self._settle = redis.register_script(_SETTLE)
        self.learner = LimitLearner(
            requests=requests_per_minute,
            tokens=tokens_per_minute,
            period=period,
            max_hold=max_hold,
            estimate=False,
        )
        self._lock = anyio.Lock()  # this worker's requests in arrival order
        self._answered: anyio.Event | None = None

    def __repr__(self) -> str:
        limits = self.learner.limits()
        return (
            f"<RedisLimiter {self.name!r} requests={limits['requests']} "
            f"tokens={limits['tokens']} period={self.learner.period:g}>"
        )

    def _shape(self) -> list[float]:
        shape: list[float] = []
        for kind in KINDS:
            limit = self.learner.limit(kind)
            if limit is None:
                shape += [0.0, 0.0]
            else:
                shape += bucket_shape(limit, self.learner.period)
        return shape

    async def _run(self, script: Any, args: list[Any]) -> Any:
        if self._asyncio:
            return await script(keys=self._keys, args=args)
        return await anyio.to_thread.run_sync(lambda: script(keys=self._keys, args=args))

    async def acquire(self, tokens: int) -> Reservation:
        """Wait until the shared budget has one request of ``tokens``; reserve it."""
        async with self._lock:
            while True:
                if not self.learner.may_send():
                    if self._answered is None:
                        self._answered = anyio.Event()
                    await self._answered.wait()
                    continue
                args = [tokens, *self._shape(), self.learner.period]
                wait = float(await self._run(self._acquire, args))
                if wait <= 0:
                    break
                await anyio.sleep(min(wait, MAX_POLL))
            self.learner.sent()
            return Reservation(tokens=tokens, at=anyio.current_time())

    async def settle(self, reservation: Reservation, answer: Answer) -> None:
        """Learn from one answer; charge extra usage, empty spent budgets, hold on a 429."""
        change = self.learner.answered(reservation, answer, anyio.current_time())
        if self._answered is not None:
            self._answered.set()
            self._answered = None
        extra = self.learner.extra_tokens(reservation, answer)
        emptied = () if change is None else change.emptied
        hold = 0.0 if change is None else change.hold
        if not (extra or emptied or hold > 0):
            return
        args = [
            extra,
            int("requests" in emptied),
            int("tokens" in emptied),
            hold if math.isfinite(hold) else 0.0,
            *self._shape(),
            self.learner.period,
        ]
        await self._run(self._settle, args)
