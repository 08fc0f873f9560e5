"""``openai-async api VERB``: one verb per endpoint, named as the 2023 ``openai api`` CLI named it.

A verb is a decorated function and its arguments; adding an endpoint's verb is a few
lines here (``@verb("name", "help", arg(...))`` then the call and what to print).
"""

from __future__ import annotations

import argparse
import datetime
import os
from collections.abc import Awaitable, Callable
from typing import Any, Final

import anyio
import attrs

from .._client import AsyncClient
from ._output import EXIT, Output

__all__ = ["TRAINING_FILES", "VERBS", "Verb"]

Run = Callable[[AsyncClient, argparse.Namespace, Output], Awaitable[int | None]]


@attrs.frozen
class Arg:
    flags: tuple[str, ...]
    options: dict[str, Any]


def arg(*flags: str, **options: Any) -> Arg:
    """An argparse argument of a verb: ``add_argument``'s parameters, kept for later."""
    return Arg(flags, options)


@attrs.frozen
class Verb:
    name: str
    help: str
    arguments: tuple[Arg, ...]
    run: Run
    aliases: tuple[str, ...] = ()


VERBS: dict[str, Verb] = {}


def verb(
    name: str, help: str, *arguments: Arg, aliases: tuple[str, ...] = ()
) -> Callable[[Run], Run]:
    def register(run: Run) -> Run:
        VERBS[name] = Verb(name, help, arguments, run, aliases)
        return run

    return register


def given(args: argparse.Namespace, *names: str) -> dict[str, Any]:
    """The named options the user gave (None ones left out, so the server's defaults apply)."""
    return {name: getattr(args, name) for name in names if getattr(args, name) is not None}


def pair(text: str) -> tuple[str, str]:
    """``KEY=VALUE`` (an argparse type: a usage error otherwise)."""
    key, sep, value = text.partition("=")
    if not sep or not key:
        raise argparse.ArgumentTypeError(f"expected KEY=VALUE, got {text!r}")
    return key, value


ID = arg("-i", "--id", required=True, help="the object's id")
MODEL = arg("-m", "--model", required=True, help="the model's id")
STREAM = arg("--stream", action="store_true", help="print the answer as it arrives")
MAX_TOKENS = arg("-M", "--max-tokens", dest="max_tokens", type=int)
TEMPERATURE = arg("-t", "--temperature", type=float)
TOP_P = arg("-P", "--top-p", dest="top_p", type=float)
N = arg("-n", "--n", type=int, help="how many answers")
STOP = arg("--stop", action="append", help="a stop sequence (repeat for more)")

# -- models ------------------------------------------------------------------------


@verb("models.list", "List the models.")
async def models_list(client: AsyncClient, args: argparse.Namespace, out: Output) -> None:
    page = await client.models.list()
    out.rows(page, sorted(page, key=lambda m: m.id), "id", "owned_by")


@verb("models.get", "Show a model.", ID, aliases=("models.retrieve",))
async def models_get(client: AsyncClient, args: argparse.Namespace, out: Output) -> None:
    out.result(await client.models.retrieve(args.id))


@verb("models.delete", "Delete a fine-tuned model.", ID)
async def models_delete(client: AsyncClient, args: argparse.Namespace, out: Output) -> None:
    out.result(await client.models.delete(args.id))


# -- chat and completions ----------------------------------------------------------


