"""``/v1/chat/completions``: an echoing chat model, whole or streamed, that calls tools.

The reply to a conversation is ``You said: <last user message>`` (prefixed by
``[k] `` for choice k when ``n > 1``). What else it does, deterministically:

- ``tools``: with ``tool_choice`` ``"auto"`` it calls every function tool whose name
  the last user message contains, in parallel (only the first with
  ``parallel_tool_calls: false``); ``"required"`` calls the first tool when none is
  named; a ``{"type": "function", ...}`` choice calls that one. Arguments fit the
  tool's parameter schema (strings are the user's message). Streamed, a call's
  arguments arrive in fragments across chunks. After ``tool`` messages it answers
  ``<name> returned: <content>`` for each result.
- The 2023 ``functions``: the same with ``function_call``.
- ``response_format`` ``json_schema``: the answer is JSON that fits the schema;
  ``json_object``: ``{"reply": ...}``. A last user message containing ``[refuse]``
  gets a ``refusal`` instead.
- ``stream_options.include_usage``: a last chunk with no choices carries the usage.
- Reasoning models (``o1``, ``o3``, ``o4-mini``, ``gpt-5`` ...): ``max_tokens`` is refused
  as the service refuses it (use ``max_completion_tokens``), and the usage counts
  reasoning tokens (more with higher ``reasoning_effort``).
- ``logprobs``: each token gets a log probability, with ``top_logprobs`` alternatives.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, Final

from ._app import State, current_fault, error_response, route
from ._bodies import checked, json_body
from ._events import sse_response
from ._fixtures import CREATED
from ._generate import check_sampling, count_tokens, generate, instance_of, tokenize
from ._http import ServerRequest, ServerResponse, json_response

_REASONING_MODEL: Final = re.compile(r"(o\d|gpt-5)(\b|[-.])")
_EFFORT: Final = {"none": 0, "minimal": 1, "low": 1, "medium": 2, "high": 4, "xhigh": 6}
_FRAGMENT: Final = 8  # characters of tool-call arguments per streamed chunk
REFUSAL: Final = "I'm sorry, I can't help with that."


def _text(content: object) -> str:
    """A message's content as text: content parts joined, files and media named."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        pieces = []
        for part in content:
            kind = part.get("type") if isinstance(part, Mapping) else None
            pieces.append(str(part.get("text", "")) if kind == "text" else f"[{kind}]")
        return " ".join(pieces)
    return "" if content is None else json.dumps(content)


def is_reasoning_model(model: str) -> bool:
    return _REASONING_MODEL.match(model) is not None


