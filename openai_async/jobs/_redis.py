"""One rate budget shared by many workers, processes or machines, kept in Redis.

::

    import redis.asyncio as redis
    from openai_async import RedisLimiter

    budget = RedisLimiter(redis.Redis(), "team-search", requests_per_minute=5000,
                          tokens_per_minute=2_000_000)
    async with client.batch(requests, limiter=budget) as job:   # in every worker
        ...

Needs the optional extra: ``pip install openai_async[redis]``.

How it works. The budget is the local limiter's (``_limiter``), kept in Redis and
changed only by Lua scripts, so a check and its reservation are one atomic step
whatever the number of workers. The scripts read the clock of the Redis server
(``TIME``), never a worker's, so workers whose clocks disagree share one timeline.

- Each limit is a sliding window as the server counts it: a worker reserves before it
  sends (one request, and its estimated tokens: prompt + ``max_tokens`` x
  ``n``/``best_of``); the reservation counts until a full window after its answer, or
  not at all when the answer was a 429 (the server did not count it). Tokens the
  service counts beyond the reservation (usage over the estimate) are charged when
  the usage arrives; nothing is given back, as the service gives nothing back.
  A shared pacing bucket (a little over the limit's rate, 2 % burst) keeps the
  workers together from opening with a burst.
- A 429 holds every worker until its ``retry-after`` (a key of its own) and empties
  the pacing bucket of the limit it hit; ``remaining: 0`` empties it too.
- Every key has a TTL of two windows, renewed by each use. A reservation whose worker
  died before its answer stops counting one window after it was made, so a dead
  worker leaks budget for at most one window.
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
import itertools
import math
import secrets
from typing import TYPE_CHECKING, Any

import anyio

from .._exceptions import InvalidParameterError, shown
from ._learn import KINDS, Answer, LimitLearner, Reservation
from ._limiter import pace_shape, window_limit

if TYPE_CHECKING:
    import redis
    import redis.asyncio

__all__ = ["RedisLimiter"]

_PARTS = ("log", "pending", "state", "hold")

# The budget's keys: the answered reservations (a sorted set by answer time), the
# pending ones (by reservation time), the sums and pacing buckets (a hash), the hold.
# A member is "ID REQUESTS TOKENS", so the sums can be kept as members come and go.
_COMMON = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local log, pending, state, hold_key = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local function parts(member)
  local _, r, k = string.match(member, '^(%S+) (%S+) (%S+)$')
  return tonumber(r), tonumber(k)
end
local function add(field_r, field_k, r, k)
  redis.call('HINCRBYFLOAT', state, field_r, r)
  redis.call('HINCRBYFLOAT', state, field_k, k)
end
local function expire(key, field_r, field_k, cutoff)
  local old = redis.call('ZRANGEBYSCORE', key, '-inf', cutoff)
  for _, member in ipairs(old) do
    local r, k = parts(member)
    add(field_r, field_k, -r, -k)
  end
  if #old > 0 then redis.call('ZREMRANGEBYSCORE', key, '-inf', cutoff) end
end
local function num(field)
  return tonumber(redis.call('HGET', state, field) or '0')
end
local function set_pace(i, level)
  redis.call('HSET', state, 'level' .. i, tostring(level), 'updated' .. i, tostring(now))
end
local function pace_level(i, rate, cap)
  local level = tonumber(redis.call('HGET', state, 'level' .. i))
  if level == nil then
    -- A new budget starts half full, stored at once: a worker that has to wait must
    -- find it refilling when it comes back.
    set_pace(i, cap / 2)
    return cap / 2
  end
  local updated = tonumber(redis.call('HGET', state, 'updated' .. i))
  return math.min(cap, level + math.max(0, now - updated) * rate)
end
local function keep(period)
  local ms = math.ceil(2 * period * 1000)
  for _, key in ipairs({log, pending, state}) do redis.call('PEXPIRE', key, ms) end
end
"""

# ARGV: member, tokens, period, then per kind (requests, tokens): window limit, pace
# rate, pace capacity (limit 0: none). Returns "0" when reserved, else the seconds to
# wait, as a string (a Lua number would come back truncated to an integer).
_ACQUIRE = (
    _COMMON
    + """
local member, cost, period = ARGV[1], {1, tonumber(ARGV[2])}, tonumber(ARGV[3])
expire(log, 'log_r', 'log_k', now - period)
expire(pending, 'pend_r', 'pend_k', now - period)  -- a dead worker's, after a window
local wait = tonumber(redis.call('GET', hold_key) or '0') - now
local used = {num('log_r') + num('pend_r'), num('log_k') + num('pend_k')}
local levels = {}
for i = 1, 2 do
  local limit, rate, cap = tonumber(ARGV[1 + 3 * i]), tonumber(ARGV[2 + 3 * i]),
    tonumber(ARGV[3 + 3 * i])
  if limit > 0 then
    local excess = used[i] + math.min(cost[i], limit) - limit
    if excess > 1e-9 then
      local free_at = nil
      local start = 0
      while free_at == nil do
        local chunk = redis.call('ZRANGE', log, start, start + 31, 'WITHSCORES')
        if #chunk == 0 then break end
        for j = 1, #chunk, 2 do
          local r, k = parts(chunk[j])
          excess = excess - (i == 1 and r or k)
          if excess <= 1e-9 then free_at = tonumber(chunk[j + 1]) + period; break end
        end
        start = start + 32
      end
      -- Not enough answered yet: what is in flight must be answered first. Look again
      -- soon, or when the oldest pending reservation would expire.
      if free_at == nil then
        local oldest = redis.call('ZRANGE', pending, 0, 0, 'WITHSCORES')
        free_at = now + 0.05
        if #oldest > 0 then free_at = math.min(free_at, tonumber(oldest[2]) + period) end
      end
      wait = math.max(wait, free_at - now)
    end
    levels[i] = pace_level(i, rate, cap)
    local missing = math.min(cost[i], cap) - levels[i]
    if missing > 0 then wait = math.max(wait, missing / rate) end
  end
end
if wait > 0 then
  keep(period)
  return tostring(wait)
end
for i = 1, 2 do
  if levels[i] ~= nil then set_pace(i, levels[i] - cost[i]) end
end
redis.call('ZADD', pending, now, member)
add('pend_r', 'pend_k', cost[1], cost[2])
keep(period)
return '0'
"""
)

