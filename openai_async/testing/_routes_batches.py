"""``/v1/batches``: the Batch API, run by the server through its own endpoints.

A batch reads its input file (uploaded with ``purpose="batch"``) and, in a task of
the server's event loop, runs each line's request through the endpoint it names,
as if it had been sent over HTTP (without recording, auth or faults). It then
leaves the answers in an output file and the requests that failed in an error file,
both in ``/v1/files``. Its life: ``validating`` (for ``BatchSettings.delay``
seconds, then the lines are checked; a bad file ends ``failed`` with ``errors``),
``in_progress``, ``finalizing``, ``completed``; or ``cancelling`` → ``cancelled``,
or ``expired`` when ``BatchSettings.expires_after`` seconds pass first (the
requests not run then go to the error file as ``batch_expired``).

``LocalServer.configure_batches`` (or ``POST /_control/batches``) sets the delays,
the expiry and the number of requests a batch may hold; ``reset()`` restores them.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Mapping
from typing import Any, Final

import attrs

from ._app import State, dispatch, error_response, route
from ._bodies import Invalid, checked, json_body, optional, required
from ._http import ServerRequest, ServerResponse, json_response

__all__ = ["BatchSettings", "batch_settings"]

ENDPOINTS: Final = frozenset(
    {
        "/v1/responses",
        "/v1/chat/completions",
        "/v1/embeddings",
        "/v1/completions",
        "/v1/moderations",
        "/v1/images/generations",
        "/v1/images/edits",
        "/v1/videos",
    }
)
WINDOW_SECONDS: Final = 24 * 3600  # completion_window "24h": what expires_at says
FINAL: Final = frozenset({"completed", "failed", "expired", "cancelled"})
_MAX_PAGE: Final = 100
_MAX_ERRORS: Final = 100  # validation errors listed per batch; the rest are dropped
_YIELD_EVERY: Final = 200  # requests run between two turns of the server's event loop
# Stands for an answer in a record's JSON, to be replaced by the answer's own bytes.
_ANSWER: Final = "\x00answer\x00"
_ANSWER_JSON: Final = json.dumps(_ANSWER)


@attrs.define(kw_only=True)
class BatchSettings:
    """How the server runs batches.

    ``delay``: seconds a batch stays ``validating`` before its requests run.
    ``request_delay``: seconds spent on each request (0: as fast as the server goes).
    ``expires_after``: seconds after creation when an unfinished batch expires (the
    service's window is 24 hours). ``max_requests``: the most requests one input file
    may hold (the service's limit, 50,000; a larger file fails validation).
    """

    delay: float = 0.0
    request_delay: float = 0.0
    expires_after: float = float(WINDOW_SECONDS)
    max_requests: int = 50_000


def batch_settings(state: State) -> BatchSettings:
    """The server's batch settings (the defaults again after every ``reset()``)."""
    settings: BatchSettings = state.data.setdefault("batch_settings", BatchSettings())
    return settings


def _batches(state: State) -> dict[str, dict[str, Any]]:
    batches: dict[str, dict[str, Any]] = state.data.setdefault("batches", {})
    return batches


def _not_found(batch_id: str) -> ServerResponse:
    return error_response(404, f"No batch found with id '{batch_id}'.", param="batch_id")


def _now() -> int:
    return int(time.time())


@route("POST", r"/v1/batches")
@checked
async def create_batch(
    state: State, request: ServerRequest, params: Mapping[str, str]
) -> ServerResponse:
    body = json_body(request)
    input_file_id = required(body, "input_file_id", str)
    endpoint = required(body, "endpoint", str)
    if endpoint not in ENDPOINTS:
        raise Invalid(f"Invalid endpoint: {endpoint!r}", "endpoint")
    if required(body, "completion_window", str) != "24h":
        raise Invalid("completion_window must be '24h'", "completion_window")
    metadata = optional(body, "metadata", dict, None)
    output_expiry = optional(body, "output_expires_after", dict, None)
    entry = state.data["files"].get(input_file_id)
    if entry is None:
        raise Invalid(f"No such File object: {input_file_id}", "input_file_id", status=404)
    if entry["object"]["purpose"] != "batch":
        raise Invalid("The input file must be uploaded with purpose 'batch'.", "input_file_id")
    created = _now()
    batch: dict[str, Any] = {
        "id": state.new_id("batch"),
        "object": "batch",
        "endpoint": endpoint,
        "errors": None,
        "input_file_id": input_file_id,
        "completion_window": "24h",
        "status": "validating",
        "output_file_id": None,
        "error_file_id": None,
        "created_at": created,
        "in_progress_at": None,
        "expires_at": created + WINDOW_SECONDS,
        "finalizing_at": None,
        "completed_at": None,
        "failed_at": None,
        "expired_at": None,
        "cancelling_at": None,
        "cancelled_at": None,
        "request_counts": {"total": 0, "completed": 0, "failed": 0},
        "metadata": metadata,
    }
    _batches(state)[batch["id"]] = batch
    content = bytes(entry["content"])  # the file may be deleted meanwhile: the batch has it
    runner = _Runner(state, batch, content, batch_settings(state), output_expiry)
    task = asyncio.get_running_loop().create_task(runner.run())
    _TASKS.add(task)
    task.add_done_callback(_TASKS.discard)
    return json_response(batch)


# The running batches' tasks, kept referenced until they end.
_TASKS: set[asyncio.Task[None]] = set()


@route("GET", r"/v1/batches")
@checked
async def list_batches(
    state: State, request: ServerRequest, params: Mapping[str, str]
) -> ServerResponse:
    limit_text = request.query.get("limit", "20")
    if not limit_text.isdigit() or not 1 <= int(limit_text) <= _MAX_PAGE:
        raise Invalid(f"limit must be 1 to {_MAX_PAGE}", "limit")
    newest_first = list(reversed(_batches(state).values()))
    after = request.query.get("after")
    if after is not None:
        ids = [batch["id"] for batch in newest_first]
        start = ids.index(after) + 1 if after in ids else len(ids)
        newest_first = newest_first[start:]
    page = newest_first[: int(limit_text)]
    return json_response(
        {
            "object": "list",
            "data": page,
            "first_id": page[0]["id"] if page else None,
            "last_id": page[-1]["id"] if page else None,
            "has_more": len(newest_first) > len(page),
        }
    )


@route("GET", r"/v1/batches/(?P<batch_id>[^/]+)")
async def retrieve_batch(
    state: State, request: ServerRequest, params: Mapping[str, str]
) -> ServerResponse:
    batch = _batches(state).get(params["batch_id"])
    return _not_found(params["batch_id"]) if batch is None else json_response(batch)


@route("POST", r"/v1/batches/(?P<batch_id>[^/]+)/cancel")
async def cancel_batch(
    state: State, request: ServerRequest, params: Mapping[str, str]
) -> ServerResponse:
    batch = _batches(state).get(params["batch_id"])
    if batch is None:
        return _not_found(params["batch_id"])
    status = batch["status"]
    if status in FINAL:
        return error_response(409, f"Cannot cancel a batch that is {status}.", param="batch_id")
    if status == "validating":
        # Nothing ran yet: there is nothing to wait for.
        batch.update(status="cancelled", cancelling_at=_now(), cancelled_at=_now())
    elif status != "cancelling":
        batch.update(status="cancelling", cancelling_at=_now())  # the runner finishes it
    return json_response(batch)


@route("POST", r"/_control/batches")
@checked
async def configure_batches(
    state: State, request: ServerRequest, params: Mapping[str, str]
) -> ServerResponse:
    body = json_body(request)
    try:
        state.data["batch_settings"] = BatchSettings(**body)
    except TypeError as exc:
        raise Invalid(f"Bad batch settings: {exc}") from exc
    return json_response(attrs.asdict(batch_settings(state)))


class _Runner:
    """Runs one batch: waits, validates its lines, runs them, writes its files."""

    def __init__(
        self,
        state: State,
        batch: dict[str, Any],
        content: bytes,
        settings: BatchSettings,
        output_expiry: Mapping[str, Any] | None,
    ) -> None:
        self.state = state
        self.data = state.data  # a reset() replaces it: the batch is then abandoned
        self.batch = batch
        self.content = content
        self.settings = settings
        self.deadline = time.monotonic() + settings.expires_after
        self.output_expiry = output_expiry
        self.outputs: list[bytes] = []
        self.errors: list[bytes] = []
        self.usage = {"input_tokens": 0, "output_tokens": 0, "total_tokens": 0}
        self.item_ids = 0

    def _abandoned(self) -> bool:
        return self.state.data is not self.data

    async def run(self) -> None:
        batch = self.batch
        if self.settings.delay:
            await asyncio.sleep(self.settings.delay)
        if self._abandoned() or batch["status"] != "validating":
            return  # cancelled while waiting
        lines, problems = await _parse(self.content, batch["endpoint"], self.settings)
        if problems:
            batch.update(
                status="failed",
                failed_at=_now(),
                errors={"object": "list", "data": problems[:_MAX_ERRORS]},
            )
            return
        if time.monotonic() >= self.deadline:
            self._finish(lines, 0, "expired")
            return
        batch.update(status="in_progress", in_progress_at=_now())
        batch["request_counts"]["total"] = len(lines)
        batch["model"] = next((line["body"].get("model") for line in lines), None)
        done = 0
        end = "completed"
        for line in lines:
            if self._abandoned():
                return
            if batch["status"] == "cancelling":
                end = "cancelled"
                break
            if time.monotonic() >= self.deadline:
                end = "expired"
                break
            if self.settings.request_delay:
                await asyncio.sleep(self.settings.request_delay)
            elif done % _YIELD_EVERY == 0:
                await asyncio.sleep(0)  # let the server answer others meanwhile
            await self._one(line)
            done += 1
        self._finish(lines, done, end)

    async def _one(self, line: Mapping[str, Any]) -> None:
        request = ServerRequest(
            method=line["method"],
            path=line["url"],
            query={},
            headers={"content-type": "application/json"},
            body=json.dumps(line["body"]).encode(),
        )
        response = await dispatch(self.state, request)
        assert isinstance(response.body, bytes)  # streaming was refused in validation
        self.item_ids += 1
        # The answer goes into the record as the endpoint wrote it: decoding and encoding
        # it again would take most of the time of a large batch.
        head = {
            "id": f"batch_req_{self.batch['id']}_{self.item_ids}",
            "custom_id": line["custom_id"],
            "response": {
                "status_code": response.status,
                "request_id": f"req_{self.batch['id']}_{self.item_ids}",
                "body": _ANSWER,
            },
            "error": None,
        }
        before, after = json.dumps(head, separators=(",", ":")).split(_ANSWER_JSON)
        record = b"".join((before.encode(), response.body or b"null", after.encode(), b"\n"))
        counts = self.batch["request_counts"]
        if 200 <= response.status < 300:
            counts["completed"] += 1
            self.outputs.append(record)
            self._add_usage(response.body)
        else:
            counts["failed"] += 1
            self.errors.append(record)

    def _add_usage(self, body: bytes) -> None:
        answer = json.loads(body) if body else None
        usage: object = answer.get("usage") if isinstance(answer, dict) else None
        if not isinstance(usage, dict):
            return
        given = _tokens(usage, "input_tokens", "prompt_tokens")
        made = _tokens(usage, "output_tokens", "completion_tokens")
        self.usage["input_tokens"] += given
        self.usage["output_tokens"] += made
        self.usage["total_tokens"] += given + made

    def _finish(self, lines: list[dict[str, Any]], done: int, end: str) -> None:
        batch = self.batch
        if end == "expired":
            for line in lines[done:]:
                self.item_ids += 1
                error = {
                    "code": "batch_expired",
                    "message": "This request could not be executed before the "
                    "completion window expired.",
                }
                record = {
                    "id": f"batch_req_{batch['id']}_{self.item_ids}",
                    "custom_id": line["custom_id"],
                    "response": None,
                    "error": error,
                }
                self.errors.append(_jsonl(record))
        batch.update(status="finalizing", finalizing_at=_now())
        if self.outputs:
            batch["output_file_id"] = self._file("output", self.outputs)
        if self.errors:
            batch["error_file_id"] = self._file("error", self.errors)
        batch["usage"] = {
            **self.usage,
            "input_tokens_details": {"cached_tokens": 0},
            "output_tokens_details": {"reasoning_tokens": 0},
        }
        batch.update({"status": end, f"{end}_at": _now()})

    def _file(self, kind: str, lines: list[bytes]) -> str:
        content = b"".join(lines)
        file_id = self.state.new_id("file")
        created = _now()
        expires_at = None
        if self.output_expiry is not None:
            expires_at = created + int(self.output_expiry.get("seconds", 0))
        self.data["files"][file_id] = {
            "object": {
                "id": file_id,
                "object": "file",
                "bytes": len(content),
                "created_at": created,
                "filename": f"{self.batch['id']}_{kind}.jsonl",
                "purpose": "batch_output",
                "status": "processed",
                "status_details": None,
                "expires_at": expires_at,
            },
            "content": content,
        }
        return file_id


def _tokens(usage: Mapping[str, object], *names: str) -> int:
    # Responses count input and output tokens; chat and completions, prompt and completion.
    for name in names:
        value = usage.get(name)
        if isinstance(value, int):
            return value
    return 0


def _jsonl(record: Mapping[str, Any]) -> bytes:
    return json.dumps(record, separators=(",", ":")).encode() + b"\n"


def _problem(code: str, message: str, line: int | None, param: str | None = None) -> dict[str, Any]:
    return {"code": code, "message": message, "param": param, "line": line}


async def _parse(
    content: bytes, endpoint: str, settings: BatchSettings
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The input file's requests, and what is wrong with them (line numbers from 1)."""
    lines: list[dict[str, Any]] = []
    problems: list[dict[str, Any]] = []
    seen: set[str] = set()
    raw_lines = [raw for raw in content.splitlines() if raw.strip()]
    if not raw_lines:
        return [], [_problem("empty_file", "The input file holds no requests.", None)]
    if len(raw_lines) > settings.max_requests:
        message = (
            f"The input file holds {len(raw_lines)} requests; "
            f"a batch may hold at most {settings.max_requests}."
        )
        return [], [_problem("too_many_requests", message, None)]
    for number, raw in enumerate(raw_lines, start=1):
        if number % 1000 == 0:
            await asyncio.sleep(0)
        problem = _check_line(raw, number, endpoint, seen, lines)
        if problem is not None:
            problems.append(problem)
            if len(problems) >= _MAX_ERRORS:
                break
    return lines, problems


def _check_line(
    raw: bytes, number: int, endpoint: str, seen: set[str], lines: list[dict[str, Any]]
) -> dict[str, Any] | None:
    try:
        line = json.loads(raw)
    except ValueError:
        return _problem("invalid_json_line", "This line is not valid JSON.", number)
    if not isinstance(line, dict):
        return _problem("invalid_json_line", "This line is not a JSON object.", number)
    for name, kind in (("custom_id", str), ("method", str), ("url", str), ("body", dict)):
        if not isinstance(line.get(name), kind):
            message = f"'{name}' is missing or has the wrong type."
            return _problem("missing_required_parameter", message, number, name)
    if line["method"] != "POST":
        return _problem("invalid_method", "The method must be POST.", number, "method")
    if line["url"] != endpoint:
        message = f"The url {line['url']!r} does not match the batch's endpoint {endpoint!r}."
        return _problem("mismatched_endpoint", message, number, "url")
    if line["body"].get("stream"):
        message = "Streaming is not supported in a batch."
        return _problem("invalid_request", message, number, "body.stream")
    if line["custom_id"] in seen:
        message = f"The custom_id {line['custom_id']!r} is used by an earlier line."
        return _problem("duplicate_custom_id", message, number, "custom_id")
    seen.add(line["custom_id"])
    lines.append(line)
    return None
