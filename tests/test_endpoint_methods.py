"""Endpoint methods keep their nature through the resources' NOT_GIVEN wrapper.

Decorators written for the official SDK's methods (tenacity's ``retry``, ``backoff``)
choose their async path by ``inspect.iscoroutinefunction``: an ``async def`` endpoint
method must still be one when read from its namespace, or such a decorator calls it
like a plain function and hands back a coroutine, never awaited, never retried.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any

import pytest

from openai_async import NOT_GIVEN, AsyncClient
from openai_async.resources._base import Resource
from openai_async.testing import LocalServer

pytestmark = pytest.mark.anyio


def _resource_classes() -> list[type[Resource]]:
    import openai_async.resources  # every namespace registers its class on import

    found: list[type[Resource]] = []
    pending = list(Resource.__subclasses__())
    while pending:
        cls = pending.pop()
        found.append(cls)
        pending.extend(cls.__subclasses__())
    assert openai_async.resources
    return found


def test_async_endpoint_methods_stay_coroutine_functions() -> None:
    methods = [
        (cls, name, value)
        for cls in _resource_classes()
        for name, value in vars(cls).items()
        if not name.startswith("_") and hasattr(value, "__wrapped__")
    ]
    assert len(methods) > 40  # the wrapper is on every endpoint method
    for cls, name, method in methods:
        expected = inspect.iscoroutinefunction(method.__wrapped__)
        assert inspect.iscoroutinefunction(method) is expected, f"{cls.__name__}.{name}"


def _retried(times: int) -> Callable[[Any], Any]:
    """A decorator as retry libraries write them: the async path by iscoroutinefunction."""

    def decorate(function: Any) -> Any:
        if not inspect.iscoroutinefunction(function):
            return function  # a plain function's path: no await, no retry

        @functools.wraps(function)
        async def again(*args: Any, **kwargs: Any) -> Any:
            for _ in range(times - 1):
                try:
                    return await function(*args, **kwargs)
                except Exception:
                    continue
            return await function(*args, **kwargs)

        return again

    return decorate


async def test_a_retry_decorator_retries_an_endpoint_method(
    client: AsyncClient, server: LocalServer
) -> None:
    """The client retries nothing here (max_retries=0): the decorator's retry must."""
    server.inject(status=500, times=1, path="/v1/embeddings")
    create = _retried(2)(client.embeddings.create)
    reply = await create(model="text-embedding-3-small", input="hi", user=NOT_GIVEN)
    assert reply.data[0].embedding
    assert len(server.requests) == 2
