"""Never run: exercises the public API so that ``mypy --strict`` checks its types.

Checked by ``nox -s mypy``. Each ``assert_type`` pins what a user's editor sees.
"""

from __future__ import annotations

from typing import Any, assert_type

import httpx

import openai_async
from openai_async import AsyncClient, CallNext
from openai_async.testing import LocalServer
from openai_async.types import ListResponse, Model, ModelDeleted


async def add_header(request: httpx.Request, call_next: CallNext) -> httpx.Response:
    request.headers["x-team"] = "search"
    return await call_next(request)


async def main() -> None:
    with LocalServer() as server:
        async with AsyncClient(base_url=server.url, api_key="", middleware=[add_header]) as client:
            models = await client.models.list()
            assert_type(models, ListResponse[Model])
            for model in models:
                assert_type(model.id, str)
                assert_type(model.owned_by, str | None)
            assert_type(await client.models.retrieve("gpt-4o-mini"), Model)
            assert_type(await client.models.delete("ft:x"), ModelDeleted)
            assert_type(client.with_options(timeout=3.0, max_retries=0), AsyncClient)
            assert_type(client.with_options(timeout=None), AsyncClient)
            assert_type(await client.request("GET", "models"), Any)
            assert_type(await client.request("GET", "models", cast_to=bytes), bytes)
            assert_type(await client.request("GET", "models/x", cast_to=Model), Model)
            fault = server.inject(status=503, headers={"retry-after": "1"}, times=2)
            assert_type(fault.times, int)
            try:
                await client.models.list()
            except openai_async.RateLimitError as exc:
                assert_type(exc.status_code, int)
                assert_type(exc.request_id, str | None)
                assert_type(exc.code, str | None)
                assert_type(exc.body, object)
            except openai_async.APIConnectionError as exc:
                assert_type(exc.request, httpx.Request | None)
        assert_type(model.extra["anything"], Any)
        assert_type(model.to_dict(), dict[str, Any])


async def with_aiohttp() -> None:
    transport = openai_async.aiohttp_transport(limits=httpx.Limits(max_connections=500))
    assert_type(transport, httpx.AsyncBaseTransport)
    async with AsyncClient(api_key="", transport=openai_async.aiohttp_transport()) as client:
        assert_type(await client.models.list(), ListResponse[Model])
