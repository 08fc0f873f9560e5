"""The demo: list the models a server offers.

With OPENAI_API_KEY set it asks the real API (or OPENAI_BASE_URL); without, it starts
the bundled local server in this process and asks that.
"""

from __future__ import annotations

import asyncio
import contextlib
import os

from openai_async import AsyncClient
from openai_async.testing import LocalServer


async def list_models(client: AsyncClient) -> None:
    models = await client.models.list()
    print(f"{len(models)} models at {client.base_url}")
    for model in sorted(models, key=lambda m: m.id):
        print(f"  {model.id:<40} owned by {model.owned_by}")


def main() -> None:
    with contextlib.ExitStack() as stack:
        if os.environ.get("OPENAI_API_KEY"):
            client = AsyncClient()
        else:
            server = stack.enter_context(LocalServer())
            print(f"OPENAI_API_KEY is not set: using the local server at {server.url}")
            client = AsyncClient(base_url=server.url, api_key="")

        async def run() -> None:
            async with client:
                await list_models(client)

        asyncio.run(run())


if __name__ == "__main__":
    main()
