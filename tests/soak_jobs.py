"""Batch jobs at a larger scale: ``nox -s jobs_soak`` (minutes; never in the default run).

Not collected by a plain ``pytest`` (the name does not start with ``test_``); the
soak session names it. The done-when measurements of issue 15: told the right limit,
150 % or nothing, a job reaches >= 95 % of the achievable rate and loses nothing,
requests or tokens binding; 4 worker processes on one Redis budget stay within the
limit at >= 90 % of it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from .test_batch_live import run_case
from .test_batch_redis import budget_name, redis_url, run_workers

__all__ = ["budget_name", "redis_url"]  # fixtures, used by name

pytestmark = [pytest.mark.anyio, pytest.mark.parametrize("anyio_backend", ["asyncio"])]


@pytest.mark.parametrize("told", ["right", "150%", "none"])
@pytest.mark.parametrize("bound", ["requests", "tokens"])
async def test_six_combinations_at_95_percent(cli_server: str, bound: str, told: str) -> None:
    """About ten windows each: >= 95 % of the achievable rate, nothing lost, no 429."""
    outcome = await run_case(cli_server, bound, told, headers=True, n=1000)
    assert outcome["lost"] == 0
    assert outcome["rejected"] == 0
    assert outcome["utilisation"] >= 0.95, outcome


@pytest.mark.parametrize("told", ["right", "150%", "none"])
@pytest.mark.parametrize("bound", ["requests", "tokens"])
async def test_without_headers(cli_server: str, bound: str, told: str) -> None:
    """No rate-limit headers at all: 429s alone teach the limit; nothing lost."""
    outcome = await run_case(cli_server, bound, told, headers=False, n=1000)
    assert outcome["lost"] == 0
    assert outcome["utilisation"] >= 0.9, outcome


def test_four_workers_on_one_redis_budget(
    redis_url: str, budget_name: str, cli_server: str, tmp_path: Path
) -> None:
    """2,000 items in 4 processes: every window within the limit, >= 90 % of it used."""
    run_workers(redis_url, budget_name, cli_server, tmp_path, per_worker=500, limit=200)