@verb(
    "chat.completions.create",
    "Answer a conversation.",
    MODEL,
    arg(
        "-g",
        "--message",
        nargs=2,
        action="append",
        metavar=("ROLE", "CONTENT"),
        required=True,
        help="a message (repeat for a conversation): -g system 'Be brief.' -g user Hi",
    ),
    N,
    MAX_TOKENS,
    TEMPERATURE,
    TOP_P,
    STOP,
    STREAM,
)
async def chat_create(client: AsyncClient, args: argparse.Namespace, out: Output) -> None:
    messages = [{"role": role, "content": content} for role, content in args.message]
    params = given(args, "n", "max_tokens", "temperature", "top_p", "stop")
    if args.stream:
        stream = await client.chat.completions.create(
            model=args.model, messages=messages, stream=True, **params
        )
        async with stream:
            async for chunk in stream:
                if out.json_lines:
                    out.data(chunk)
                for choice in chunk.choices:
                    out.line(choice.delta.content or "", end="")
        out.line()
        return
    reply = await client.chat.completions.create(model=args.model, messages=messages, **params)
    texts = [choice.message.content or "" for choice in reply.choices]
    out.result(reply, "\n\n".join(texts))


@verb(
    "completions.create",
    "Complete a prompt.",
    MODEL,
    arg("-p", "--prompt", action="append", required=True, help="a prompt (repeat for more)"),
    N,
    MAX_TOKENS,
    TEMPERATURE,
    TOP_P,
    STOP,
    STREAM,
)
async def completions_create(client: AsyncClient, args: argparse.Namespace, out: Output) -> None:
    prompt = args.prompt[0] if len(args.prompt) == 1 else args.prompt
    params = given(args, "n", "max_tokens", "temperature", "top_p", "stop")
    if args.stream:
        stream = await client.completions.create(
            model=args.model, prompt=prompt, stream=True, **params
        )
        async with stream:
            async for chunk in stream:
                if out.json_lines:
                    out.data(chunk)
                for choice in chunk.choices:
                    out.line(choice.text, end="")
        out.line()
        return
    reply = await client.completions.create(model=args.model, prompt=prompt, **params)
    out.result(reply, "\n\n".join(choice.text for choice in reply.choices))


# -- embeddings, moderations, images, audio ----------------------------------------


@verb(
    "embeddings.create",
    "Embed texts.",
    MODEL,
    arg("-i", "--input", action="append", required=True, help="a text (repeat for more)"),
)
async def embeddings_create(client: AsyncClient, args: argparse.Namespace, out: Output) -> None:
    texts = args.input[0] if len(args.input) == 1 else args.input
    reply = await client.embeddings.create(model=args.model, input=texts)
    lines = []
    for item in reply.data:
        head = ", ".join(f"{x:.4f}" for x in item.embedding[:3])
        lines.append(f"{item.index}: {len(item.embedding)} floats [{head}, ...]")
    out.result(reply, "\n".join(lines))


@verb("moderations.create", "Classify a text.", arg("-i", "--input", required=True))
async def moderations_create(client: AsyncClient, args: argparse.Namespace, out: Output) -> None:
    reply = await client.moderations.create(input=args.input)
    flagged = ", ".join(name for name, hit in reply.results[0].categories.to_dict().items() if hit)
    out.result(reply, f"flagged: {flagged}" if flagged else "not flagged")


@verb(
    "images.generate",
    "Make images from a prompt.",
    arg("-p", "--prompt", required=True),
    N,
    arg("-s", "--size", help="256x256, 512x512 or 1024x1024"),
    arg("--response-format", dest="response_format", help="url or b64_json"),
)
async def images_generate(client: AsyncClient, args: argparse.Namespace, out: Output) -> None:
    params = given(args, "n", "size", "response_format")
    reply = await client.images.generate(prompt=args.prompt, **params)
    lines = [
        image.url or f"(base64, {len(image.b64_json or '')} characters)" for image in reply.data
    ]
    out.result(reply, "\n".join(lines))


AUDIO_ARGS = (
    arg("-f", "--file", required=True, help="the audio file"),
    arg("-m", "--model", default="whisper-1"),
    arg("--prompt"),
    arg("--response-format", dest="response_format", help="json, text, srt, verbose_json, vtt"),
    TEMPERATURE,
)


