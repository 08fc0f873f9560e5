"""``_pool.ConnectionPool``'s rules, checked directly over any run of requests.

The pool is driven here through its own interface (``Pooled``, ``_connect``, ``_now``)
by connections held in memory, so that hypothesis can try thousands of runs: requests
on a few routes, answers read to their end or not, idle connections that die, time that
passes, limits of every size. Over real connections the same rules are checked in
tests/test_transport.py (``test_own_pool_*``).
"""

from __future__ import annotations

import anyio
import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from openai_async._pool import ConnectionPool
from openai_async._proxy import Origin, Route

ROUTES: list[Origin] = [(b"http", b"a", 80), (b"https", b"a", 443)]
EXPIRY = 10.0


class _Line:
    """A connection in memory: what the pool asks of one, and what the test watches."""

    def __init__(self, route: Route) -> None:
        self.route = route
        self.idle_since = 0.0
        self.ends_cleanly = True  # its answer ended where its bytes did
        self.dead = False  # closed by the server while idle
        self.closed = False
        self.gate: anyio.Event | None = None  # if any: reuse and close wait for it (h11's may)

    def rest(self) -> bool:
        return self.ends_cleanly

    async def reuse(self) -> bool:
        if self.gate is not None:
            await self.gate.wait()
        return not self.dead

    async def close(self) -> None:
        assert not self.closed, "closed twice"
        if self.gate is not None:
            await self.gate.wait()
        self.closed = True


class _MemoryPool(ConnectionPool[_Line]):
    def __init__(self, limits: httpx.Limits) -> None:
        super().__init__(limits, None, None, ("http",))
        self.clock = 0.0
        self.made: list[_Line] = []
        self.gate: anyio.Event | None = None  # if any: connecting waits for it

    async def _connect(self, route: Route, within: float | None) -> _Line:
        if self.gate is not None:
            await self.gate.wait()
        line = _Line(route)
        self.made.append(line)
        return line

    def _now(self) -> float:
        return self.clock


# A step: what happens, and to which: a route, a connection in use or idle, a wait (of
# 1, 6 or 11 s). An answer ends read to its end and cleanly, unless ``which`` says not.
Step = tuple[str, int]
STEPS = st.tuples(st.sampled_from(["get", "get", "end", "end", "die", "wait"]), st.integers(0, 20))


@settings(max_examples=1000, deadline=None)
@given(
    st.lists(STEPS, min_size=20, max_size=60),
    st.one_of(st.none(), st.integers(1, 4)),
    st.one_of(st.none(), st.integers(0, 3)),
)
def test_any_run_of_requests_keeps_the_rules(
    steps: list[Step], max_connections: int | None, max_keepalive: int | None
) -> None:
    """Within the limits; the newest usable idle connection reused; nothing lost or leaked."""
    limits = httpx.Limits(
        max_connections=max_connections,
        max_keepalive_connections=max_keepalive,
        keepalive_expiry=EXPIRY,
    )
    anyio.run(_run, steps, limits)


