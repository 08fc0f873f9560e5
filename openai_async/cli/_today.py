"""Today's verbs: ``fine_tuning.jobs.*``, ``batches.*`` and ``responses.*``.

Registered in ``VERBS`` on import, as ``_api``'s verbs are; the same conventions: ``-i``
for an object's id, ``get`` prints the object as JSON, ``cancel`` and the like print
``ID STATUS``, listings one line per item, and ``--json`` the server's answers.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Any, Final

import anyio

from .._client import AsyncClient
from .._exceptions import InvalidParameterError
from ..types import (
    Batch,
    FineTuningJob,
    Response,
    ResponseErrorEvent,
    ResponseFailedEvent,
    ResponseOutputMessage,
    ResponseOutputRefusal,
    ResponseRefusalDeltaEvent,
    ResponseTextDeltaEvent,
)
from ._api import (
    ID,
    MODEL,
    STREAM,
    TEMPERATURE,
    TOP_P,
    TRAINING_FILES,
    arg,
    file_id,
    given,
    pair,
    verb,
    when,
    write_content,
)
from ._output import EXIT, Output, fail

__all__: list[str] = []

_JOB_END: Final = {"succeeded": EXIT["ok"], "failed": EXIT["failed"], "cancelled": EXIT["failed"]}
_BATCH_END: Final = frozenset({"completed", "failed", "expired", "cancelled"})
_EVENTS_PAGE: Final = 100  # events asked for per request while following


def _int_or_auto(text: str) -> int | str:
    return text if text == "auto" else int(text)


def _float_or_auto(text: str) -> float | str:
    return text if text == "auto" else float(text)


# argparse names the type in its usage errors: "invalid int_or_auto value: 'x'".
_int_or_auto.__name__ = "int_or_auto"
_float_or_auto.__name__ = "float_or_auto"


def _interval(text: str) -> float:
    seconds = float(text)
    if not seconds > 0:
        raise argparse.ArgumentTypeError(f"must be above 0, got {text!r}")
    return seconds


LIMIT = arg("--limit", type=int, help="the most items on the page")
AFTER = arg("--after", help="start after this id (the last one of the page before)")
METADATA = arg(
    "--metadata",
    type=pair,
    action="append",
    metavar="KEY=VALUE",
    help="a metadata pair (repeat for more)",
)
INTERVAL = arg(
    "--interval",
    type=_interval,
    default=2.0,
    metavar="SECONDS",
    help="seconds between two polls (2)",
)


def _metadata(pairs: Sequence[tuple[str, str]] | None) -> dict[str, str] | None:
    return None if pairs is None else dict(pairs)


# -- fine-tuning jobs ------------------------------------------------------------------


def _hyperparameters(args: argparse.Namespace) -> dict[str, Any] | None:
    """The ``method`` to send: None when neither it nor a hyperparameter was given."""
    chosen = given(args, "n_epochs", "batch_size", "learning_rate_multiplier", "beta")
    if args.method is None and not chosen:
        return None
    kind = args.method or "supervised"
    if "beta" in chosen and kind != "dpo":
        raise InvalidParameterError("beta", "is a hyperparameter of --method dpo only")
    settings: dict[str, Any] = {"hyperparameters": chosen} if chosen else {}
    return {"type": kind, kind: settings}


@verb(
    "fine_tuning.jobs.create",
    "Start a fine-tuning job on a file (a path is uploaded first), then follow its events.",
    *TRAINING_FILES,
    arg("-m", "--model", required=True, help="the base model"),
    arg("--suffix", help="up to 64 characters, added to the new model's name"),
    arg("--method", choices=("supervised", "dpo"), help="supervised unless told"),
    arg("--n-epochs", "--n_epochs", dest="n_epochs", type=_int_or_auto, help="a number or auto"),
    arg(
        "--batch-size",
        "--batch_size",
        dest="batch_size",
        type=_int_or_auto,
        help="a number or auto",
    ),
    arg(
        "--learning-rate-multiplier",
        "--learning_rate_multiplier",
        dest="learning_rate_multiplier",
        type=_float_or_auto,
        help="a number or auto",
    ),
    arg("--beta", type=_float_or_auto, help="dpo only: a number or auto"),
    arg("--seed", type=int),
    METADATA,
    arg(
        "--no-follow",
        "--no_follow",
        dest="no_follow",
        action="store_true",
        help="return once created",
    ),
    INTERVAL,
)
async def jobs_create(client: AsyncClient, args: argparse.Namespace, out: Output) -> int:
    method = _hyperparameters(args)  # checked before anything is uploaded
    training = await file_id(client, args.training_file, out)
    validation = None
    if args.validation_file is not None:
        validation = await file_id(client, args.validation_file, out)
    job = await client.fine_tuning.jobs.create(
        model=args.model,
        training_file=training,
        validation_file=validation,
        method=method,
        metadata=_metadata(args.metadata),
        **given(args, "suffix", "seed"),
    )
    out.result(job, f"Created fine-tuning job: {job.id}")
    if args.no_follow:
        return EXIT["ok"]
    return await _follow_job(client, job.id, out, args.interval)


@verb(
    "fine_tuning.jobs.follow",
    "Print a fine-tuning job's events as they come, until it ends.",
    ID,
    INTERVAL,
)
async def jobs_follow(client: AsyncClient, args: argparse.Namespace, out: Output) -> int:
    return await _follow_job(client, args.id, out, args.interval)


async def _follow_job(client: AsyncClient, job_id: str, out: Output, interval: float) -> int:
    """Poll the job and its events, printing the new ones oldest first, until it ends."""
    jobs = client.fine_tuning.jobs
    newest: str | None = None  # the last event printed
    while True:
        # The job first: once it has ended, the events listed after it hold its end.
        job = await jobs.retrieve(job_id)
        fresh = []
        async for event in jobs.list_events(job_id, limit=_EVENTS_PAGE):  # newest first
            if event.id == newest:
                break
            fresh.append(event)
        for event in reversed(fresh):
            out.result(event, f"[{when(event.created_at)}] {event.message}")
        if fresh:
            newest = fresh[0].id
        if job.status in _JOB_END:
            break
        await anyio.sleep(interval)
    out.line(_job_end(job))
    return _JOB_END[job.status]


def _job_end(job: FineTuningJob) -> str:
    if job.status == "succeeded":
        return f"Job complete: {job.fine_tuned_model}"
    if job.error is not None:
        return f"Job {job.status}: {job.error.message}"
    return f"Job {job.status}"


@verb(
    "fine_tuning.jobs.list",
    "List the fine-tuning jobs, newest first (one page).",
    LIMIT,
    AFTER,
    METADATA,
)
async def jobs_list(client: AsyncClient, args: argparse.Namespace, out: Output) -> None:
    page = await client.fine_tuning.jobs.list(
        after=args.after, limit=args.limit, metadata=_metadata(args.metadata)
    )
    out.rows(page, page, "id", "model", "status", "fine_tuned_model")


@verb(
    "fine_tuning.jobs.get",
    "Show a fine-tuning job.",
    ID,
    aliases=("fine_tuning.jobs.retrieve",),
)
async def jobs_get(client: AsyncClient, args: argparse.Namespace, out: Output) -> None:
    out.result(await client.fine_tuning.jobs.retrieve(args.id))


@verb("fine_tuning.jobs.cancel", "Cancel a fine-tuning job.", ID)
async def jobs_cancel(client: AsyncClient, args: argparse.Namespace, out: Output) -> None:
    job = await client.fine_tuning.jobs.cancel(args.id)
    out.result(job, f"{job.id} {job.status}")


@verb("fine_tuning.jobs.pause", "Pause a running fine-tuning job.", ID)
async def jobs_pause(client: AsyncClient, args: argparse.Namespace, out: Output) -> None:
    job = await client.fine_tuning.jobs.pause(args.id)
    out.result(job, f"{job.id} {job.status}")


@verb("fine_tuning.jobs.resume", "Resume a paused fine-tuning job.", ID)
async def jobs_resume(client: AsyncClient, args: argparse.Namespace, out: Output) -> None:
    job = await client.fine_tuning.jobs.resume(args.id)
    out.result(job, f"{job.id} {job.status}")


@verb(
    "fine_tuning.jobs.events",
    "Print a fine-tuning job's latest events (one page, oldest first).",
    ID,
    LIMIT,
    AFTER,
    aliases=("fine_tuning.jobs.list_events",),
)
async def jobs_events(client: AsyncClient, args: argparse.Namespace, out: Output) -> None:
    page = await client.fine_tuning.jobs.list_events(args.id, after=args.after, limit=args.limit)
    if out.json_lines:
        out.data(page)
        return
    for event in reversed(page.data):
        out.line(f"[{when(event.created_at)}] {event.message}")


@verb(
    "fine_tuning.jobs.checkpoints.list",
    "List a fine-tuning job's checkpoints, newest first (one page).",
    ID,
    LIMIT,
    AFTER,
)
async def jobs_checkpoints(client: AsyncClient, args: argparse.Namespace, out: Output) -> None:
    page = await client.fine_tuning.jobs.checkpoints.list(
        args.id, after=args.after, limit=args.limit
    )
    if out.json_lines:
        out.data(page)
        return
    for checkpoint in page:
        loss = checkpoint.metrics.train_loss
        out.line(
            f"{checkpoint.step_number}  {checkpoint.fine_tuned_model_checkpoint}"
            f"  train_loss={'' if loss is None else loss}"
        )


# -- batches ---------------------------------------------------------------------------


@verb(
    "batches.create",
    "Start a batch on a Batch API input file (a path is uploaded first, purpose batch).",
    arg(
        "-i",
        "--input-file",
        "--input_file",
        dest="input_file",
        required=True,
        help="path (JSON Lines) or file id",
    ),
    arg(
        "-e",
        "--endpoint",
        required=True,
        help="what the lines call, e.g. /v1/chat/completions",
    ),
    arg(
        "-w",
        "--completion-window",
        "--completion_window",
        dest="completion_window",
        default="24h",
        help="24h (the only one the service offers)",
    ),
    METADATA,
)
async def batches_create(client: AsyncClient, args: argparse.Namespace, out: Output) -> None:
    if not args.endpoint.startswith("/"):  # before the upload, as the client checks it
        raise InvalidParameterError("endpoint", "expected a path like '/v1/chat/completions'")
    input_file = await file_id(client, args.input_file, out, purpose="batch")
    batch = await client.batches.create(
        input_file_id=input_file,
        endpoint=args.endpoint,
        completion_window=args.completion_window,
        metadata=_metadata(args.metadata),
    )
    out.result(batch, f"Created batch: {batch.id} ({batch.status})")


def _counts(batch: Batch) -> str:
    counts = batch.request_counts
    if counts is None:
        return ""
    failed = f", {counts.failed} failed" if counts.failed else ""
    return f"{counts.completed}/{counts.total} done{failed}"


@verb("batches.list", "List the batches, newest first (one page).", LIMIT, AFTER)
async def batches_list(client: AsyncClient, args: argparse.Namespace, out: Output) -> None:
    page = await client.batches.list(after=args.after, limit=args.limit)
    if out.json_lines:
        out.data(page)
        return
    for batch in page:
        out.line(f"{batch.id}  {batch.endpoint}  {batch.status}  {_counts(batch)}".rstrip())


@verb("batches.get", "Show a batch.", ID, aliases=("batches.retrieve",))
async def batches_get(client: AsyncClient, args: argparse.Namespace, out: Output) -> None:
    out.result(await client.batches.retrieve(args.id))


@verb("batches.cancel", "Cancel a batch (its answers so far stay in its output).", ID)
async def batches_cancel(client: AsyncClient, args: argparse.Namespace, out: Output) -> None:
    batch = await client.batches.cancel(args.id)
    out.result(batch, f"{batch.id} {batch.status}")


def _trouble(batch: Batch) -> str | None:
    """What went wrong with an ended batch; None if every request succeeded."""
    if batch.status != "completed":
        errors = batch.errors.data if batch.errors is not None else []
        reason = f": {errors[0].message}" if errors and errors[0].message else ""
        return f"batch {batch.id} {batch.status}{reason}"
    counts = batch.request_counts
    if counts is not None and counts.failed:
        return f"batch {batch.id}: {counts.failed} of {counts.total} requests failed"
    return None


@verb(
    "batches.output",
    "Download an ended batch's answers (or with --errors its failed requests), "
    "to stdout or -o PATH.",
    ID,
    arg("-o", "--output", help="write it here instead (streamed; replaced only when complete)"),
    arg("--errors", action="store_true", help="the error file: the requests that failed"),
    arg("--wait", action="store_true", help="wait for the batch to end (else exit 10 if not)"),
    INTERVAL,
)
async def batches_output(client: AsyncClient, args: argparse.Namespace, out: Output) -> int:
    batch = await client.batches.retrieve(args.id)
    shown = ""
    while batch.status not in _BATCH_END:
        if not args.wait:
            return fail(
                out,
                f"batch {batch.id} is {batch.status}: no output yet (--wait waits for it)",
                "pending",
            )
        progress = f"{batch.id} {batch.status} {_counts(batch)}".rstrip()
        if progress != shown and args.output is not None:  # stdout is free for it
            out.line(progress)
            shown = progress
        await anyio.sleep(args.interval)
        batch = await client.batches.retrieve(args.id)
    trouble = _trouble(batch)
    which = "error" if args.errors else "output"
    content_id = batch.error_file_id if args.errors else batch.output_file_id
    if content_id is None:
        if trouble is None:  # --errors of a batch whose requests all succeeded
            out.result(
                {"id": batch.id, "status": batch.status, "file_id": None, "path": None},
                f"batch {batch.id}: every request succeeded, no error file",
            )
            return EXIT["ok"]
        return fail(out, f"{trouble} (no {which} file)", "failed")
    size = await write_content(client, content_id, args.output, out)
    if size is not None:
        out.result(
            {
                "id": batch.id,
                "status": batch.status,
                "file_id": content_id,
                "path": args.output,
                "bytes": size,
            },
            f"{size} bytes -> {args.output} ({_counts(batch)})",
        )
    if trouble is not None:
        hint = "" if args.errors else " (batches.output --errors has them)"
        return fail(out, f"{trouble}{hint}", "failed")
    return EXIT["ok"]


# -- responses -------------------------------------------------------------------------


def _refusal(response: Response) -> str:
    return "".join(
        part.refusal
        for item in response.output
        if isinstance(item, ResponseOutputMessage)
        for part in item.content
        if isinstance(part, ResponseOutputRefusal)
    )


def _response_failed(response: Response) -> str:
    error = response.error
    why = f": {error.code}: {error.message}" if error is not None else ""
    return f"response {response.id} failed{why}"


@verb(
    "responses.create",
    "Answer a text with the Responses API.",
    MODEL,
    arg("input", metavar="TEXT", help="the input text"),
    arg("--instructions", help="a system (developer) message"),
    arg("-M", "--max-output-tokens", dest="max_output_tokens", type=int),
    TEMPERATURE,
    TOP_P,
    arg(
        "--previous-response-id",
        "--previous_response_id",
        dest="previous_response_id",
        help="go on from this stored response",
    ),
    arg("--no-store", dest="no_store", action="store_true", help="do not store the response"),
    arg("--background", action="store_true", help="run it in the background (prints its id)"),
    METADATA,
    STREAM,
)
async def responses_create(client: AsyncClient, args: argparse.Namespace, out: Output) -> int:
    params: dict[str, Any] = given(
        args, "instructions", "max_output_tokens", "temperature", "top_p", "previous_response_id"
    )
    if args.no_store:
        params["store"] = False
    if args.background:
        params["background"] = True
    if args.metadata is not None:
        params["metadata"] = _metadata(args.metadata)
    if args.stream:
        return await _stream_response(client, args, params, out)
    response = await client.responses.create(model=args.model, input=args.input, **params)
    if response.status in ("queued", "in_progress"):
        out.result(response, f"Created response: {response.id} ({response.status})")
        return EXIT["ok"]
    if response.status == "failed":
        if out.json_lines:
            out.data(response)
        return fail(out, _response_failed(response), "failed")
    out.result(response, response.output_text or _refusal(response))
    return EXIT["ok"]


async def _stream_response(
    client: AsyncClient, args: argparse.Namespace, params: dict[str, Any], out: Output
) -> int:
    stream = await client.responses.create(
        model=args.model, input=args.input, stream=True, **params
    )
    last = None
    async with stream:
        async for event in stream:
            last = event
            if out.json_lines:
                out.data(event)
            elif isinstance(event, ResponseTextDeltaEvent | ResponseRefusalDeltaEvent):
                out.line(event.delta, end="")
    out.line()
    if isinstance(last, ResponseFailedEvent):
        return fail(out, _response_failed(last.response), "failed")
    if isinstance(last, ResponseErrorEvent):
        code = f"{last.code}: " if last.code else ""
        return fail(out, f"the stream ended on an error event: {code}{last.message}", "stream")
    return EXIT["ok"]


@verb("responses.get", "Show a stored response.", ID, aliases=("responses.retrieve",))
async def responses_get(client: AsyncClient, args: argparse.Namespace, out: Output) -> None:
    out.result(await client.responses.retrieve(args.id))


@verb("responses.delete", "Delete a stored response.", ID)
async def responses_delete(client: AsyncClient, args: argparse.Namespace, out: Output) -> None:
    out.result(await client.responses.delete(args.id))


@verb("responses.cancel", "Cancel a background response.", ID)
async def responses_cancel(client: AsyncClient, args: argparse.Namespace, out: Output) -> None:
    response = await client.responses.cancel(args.id)
    out.result(response, f"{response.id} {response.status}")


@verb(
    "responses.input_items.list",
    "List a stored response's input items (one page).",
    ID,
    LIMIT,
    AFTER,
    arg("--order", choices=("asc", "desc")),
)
async def responses_input_items(client: AsyncClient, args: argparse.Namespace, out: Output) -> None:
    page = await client.responses.input_items.list(
        args.id, **given(args, "after", "limit", "order")
    )
    if out.json_lines:
        out.data(page)
        return
    for item in page:
        if isinstance(item, ResponseOutputMessage):
            text = " ".join(str(getattr(part, "text", "")) for part in item.content)
            out.line(f"{item.id}  message  {item.role}: {text}")
        else:
            out.line(f"{getattr(item, 'id', '')}  {getattr(item, 'type', '')}")
