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
    errors one call raises: a ``KeyboardInterrupt`` or ``SystemExit`` comes first,
    as itself too. A group holding a cancellation is raised whole, so that
    cancellation works as the backend expects.
    """
    try:
        async with anyio.create_task_group() as group:
            yield group
    except BaseExceptionGroup as failures:
        errors = failures.exceptions
        if any(isinstance(error, anyio.get_cancelled_exc_class()) for error in errors):
            raise
        first = next((e for e in errors if not isinstance(e, Exception)), errors[0])
    else:
        return
    raise first  # outside the except block: no "during handling" link to the group
