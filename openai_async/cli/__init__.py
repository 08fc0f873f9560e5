"""The command line: ``openai-async`` or ``python -m openai_async``.

    openai-async api models.list
    openai-async api chat.completions.create -m gpt-4o-mini -g user "Hi" --stream
    openai-async api fine_tunes.create -t train.jsonl -m davinci
    openai-async api fine_tuning.jobs.create -t train.jsonl -m gpt-4o-mini-2024-07-18
    openai-async api batches.create -i requests.jsonl -e /v1/chat/completions
    openai-async api responses.create -m gpt-4o-mini "Hi" --stream
    openai-async batch run requests.jsonl --out results.jsonl --rpm 500
    openai-async serve --port 8000

Built on the standard library's argparse: the CLI ships with the package, so it adds no
dependency and nothing to ``import openai_async``; argparse already gives nested verbs,
``--help`` everywhere and usage errors (exit 2). A failure prints one line on stderr,
never a traceback, and exits with a code per kind of failure (``_output.EXIT``).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
from collections.abc import Sequence
from typing import Any, TextIO

from .._client import AsyncClient
from .._exceptions import OpenAIError
from . import _today  # noqa: F401  (registers today's verbs in VERBS)
from ._api import VERBS
from ._batch import add_batch_arguments, run_batch
from ._output import EXIT, Output, error_line, exit_code

__all__ = ["EXIT", "main", "run"]


def _common(parser: argparse.ArgumentParser, *, defaults: bool) -> None:
    """Connection and output options, accepted before or after the verb."""
    # After the verb they must not overwrite what was given before it: SUPPRESS there.
    default: Any = None if defaults else argparse.SUPPRESS
    # The short forms only before the verb, where verbs' own flags cannot clash with them.
    group = parser.add_argument_group("connection and output")
    short = {"k": ["-k"], "b": ["-b"], "o": ["-o"]} if defaults else {"k": [], "b": [], "o": []}
    group.add_argument(*short["k"], "--api-key", default=default, help="else OPENAI_API_KEY")
    group.add_argument(*short["b"], "--base-url", default=default, help="else OPENAI_BASE_URL")
    group.add_argument(*short["o"], "--organization", default=default, help="else OPENAI_ORG_ID")
    group.add_argument("--timeout", type=float, default=default, help="seconds per request")
    group.add_argument("--max-retries", type=int, default=default, help="2 by default")
    group.add_argument(
        "--json",
        action="store_true",
        default=False if defaults else argparse.SUPPRESS,
        help="print JSON, one document per line, instead of text",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="openai-async",
        description="Call the OpenAI API or any compatible server, run batch jobs, "
        "serve the local test server.",
    )
    _common(parser, defaults=True)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    api = commands.add_parser("api", help="call one endpoint", description="Call one endpoint.")
    verbs = api.add_subparsers(dest="verb", required=True, metavar="VERB")
    for verb in VERBS.values():
        sub = verbs.add_parser(
            verb.name, aliases=list(verb.aliases), help=verb.help, description=verb.help
        )
        for argument in verb.arguments:
            sub.add_argument(*argument.flags, **argument.options)
        _common(sub, defaults=False)
        sub.set_defaults(run=verb.run)

    batch = commands.add_parser("batch", help="run many requests", description="Batch jobs.")
    batch_verbs = batch.add_subparsers(dest="verb", required=True, metavar="VERB")
    batch_run = batch_verbs.add_parser(
        "run",
        help="run a Batch API input file live, resumably",
        description="Run a Batch API input file (JSON Lines) under rate limits. Results "
        "go to --out as they finish; running the same command again resumes.",
    )
    add_batch_arguments(batch_run)
    _common(batch_run, defaults=False)
    batch_run.set_defaults(run=run_batch)

    serve = commands.add_parser(
        "serve",
        help="run the local OpenAI-compatible server",
        description="Run the bundled OpenAI-compatible server (deterministic answers, "
        "no key needed) until Ctrl-C.",
    )
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--api-key", dest="server_key", help="demand this bearer key")
    return parser


def _client(args: argparse.Namespace) -> AsyncClient:
    options: dict[str, Any] = {
        name: getattr(args, name)
        for name in ("api_key", "base_url", "organization", "timeout", "max_retries")
        if getattr(args, name) is not None
    }
    return AsyncClient(**options)


async def _run(args: argparse.Namespace, out: Output) -> int:
    async with _client(args) as client:
        code = await args.run(client, args, out)
    return EXIT["ok"] if code is None else int(code)


def run(argv: Sequence[str] | None = None, *, stdout: TextIO | None = None) -> int:
    """Run the command line with ``argv``; the exit code (argparse's usage errors exit 2)."""
    args = build_parser().parse_args(argv)
    if args.command == "serve":
        from ..testing import serve

        with contextlib.suppress(KeyboardInterrupt):
            asyncio.run(serve(args.host, args.port, args.server_key))
        return EXIT["ok"]
    out = Output(json_lines=args.json, stdout=stdout)
    try:
        return asyncio.run(_run(args, out))
    except KeyboardInterrupt:
        print("openai-async: interrupted", file=sys.stderr)
        return EXIT["interrupted"]
    except (OpenAIError, OSError) as exc:
        out.stdout.flush()
        print(error_line(exc), file=sys.stderr)
        return exit_code(exc)


def main(argv: Sequence[str] | None = None) -> None:
    """The ``openai-async`` entry point."""
    sys.exit(run(argv))