@verb(
    "audio.transcriptions.create",
    "Transcribe an audio file.",
    *AUDIO_ARGS,
    arg("--language", help="ISO-639-1, e.g. en"),
)
async def transcribe(client: AsyncClient, args: argparse.Namespace, out: Output) -> None:
    params = given(args, "prompt", "response_format", "temperature", "language")
    answer = await client.audio.transcriptions.create(file=args.file, model=args.model, **params)
    _print_audio(answer, out)


@verb("audio.translations.create", "Translate an audio file into English.", *AUDIO_ARGS)
async def translate(client: AsyncClient, args: argparse.Namespace, out: Output) -> None:
    params = given(args, "prompt", "response_format", "temperature")
    answer = await client.audio.translations.create(file=args.file, model=args.model, **params)
    _print_audio(answer, out)


def _print_audio(answer: Any, out: Output) -> None:
    if isinstance(answer, str):  # text, srt, vtt
        out.result(answer, answer.rstrip("\n"))
    else:
        out.result(answer, answer.text)


# -- files -------------------------------------------------------------------------


@verb("files.list", "List the uploaded files.", arg("-p", "--purpose"))
async def files_list(client: AsyncClient, args: argparse.Namespace, out: Output) -> None:
    page = await client.files.list(purpose=args.purpose)
    out.rows(page, page, "id", "purpose", "bytes", "filename")


@verb(
    "files.create",
    "Upload a file.",
    arg("-f", "--file", required=True, help="a path"),
    arg("-p", "--purpose", default="fine-tune"),
)
async def files_create(client: AsyncClient, args: argparse.Namespace, out: Output) -> None:
    uploaded = await client.files.create(file=args.file, purpose=args.purpose)
    out.result(uploaded, uploaded.id)


@verb("files.get", "Show a file.", ID, aliases=("files.retrieve",))
async def files_get(client: AsyncClient, args: argparse.Namespace, out: Output) -> None:
    out.result(await client.files.retrieve(args.id))


@verb("files.delete", "Delete a file.", ID)
async def files_delete(client: AsyncClient, args: argparse.Namespace, out: Output) -> None:
    out.result(await client.files.delete(args.id))


@verb(
    "files.content",
    "Download a file's content (to stdout, or to -o PATH).",
    ID,
    arg("-o", "--output", help="write it here instead (streamed; replaced only when complete)"),
)
async def files_content(client: AsyncClient, args: argparse.Namespace, out: Output) -> None:
    size = await write_content(client, args.id, args.output, out)
    if size is not None:
        out.result(
            {"id": args.id, "path": args.output, "bytes": size}, f"{size} bytes -> {args.output}"
        )


async def write_content(
    client: AsyncClient, file_id: str, path: str | None, out: Output
) -> int | None:
    """A file's content to ``path`` (streamed; its size returned), or to stdout (None)."""
    if path is not None:
        return await client.files.download(file_id, path)
    content = await client.files.content(file_id)
    buffer = getattr(out.stdout, "buffer", None)
    if buffer is None:  # a text stream with no bytes beneath it
        out.stdout.write(content.text)
    else:
        out.stdout.flush()
        buffer.write(content)
        buffer.flush()
    return None


# -- fine-tunes (2023) -------------------------------------------------------------

_FINE_TUNE_OPTIONS = ("n_epochs", "batch_size", "learning_rate_multiplier", "prompt_loss_weight")
_DONE = {"succeeded": EXIT["ok"], "failed": EXIT["failed"], "cancelled": EXIT["failed"]}


async def file_id(
    client: AsyncClient, name: str, out: Output, *, purpose: str = "fine-tune"
) -> str:
    """An uploaded file's id: ``name`` itself, or the id ``name``'s upload gets if it is a path."""
    if not await anyio.Path(name).is_file():
        if os.path.sep in name or name.endswith(".jsonl"):
            raise FileNotFoundError(2, "No such file", name)
        return name
    uploaded = await client.files.create(file=name, purpose=purpose)
    out.line(f"Uploaded {name}: {uploaded.id}")
    return uploaded.id


