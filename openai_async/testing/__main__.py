"""``python -m openai_async.testing --port N``: run the local server."""

from __future__ import annotations

import argparse
import asyncio
import contextlib

from ._server import serve


def main() -> None:
    parser = argparse.ArgumentParser(description="Run the local OpenAI-compatible server.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--api-key", default=None, help="demand this bearer key")
    args = parser.parse_args()
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(args.host, args.port, args.api_key))


if __name__ == "__main__":
    main()