# ARGV: member, counted (0/1), extra tokens, empty requests (0/1), empty tokens (0/1),
# hold seconds, period, then per kind the pace rate and capacity.
_SETTLE = (
    _COMMON
    + """
local member, counted, extra = ARGV[1], ARGV[2] == '1', tonumber(ARGV[3])
local period = tonumber(ARGV[7])
if redis.call('ZREM', pending, member) == 1 then
  local r, k = parts(member)
  add('pend_r', 'pend_k', -r, -k)
  if counted then
    redis.call('ZADD', log, now, member)
    add('log_r', 'log_k', r, k)
  end
end
if extra > 0 then
  redis.call('ZADD', log, now, member .. '+ 0 ' .. tostring(extra))
  add('log_r', 'log_k', 0, extra)
end
for i = 1, 2 do
  local rate, cap = tonumber(ARGV[6 + 2 * i]), tonumber(ARGV[7 + 2 * i])
  if cap > 0 then
    local level = pace_level(i, rate, cap)
    if i == 2 and extra > 0 then level = level - extra end
    if ARGV[3 + i] == '1' then level = math.min(level, 0) end
    set_pace(i, level)
  end
end
local hold = tonumber(ARGV[6])
if hold > 0 then
  local until_ = now + hold
  if until_ > tonumber(redis.call('GET', hold_key) or '0') then
    redis.call('SET', hold_key, tostring(until_), 'PX', math.ceil(hold * 1000))
  end
end
keep(period)
return '0'
"""
)

MAX_POLL = 1.0  # seconds between looks at a held or full budget


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
        if not isinstance(name, str) or not name or any(c.isspace() for c in name):
            raise InvalidParameterError("name", "must be a non-empty str without spaces")
        for param, limit in (
            ("requests_per_minute", requests_per_minute),
            ("tokens_per_minute", tokens_per_minute),
        ):
            if limit is not None and (
                isinstance(limit, bool)
                or not isinstance(limit, int | float)
                or not 2 <= limit < math.inf
            ):
                raise InvalidParameterError(
                    param, f"must be a number >= 2 or None, got {shown(limit)}"
                )
        if isinstance(period, bool) or not isinstance(period, int | float) or not 0 < period < 1e9:
            raise InvalidParameterError("period", f"must be positive seconds, got {shown(period)}")
        self.name = name
        # One hash tag: in a Redis Cluster the keys live on one node, as a script's must.
        self._keys = [f"openai_async:{{{name}}}:{part}" for part in _PARTS]
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
        self._worker = secrets.token_hex(6)  # names this worker's reservations
        self._count = itertools.count()
        self._lock = anyio.Lock()  # this worker's requests in arrival order
        self._answered: anyio.Event | None = None

    def __repr__(self) -> str:
        limits = self.learner.limits()
        return (
            f"<RedisLimiter {self.name!r} requests={limits['requests']} "
            f"tokens={limits['tokens']} period={self.learner.period:g}>"
        )

    def _shape(self, *, window: bool) -> list[float]:
        """Per limit: its window limit (if ``window``), pace rate and capacity; 0s: none."""
        shape: list[float] = []
        for kind in KINDS:
            limit = self.learner.limit(kind)
            if limit is None:
                shape += [0.0, 0.0, 0.0] if window else [0.0, 0.0]
            else:
                shape += ([window_limit(limit)] if window else []) + [
                    *pace_shape(limit, self.learner.period)
                ]
        return shape

    async def _run(self, script: Any, args: list[Any]) -> Any:
        if self._asyncio:
            return await script(keys=self._keys, args=args)
        return await anyio.to_thread.run_sync(lambda: script(keys=self._keys, args=args))

    async def acquire(self, tokens: int) -> Reservation:
        """Wait until the shared budget has one request of ``tokens``; reserve it."""
        member = f"{self._worker}:{next(self._count)} 1 {int(tokens)}"
        async with self._lock:
            while True:
                if not self.learner.may_send():
                    if self._answered is None:
                        self._answered = anyio.Event()
                    await self._answered.wait()
                    continue
                args = [member, tokens, self.learner.period, *self._shape(window=True)]
                wait = float(await self._run(self._acquire, args))
                if wait <= 0:
                    break
                await anyio.sleep(min(wait, MAX_POLL))
            self.learner.sent()
            return Reservation(tokens=tokens, at=anyio.current_time(), handle=member)

    async def settle(self, reservation: Reservation, answer: Answer) -> None:
        """Learn from one answer: count it from now (a 429: not at all), charge extra
        usage, empty spent budgets, hold every worker on a 429."""
        change = self.learner.answered(reservation, answer, anyio.current_time())
        if self._answered is not None:
            self._answered.set()
            self._answered = None
        extra = self.learner.extra_tokens(reservation, answer)
        emptied = () if change is None else change.emptied
        hold = 0.0 if change is None else change.hold
        args = [
            reservation.handle,
            int(not answer.rate_limited),
            extra,
            int("requests" in emptied),
            int("tokens" in emptied),
            hold if math.isfinite(hold) else 0.0,
            self.learner.period,
            *self._shape(window=False),
        ]
        await self._run(self._settle, args)
