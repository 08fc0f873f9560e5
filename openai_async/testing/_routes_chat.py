"""``/v1/chat/completions``: an echoing chat model, whole or streamed.

The reply to a conversation is ``You said: <last user message>`` (prefixed by
``[k] `` for choice k when ``n > 1``). With ``functions``, a forced
``function_call: {"name": ...}``, or ``"auto"`` when the last user message names a
function, makes it call that function with ``{"query": <last user message>}``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from ._app import State, current_fault, error_response, route
from ._bodies import checked, json_body
from ._events import sse_response
from ._fixtures import CREATED
from ._generate import check_sampling, count_tokens, generate, tokenize
from ._http import ServerRequest, ServerResponse, json_response


def _text(content: object) -> str:
    return content if isinstance(content, str) else json.dumps(content)


def _call_target(body: Mapping[str, Any], last_user: str) -> str | None:
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


def _reply(messages: Sequence[Mapping[str, Any]]) -> str:
    last = messages[-1]
    if last.get("role") == "function":
        return f"{last.get('name')} returned: {_text(last.get('content'))}"
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
    bad = check_sampling(body)
    return None if bad is None else error_response(400, bad[1], param=bad[0])


class _Choice:
    """One choice's answer: either content tokens or a function call."""

    def __init__(self, k: int, n: int, body: Mapping[str, Any]) -> None:
        messages = body["messages"]
        users = [m for m in messages if m.get("role") == "user"]
        last_user = _text(users[-1].get("content")) if users else ""
        self.function = _call_target(body, last_user)
        self.index = k
        if self.function is not None:
            arguments = json.dumps({"query": last_user})
            self.tokens, self.finish_reason = tokenize(arguments), "function_call"
        else:
            text = _reply(messages)
            if n > 1:
                text = f"[{k}] {text}"
            self.tokens, self.finish_reason = generate(
                text, max_tokens=body.get("max_tokens"), stop=body.get("stop")
            )

    def message(self) -> dict[str, Any]:
        if self.function is not None:
            call = {"name": self.function, "arguments": "".join(self.tokens)}
            return {"role": "assistant", "content": None, "function_call": call}
        return {"role": "assistant", "content": "".join(self.tokens)}

    def deltas(self) -> Iterator[tuple[dict[str, Any], str | None]]:
        if self.function is not None:
            yield (
                {"role": "assistant", "content": None, "function_call": {"name": self.function}},
                None,
            )
            for token in self.tokens:
                yield {"function_call": {"arguments": token}}, None
        else:
            yield {"role": "assistant", "content": ""}, None
            for token in self.tokens:
                yield {"content": token}, None
        yield {}, self.finish_reason


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
    choices = [_Choice(k, n, body) for k in range(n)]
    completion_id = state.new_id("chatcmpl")
    head = {"id": completion_id, "created": CREATED, "model": body["model"]}
    if body.get("stream"):
        return sse_response(_chunks(head, choices), current_fault())
    prompt_tokens = sum(count_tokens(_text(m.get("content") or "")) for m in body["messages"])
    completion_tokens = sum(len(c.tokens) for c in choices)
    return json_response(
        {
            **head,
            "object": "chat.completion",
            "choices": [
                {"index": c.index, "message": c.message(), "finish_reason": c.finish_reason}
                for c in choices
            ],
            "usage": {
                "prompt_tokens": prompt_tokens,
                "completion_tokens": completion_tokens,
                "total_tokens": prompt_tokens + completion_tokens,
            },
        }
    )


def _chunks(head: Mapping[str, Any], choices: list[_Choice]) -> Iterator[dict[str, Any]]:
    # Choices advance in turn, as a real server's interleaved chunks do.
    streams = [c.deltas() for c in choices]
    while streams:
        for choice, deltas in list(zip(choices, streams, strict=True)):
            step = next(deltas, None)
            if step is None:
                streams.remove(deltas)
                choices.remove(choice)
                continue
            delta, finish_reason = step
            yield {
                **head,
                "object": "chat.completion.chunk",
                "choices": [
                    {"index": choice.index, "delta": delta, "finish_reason": finish_reason}
                ],
            }