# The files of a fine-tune, old or new: a path is uploaded first.
TRAINING_FILES: Final = (
    arg(
        "-t",
        "--training-file",
        "--training_file",
        dest="training_file",
        required=True,
        help="path or file id",
    ),
    arg(
        "-v",
        "--validation-file",
        "--validation_file",
        dest="validation_file",
        help="path or file id",
    ),
)


@verb(
    "fine_tunes.create",
    "Start a fine-tune on a file (a path is uploaded first), then follow its events.",
    *TRAINING_FILES,
    arg("-m", "--model", help="the base model (the server's default if left out)"),
    arg("--suffix"),
    arg("--n-epochs", "--n_epochs", dest="n_epochs", type=int),
    arg("--batch-size", "--batch_size", dest="batch_size", type=int),
    arg(
        "--learning-rate-multiplier",
        "--learning_rate_multiplier",
        dest="learning_rate_multiplier",
        type=float,
    ),
    arg("--prompt-loss-weight", "--prompt_loss_weight", dest="prompt_loss_weight", type=float),
    arg(
        "--no-follow",
        "--no_follow",
        dest="no_follow",
        action="store_true",
        help="return once created",
    ),
)
async def fine_tunes_create(client: AsyncClient, args: argparse.Namespace, out: Output) -> int:
    training = await file_id(client, args.training_file, out)
    validation = None
    if args.validation_file is not None:
        validation = await file_id(client, args.validation_file, out)
    job = await client.fine_tunes.create(
        training_file=training,
        validation_file=validation,
        **given(args, "model", "suffix", *_FINE_TUNE_OPTIONS),
    )
    out.result(job, f"Created fine-tune: {job.id}")
    if args.no_follow:
        return EXIT["ok"]
    return await _follow(client, job.id, out)


@verb("fine_tunes.follow", "Print a fine-tune's events until it ends.", ID)
async def fine_tunes_follow(client: AsyncClient, args: argparse.Namespace, out: Output) -> int:
    return await _follow(client, args.id, out)


async def _follow(client: AsyncClient, job_id: str, out: Output) -> int:
    stream = await client.fine_tunes.list_events(job_id, stream=True)
    async with stream:
        async for event in stream:
            out.result(event, f"[{when(event.created_at)}] {event.message}")
    job = await client.fine_tunes.retrieve(job_id)
    if job.status == "succeeded":
        out.line(f"Job complete: {job.fine_tuned_model}")
    else:
        out.line(f"Job {job.status}")
    return _DONE.get(job.status, EXIT["ok"])


def when(timestamp: int) -> str:
    return datetime.datetime.fromtimestamp(timestamp).isoformat(sep=" ")


@verb("fine_tunes.list", "List the fine-tunes.")
async def fine_tunes_list(client: AsyncClient, args: argparse.Namespace, out: Output) -> None:
    page = await client.fine_tunes.list()
    out.rows(page, page, "id", "model", "status", "fine_tuned_model")


@verb("fine_tunes.get", "Show a fine-tune.", ID, aliases=("fine_tunes.retrieve",))
async def fine_tunes_get(client: AsyncClient, args: argparse.Namespace, out: Output) -> None:
    out.result(await client.fine_tunes.retrieve(args.id))


@verb("fine_tunes.cancel", "Cancel a fine-tune.", ID)
async def fine_tunes_cancel(client: AsyncClient, args: argparse.Namespace, out: Output) -> None:
    job = await client.fine_tunes.cancel(args.id)
    out.result(job, f"{job.id} {job.status}")


@verb("fine_tunes.events", "Print a fine-tune's events so far.", ID)
async def fine_tunes_events(client: AsyncClient, args: argparse.Namespace, out: Output) -> None:
    page = await client.fine_tunes.list_events(args.id)
    if out.json_lines:
        out.data(page)
        return
    for event in page:
        out.line(f"[{when(event.created_at)}] {event.message}")