async def _run(steps: list[Step], limits: httpx.Limits) -> None:
    pool = _MemoryPool(limits)
    in_use: list[_Line] = []
    idle: list[_Line] = []  # as the test expects them, oldest first
    timeouts = {"pool": 0.0}  # a request that would wait fails at once instead
    for kind, which in steps:
        if kind == "get":
            route = ROUTES[which % len(ROUTES)]
            fresh = pool.clock - EXPIRY
            usable = [c for c in idle if c.route == route and not c.dead and c.idle_since >= fresh]
            full = limits.max_connections is not None and len(in_use) >= limits.max_connections
            try:
                line = await pool._acquire(route, httpx.URL(), timeouts)
            except httpx.PoolTimeout:
                idle = [c for c in idle if not c.closed]
                assert full, "it waited with room for a new connection"
                assert not idle, "it waited with an idle connection to give or close"
                continue
            if usable:
                assert line is usable[-1], "not the newest usable idle connection"
            else:
                assert line is pool.made[-1], "not a new connection"
            idle = [c for c in idle if not c.closed and c is not line]
            in_use.append(line)
        elif kind == "end" and in_use:
            line = in_use.pop(which % len(in_use))
            done = which % 4 != 0  # else closed before its end
            cleanly = line.ends_cleanly = which % 4 != 1  # else bytes past its end
            room = limits.max_keepalive_connections is None or (
                len([c for c in idle if not c.closed]) < limits.max_keepalive_connections
            )
            if pool._release(line, done):
                assert all((done, cleanly, room)), "kept a connection it should have closed"
                idle.append(line)
            else:
                assert not (done and cleanly and room), "closed a connection it could keep"
                await line.close()
        elif kind == "die" and idle:
            idle[which % len(idle)].dead = True
        elif kind == "wait":
            pool.clock += (1.0, 6.0, 11.0)[which % 3]
        idle = [c for c in idle if not c.closed]
        open_ = [c for c in pool.made if not c.closed]
        assert all(not c.closed for c in in_use)
        assert pool.counts() == (len(in_use), len(idle))
        assert len(open_) == len(in_use) + len(idle), "a connection counted but lost"
        if limits.max_connections is not None:
            assert len(open_) <= limits.max_connections
        if limits.max_keepalive_connections is not None:
            assert len(idle) <= limits.max_keepalive_connections
    for line in in_use:
        pool._release(line, False)
        await line.close()
    await pool.aclose()
    assert all(c.closed for c in pool.made), "a connection left open"
    with pytest.raises(RuntimeError, match="closed"):
        await pool._acquire(ROUTES[0], httpx.URL(), timeouts)


# -- requests that suspend: a close meanwhile, the order of waiters ----------------------


@pytest.mark.anyio
@pytest.mark.parametrize("where", ["connect", "reuse", "dead", "expired", "making way"])
async def test_a_pool_closed_while_a_request_awaits_refuses_it(where: str) -> None:
    """A request inside an await of its own (connecting, checking or closing a connection)
    as the pool closes is refused when it resumes: the connection it got is closed."""
    pool = _MemoryPool(httpx.Limits(max_connections=1, keepalive_expiry=EXPIRY))
    gate = anyio.Event()
    route = ROUTES[0]
    if where == "connect":
        pool.gate = gate
    else:
        kept = await pool._acquire(ROUTES[1] if where == "making way" else route, httpx.URL(), {})
        assert pool._release(kept, True)
        kept.gate = gate
        kept.dead = where == "dead"
        if where == "expired":
            pool.clock += EXPIRY + 1
    outcome: list[object] = []

    async def request() -> None:
        try:
            outcome.append(await pool._acquire(route, httpx.URL(), {}))
        except RuntimeError as exc:
            outcome.append(exc)

    async with anyio.create_task_group() as tg:
        tg.start_soon(request)
        await anyio.wait_all_tasks_blocked()  # the request waits at the gate
        await pool.aclose()
        gate.set()
    assert len(outcome) == 1
    assert isinstance(outcome[0], RuntimeError), "a closed pool gave a connection"
    assert "closed" in str(outcome[0])
    assert len(pool.made) == 1, "a connection made after the close"
    assert all(line.closed for line in pool.made), "a connection left open"
    assert pool.counts() == (0, 0)
    assert pool._open == 0


@pytest.mark.anyio
@pytest.mark.parametrize("waiting", [1, 2])
async def test_waiters_are_served_first_come_first_served(waiting: int) -> None:
    """A request arriving as a waiter is woken (before it runs) waits behind the waiters."""
    pool = _MemoryPool(httpx.Limits(max_connections=1))
    order: list[str] = []
    held = await pool._acquire(ROUTES[0], httpx.URL(), {})

    async def request(name: str) -> None:
        line = await pool._acquire(ROUTES[0], httpx.URL(), {"pool": 5.0})
        order.append(name)
        await anyio.sleep(0.01)
        pool._release(line, True)

    waiters = [f"waiter {n}" for n in range(waiting)]
    with anyio.fail_after(5):
        async with anyio.create_task_group() as tg:
            for name in waiters:
                tg.start_soon(request, name)
                await anyio.wait_all_tasks_blocked()
            assert pool.counts() == (1 + waiting, 0)
            pool._release(held, True)  # wakes the first waiter, which has not run yet
            await request("newcomer")  # asks at once
    assert order == [*waiters, "newcomer"]


