"""A task group whose failure reads like a single call's: the first error, unwrapped."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio
from anyio.abc import TaskGroup

__all__ = ["task_group"]


@asynccontextmanager
async def task_group() -> AsyncIterator[TaskGroup]:
    """An anyio task group that raises its first error as itself, not in an ExceptionGroup.

    Whoever called ``create_many`` or ran a batch job made one call, and catches the
    errors one call raises. A group holding a cancellation (or any other
    ``BaseException``) is raised whole, so that cancellation works as the backend expects.
    """
    try:
        async with anyio.create_task_group() as group:
            yield group
    except BaseExceptionGroup as failures:
        if not all(isinstance(error, Exception) for error in failures.exceptions):
            raise
        first = failures.exceptions[0]
    else:
        return
    raise first  # outside the except block: no "during handling" link to the group