def _function_tools(body: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return [
        tool["function"]
        for tool in body.get("tools") or []
        if tool.get("type") == "function" and isinstance(tool.get("function"), Mapping)
    ]


def _tool_targets(body: Mapping[str, Any], last_user: str) -> list[Mapping[str, Any]]:
    """The function tools to call now, in order."""
    tools = _function_tools(body)
    choice = body.get("tool_choice", "auto")
    if not tools or choice == "none" or body["messages"][-1].get("role") == "tool":
        return []
    if isinstance(choice, Mapping):
        wanted = (choice.get("function") or {}).get("name")
        targets = [tool for tool in tools if tool.get("name") == wanted]
    else:
        targets = [tool for tool in tools if tool.get("name") and tool["name"] in last_user]
        if not targets and choice == "required":
            targets = tools[:1]
    if body.get("parallel_tool_calls") is False:
        targets = targets[:1]
    return targets


def _function_target(body: Mapping[str, Any], last_user: str) -> str | None:
    functions = body.get("functions") or []
    choice = body.get("function_call", "auto")
    if not functions or choice == "none":
        return None
    if isinstance(choice, Mapping):
        return str(choice.get("name"))
    for function in functions:
        if function.get("name") and function["name"] in last_user:
            return str(function["name"])
    return None


def _tool_results(messages: Sequence[Mapping[str, Any]]) -> str | None:
    """``<name> returned: <content>`` for the tool messages that end the conversation."""
    results = []
    for message in reversed(messages):
        if message.get("role") != "tool":
            break
        results.append(message)
    if not results:
        return None
    names = {
        call.get("id"): (call.get("function") or {}).get("name")
        for message in messages
        if message.get("role") == "assistant"
        for call in message.get("tool_calls") or []
    }
    return "; ".join(
        f"{names.get(m.get('tool_call_id'), 'tool')} returned: {_text(m.get('content'))}"
        for m in reversed(results)
    )


def _reply(messages: Sequence[Mapping[str, Any]]) -> str:
    last = messages[-1]
    if last.get("role") == "function":
        return f"{last.get('name')} returned: {_text(last.get('content'))}"
    tool_results = _tool_results(messages)
    if tool_results is not None:
        return tool_results
    users = [m for m in messages if m.get("role") == "user"]
    return "You said: " + (_text(users[-1].get("content")) if users else "nothing")


def _check(body: object) -> ServerResponse | None:
    if not isinstance(body, Mapping):
        return error_response(400, "The body must be a JSON object.")
    if not isinstance(body.get("model"), str):
        return error_response(400, "you must provide a model parameter", param="model")
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        return error_response(400, "'messages' must be a non-empty array", param="messages")
    if not all(isinstance(m, Mapping) and "role" in m for m in messages):
        return error_response(400, "each message needs a 'role'", param="messages")
    for position, message in enumerate(messages):
        if message["role"] == "tool" and not message.get("tool_call_id"):
            return error_response(
                400, "a tool message needs a 'tool_call_id'", param=f"messages[{position}]"
            )
    if is_reasoning_model(body["model"]) and body.get("max_tokens") is not None:
        return error_response(
            400,
            "Unsupported parameter: 'max_tokens' is not supported with this model. "
            "Use 'max_completion_tokens' instead.",
            param="max_tokens",
            code="unsupported_parameter",
        )
    if body.get("stream_options") is not None and not body.get("stream"):
        return error_response(
            400,
            "The 'stream_options' parameter is only allowed when 'stream' is enabled.",
            param="stream_options",
        )
    bad = check_sampling(body)
    return None if bad is None else error_response(400, bad[1], param=bad[0])


class _Choice:
    """One choice's answer: content tokens, a refusal, tool calls or a function call."""

    def __init__(self, k: int, n: int, body: Mapping[str, Any], state: State) -> None:
        messages = body["messages"]
        users = [m for m in messages if m.get("role") == "user"]
        last_user = _text(users[-1].get("content")) if users else ""
        self.index = k
        self.refusal: str | None = None
        self.tool_calls = [
            (
                state.new_id("call"),
                tool["name"],
                json.dumps(instance_of(tool.get("parameters"), last_user)),
            )
            for tool in _tool_targets(body, last_user)
        ]
        self.function = None if self.tool_calls else _function_target(body, last_user)
        limit = body.get("max_completion_tokens", body.get("max_tokens"))
        if self.tool_calls:
            arguments = "".join(call[2] for call in self.tool_calls)
            self.tokens, self.finish_reason = tokenize(arguments), "tool_calls"
        elif self.function is not None:
            arguments = json.dumps({"query": last_user})
            self.tokens, self.finish_reason = tokenize(arguments), "function_call"
        elif "[refuse]" in last_user:
            self.refusal = REFUSAL
            self.tokens, self.finish_reason = tokenize(REFUSAL), "stop"
        else:
            text = self._text(body, messages, last_user)
            if n > 1 and _format_type(body) not in ("json_schema", "json_object"):
                text = f"[{k}] {text}"
            self.tokens, self.finish_reason = generate(
                text, max_tokens=limit, stop=body.get("stop")
            )

    @staticmethod
    def _text(body: Mapping[str, Any], messages: Sequence[Mapping[str, Any]], last: str) -> str:
        kind = _format_type(body)
        if kind == "json_schema":
            schema = (body["response_format"].get("json_schema") or {}).get("schema")
            return json.dumps(instance_of(schema, last))
        if kind == "json_object":
            return json.dumps({"reply": _reply(messages)})
        return _reply(messages)

    def message(self) -> dict[str, Any]:
        if self.tool_calls:
            calls = [
                {"id": id_, "type": "function", "function": {"name": name, "arguments": args}}
                for id_, name, args in self.tool_calls
            ]
            return {"role": "assistant", "content": None, "tool_calls": calls, "refusal": None}
        if self.function is not None:
            call = {"name": self.function, "arguments": "".join(self.tokens)}
            return {"role": "assistant", "content": None, "function_call": call}
        if self.refusal is not None:
            return {"role": "assistant", "content": None, "refusal": self.refusal}
        return {"role": "assistant", "content": "".join(self.tokens), "refusal": None}

    def deltas(self) -> Iterator[tuple[dict[str, Any], str | None, str | None]]:
        """(delta, finish reason, the token it carries) for each chunk of this choice."""
        if self.tool_calls:
            yield {"role": "assistant", "content": None}, None, None
            for index, (id_, name, arguments) in enumerate(self.tool_calls):
                start = {"name": name, "arguments": ""}
                yield _tool_delta(index, start, id=id_, type="function"), None, None
                for at in range(0, len(arguments), _FRAGMENT):
                    piece = {"arguments": arguments[at : at + _FRAGMENT]}
                    yield _tool_delta(index, piece), None, None
        elif self.function is not None:
            head = {"role": "assistant", "content": None, "function_call": {"name": self.function}}
            yield head, None, None
            for token in self.tokens:
                yield {"function_call": {"arguments": token}}, None, None
        else:
            key = "content" if self.refusal is None else "refusal"
            yield {"role": "assistant", key: ""}, None, None
            for token in self.tokens:
                yield {key: token}, None, token
        yield {}, self.finish_reason, None


def _tool_delta(index: int, function: Mapping[str, str], **head: str) -> dict[str, Any]:
    return {"tool_calls": [{"index": index, **head, "function": dict(function)}]}


def _format_type(body: Mapping[str, Any]) -> str | None:
    response_format = body.get("response_format")
    return response_format.get("type") if isinstance(response_format, Mapping) else None


def _logprobs(tokens: Sequence[str], top: int) -> dict[str, Any]:
    entries = []
    for token in tokens:
        logprob = -0.25 * (1 + len(token) % 4)  # the same, whole or streamed
        alternatives = [
            {"token": token if k == 0 else f"{token}{k}", "logprob": logprob - k, "bytes": None}
            for k in range(top)
        ]
        entries.append(
            {
                "token": token,
                "logprob": logprob,
                "bytes": list(token.encode()),
                "top_logprobs": alternatives,
            }
        )
    return {"content": entries, "refusal": None}


def _usage(body: Mapping[str, Any], choices: Sequence[_Choice]) -> dict[str, Any]:
    prompt_tokens = sum(count_tokens(_text(m.get("content"))) for m in body["messages"])
    completion_tokens = sum(len(c.tokens) for c in choices)
    reasoning_tokens = 0
    if is_reasoning_model(body["model"]):
        effort = _EFFORT.get(str(body.get("reasoning_effort", "medium")), 2)
        reasoning_tokens = effort * max(completion_tokens, 1)
    completion_tokens += reasoning_tokens
    return {
        "prompt_tokens": prompt_tokens,
        "completion_tokens": completion_tokens,
        "total_tokens": prompt_tokens + completion_tokens,
        "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
        "completion_tokens_details": {
            "reasoning_tokens": reasoning_tokens,
            "audio_tokens": 0,
            "accepted_prediction_tokens": 0,
            "rejected_prediction_tokens": 0,
        },
    }


@route("POST", r"/v1/chat/completions")
@checked
async def create_chat_completion(
    state: State, request: ServerRequest, params: Mapping[str, str]
) -> ServerResponse:
    body = json_body(request)
    problem = _check(body)
    if problem is not None:
        return problem
    n = body.get("n") or 1
    choices = [_Choice(k, n, body, state) for k in range(n)]
    completion_id = state.new_id("chatcmpl")
    head = {
        "id": completion_id,
        "created": CREATED,
        "model": body["model"],
        "system_fingerprint": "fp_local",
    }
    if body.get("stream"):
        return sse_response(_chunks(head, choices, body), current_fault())
    top = body.get("top_logprobs") or 0
    return json_response(
        {
            **head,
            "object": "chat.completion",
            "service_tier": body.get("service_tier") or "default",
            "choices": [
                {
                    "index": c.index,
                    "message": c.message(),
                    "finish_reason": c.finish_reason,
                    "logprobs": _logprobs(c.tokens, top) if body.get("logprobs") else None,
                }
                for c in choices
            ],
            "usage": _usage(body, choices),
        }
    )


def _chunks(
    head: Mapping[str, Any], choices: list[_Choice], body: Mapping[str, Any]
) -> Iterator[dict[str, Any]]:
    include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
    top = body.get("top_logprobs") or 0
    extra: dict[str, Any] = {"usage": None} if include_usage else {}
    # Choices advance in turn, as a real server's interleaved chunks do.
    pending = list(choices)
    streams = [c.deltas() for c in pending]
    while streams:
        for choice, deltas in list(zip(pending, streams, strict=True)):
            step = next(deltas, None)
            if step is None:
                streams.remove(deltas)
                pending.remove(choice)
                continue
            delta, finish_reason, token = step
            chunk_choice: dict[str, Any] = {
                "index": choice.index,
                "delta": delta,
                "finish_reason": finish_reason,
            }
            if body.get("logprobs"):
                chunk_choice["logprobs"] = None if token is None else _logprobs([token], top)
            yield {**head, "object": "chat.completion.chunk", "choices": [chunk_choice], **extra}
    if include_usage:
        yield {
            **head,
            "object": "chat.completion.chunk",
            "choices": [],
            "usage": _usage(body, choices),
        }