@pytest.mark.anyio
async def test_a_waiter_woken_for_nothing_keeps_its_place() -> None:
    """A waiter woken as a place came free, which the one woken before took, is served
    before those who came after it.

    The first waiter, woken by a connection coming back, finds it dead and makes a new
    one in its place: the second, woken by the place coming free, finds nothing.
    """
    pool = _MemoryPool(httpx.Limits(max_connections=1, keepalive_expiry=None))
    held = await pool._acquire(ROUTES[0], httpx.URL(), {})
    order: list[str] = []

    async def request(name: str) -> None:
        line = await pool._acquire(ROUTES[0], httpx.URL(), {"pool": 5.0})
        order.append(name)
        await anyio.sleep(0.01)
        pool._release(line, True)

    with anyio.fail_after(5):
        async with anyio.create_task_group() as tg:
            for name in ("first", "second", "third"):
                tg.start_soon(request, name)
                await anyio.wait_all_tasks_blocked()
            assert pool._release(held, True)  # wakes the first
            held.dead = True
    assert order == ["first", "second", "third"]
    assert len(pool.made) == 2


@pytest.mark.anyio
async def test_a_request_behind_a_woken_waiter_is_served_with_what_is_left() -> None:
    """Behind a woken waiter, a request waits; if more came free than that waiter takes,
    it is woken for the rest (no one else will free it)."""
    pool = _MemoryPool(httpx.Limits(max_connections=2))
    first = await pool._acquire(ROUTES[0], httpx.URL(), {})
    second = await pool._acquire(ROUTES[0], httpx.URL(), {})
    got: list[_Line] = []

    async def request() -> None:
        got.append(await pool._acquire(ROUTES[0], httpx.URL(), {"pool": 5.0}))

    with anyio.fail_after(2):
        async with anyio.create_task_group() as tg:
            tg.start_soon(request)
            await anyio.wait_all_tasks_blocked()  # it waits, the pool full
            assert pool._release(first, True)  # wakes it
            assert not pool._release(second, False)  # room for one more, no one to wake
            await second.close()
            await request()  # waits behind the woken one, then takes the room left
    assert len(got) == 2
    assert pool.counts() == (2, 0)


@pytest.mark.anyio
async def test_the_pool_timeout_covers_a_wait_after_a_wake_up_for_nothing() -> None:
    """A waiter woken for a connection another takes waits again within its first deadline.

    Here the woken first waiter finds the idle connection dead and makes a new one in its
    place: the second, woken by the place coming free, finds nothing, and waits again
    with no time left (the pool's clock moved past its deadline meanwhile).
    """
    pool = _MemoryPool(httpx.Limits(max_connections=1, keepalive_expiry=None))
    held = await pool._acquire(ROUTES[0], httpx.URL(), {})
    outcome: list[object] = []

    async def request() -> None:
        try:
            outcome.append(await pool._acquire(ROUTES[0], httpx.URL(), {"pool": 100.0}))
        except httpx.PoolTimeout as exc:
            outcome.append(exc)

    with anyio.fail_after(5):  # a deadline reset at the second wait would wait 100 s
        async with anyio.create_task_group() as tg:
            tg.start_soon(request)
            await anyio.wait_all_tasks_blocked()
            tg.start_soon(request)
            await anyio.wait_all_tasks_blocked()
            assert pool._release(held, True)  # wakes the first
            held.dead = True
            pool.clock += 100.0
    assert outcome[0] is pool.made[-1]
    assert isinstance(outcome[1], httpx.PoolTimeout)
