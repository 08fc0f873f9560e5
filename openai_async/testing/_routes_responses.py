"""``/v1/responses``: a deterministic model behind the Responses API, whole or streamed.

The model reads the conversation (the stored responses before ``previous_response_id``,
then ``input``) and answers:

- after a ``function_call_output`` item: ``<name> returned: <output>``;
- with function tools, and ``tool_choice`` naming one, ``"required"``, or ``"auto"``
  with the last user text naming one (or a word of its name: ``weather`` for
  ``get_weather``): a call of it, its arguments built from its parameters' schema
  (strings are the last user text);
- with ``text.format`` json_schema: JSON built from the schema, so it validates;
- a last user text containing ``[refuse]``: a refusal, as chat's server does;
- otherwise: ``You said: <last user text>``.

Reasoning models (``o3``, ``gpt-5``, ... as chat's server tells them) first output a
reasoning item, with a summary when ``reasoning.summary`` asks for one, and count
reasoning tokens (more with more ``reasoning.effort``).

``max_output_tokens`` cuts the text (status ``incomplete``). Responses are stored
unless ``store`` is false; a ``background`` one is ``queued`` until it is retrieved
(then ``completed``) or cancelled. Streams are the events the service sends, named
by their type, ending with ``response.completed`` or ``response.incomplete``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from ._app import State, current_fault, error_response, route
from ._bodies import Invalid, checked, json_body, optional
from ._events import sse_response
from ._fixtures import CREATED
from ._generate import count_tokens, generate, instance_of, tokenize
from ._http import ServerRequest, ServerResponse, json_response
from ._routes_chat import _EFFORT, REFUSAL, is_reasoning_model

_ECHOED = (
    "background",
    "instructions",
    "max_output_tokens",
    "max_tool_calls",
    "previous_response_id",
    "prompt_cache_key",
    "safety_identifier",
    "service_tier",
    "top_logprobs",
    "user",
)


def _stored(state: State) -> dict[str, dict[str, Any]]:
    # In state.data, which reset() replaces: a reset forgets every response.
    stored: dict[str, dict[str, Any]] = state.data.setdefault("responses", {})
    return stored


def _not_found(response_id: str) -> ServerResponse:
    return error_response(404, f"No response found with id '{response_id}'.", param="response_id")


# -- reading the request ------------------------------------------------------------------


def _text_of(content: object) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(str(part.get("text", "")) for part in content if isinstance(part, Mapping))
    return json.dumps(content)


def _input_items(state: State, given: object) -> list[dict[str, Any]]:
    """``input`` as stored items, each with an id (as ``input_items`` lists them)."""
    if given is None:
        return []
    if isinstance(given, str):
        given = [{"role": "user", "content": given}]
    if not isinstance(given, list):
        raise Invalid("'input' must be a string or an array of items.", "input")
    items = []
    for position, raw in enumerate(given):
        if not isinstance(raw, Mapping) or not ("type" in raw or "role" in raw):
            raise Invalid(f"Invalid 'input[{position}]': expected an item.", f"input[{position}]")
        item = dict(raw)
        kind = item.setdefault("type", "message")
        if kind == "message":
            content = item.get("content")
            if isinstance(content, str):
                part = "output_text" if item.get("role") == "assistant" else "input_text"
                item["content"] = [{"type": part, "text": content}]
            item.setdefault("status", "completed")
        item.setdefault("id", state.new_id({"message": "msg"}.get(kind, "item")))
        items.append(item)
    return items


def _history(state: State, previous_id: str | None) -> list[dict[str, Any]]:
    """The items of the conversation up to and including ``previous_id``'s output."""
    if previous_id is None:
        return []
    entry = _stored(state).get(previous_id)
    if entry is None:
        raise Invalid(
            f"Previous response with id '{previous_id}' not found.", "previous_response_id"
        )
    return [*entry["context"], *entry["response"]["output"]]


def _last_user_text(context: Sequence[Mapping[str, Any]]) -> str:
    for item in reversed(context):
        if item.get("type") == "message" and item.get("role") == "user":
            return _text_of(item.get("content"))
    return ""


def _function_tools(body: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    tools = body.get("tools") or []
    return [t for t in tools if isinstance(t, Mapping) and t.get("type") == "function"]


def _call_target(body: Mapping[str, Any], last_user: str) -> Mapping[str, Any] | None:
    tools = _function_tools(body)
    choice = body.get("tool_choice", "auto")
    if not tools or choice == "none":
        return None
    if isinstance(choice, Mapping) and choice.get("type") == "function":
        return next((t for t in tools if t.get("name") == choice.get("name")), None)
    if choice == "required":
        return tools[0]
    return next((t for t in tools if _mentions(last_user, str(t.get("name", "")))), None)


def _mentions(text: str, name: str) -> bool:
    """``text`` names the function, or a word of its name of 4 letters or more."""
    words = [w for w in name.replace("-", "_").split("_") if len(w) >= 4]
    lowered = text.lower()
    return bool(name) and (name in text or any(w.lower() in lowered for w in words))


class _Answer:
    """What the model answers: a reasoning item (reasoning models), then a message or a call."""

    def __init__(self, state: State, body: Mapping[str, Any], context: list[dict[str, Any]]):
        self.last_user = _last_user_text(context)
        self.item_id = state.new_id("msg")
        self.call: dict[str, Any] | None = None
        self.refusal = False
        self.reasoning: dict[str, Any] | None = None
        self.reasoning_tokens = 0
        last = context[-1] if context else {}
        answered = last.get("type") == "function_call_output"
        target = None if answered else _call_target(body, self.last_user)
        if target is not None:
            arguments = json.dumps(instance_of(target.get("parameters") or {}, self.last_user))
            self.item_id = state.new_id("fc")
            self.call = {
                "name": target["name"],
                "call_id": state.new_id("call"),
                "arguments": arguments,
            }
            self.tokens, self.incomplete = tokenize(arguments), False
        else:
            self.refusal = not answered and "[refuse]" in self.last_user
            text = REFUSAL if self.refusal else self._text(body, context, last)
            tokens, finish = generate(text, max_tokens=body.get("max_output_tokens"), stop=None)
            self.tokens, self.incomplete = tokens, finish == "length"
        if is_reasoning_model(str(body.get("model") or "")):
            self._reason(state, body.get("reasoning") or {})

    def _reason(self, state: State, reasoning: Mapping[str, Any]) -> None:
        # Thinking costs tokens, more with more effort; a summary only when asked for.
        effort = str(reasoning.get("effort") or "medium")
        self.reasoning_tokens = _EFFORT.get(effort, 2) * max(len(self.tokens), 1)
        summary = None
        if reasoning.get("summary") or reasoning.get("generate_summary"):
            summary = f"Thinking about: {self.last_user}"
        self.reasoning = {"id": state.new_id("rs"), "summary": summary}

    def _text(
        self, body: Mapping[str, Any], context: list[dict[str, Any]], last: Mapping[str, Any]
    ) -> str:
        if last.get("type") == "function_call_output":
            name = next(
                (
                    i.get("name")
                    for i in context
                    if i.get("type") == "function_call" and i.get("call_id") == last.get("call_id")
                ),
                "the function",
            )
            return f"{name} returned: {_text_of(last.get('output'))}"
        format_ = (body.get("text") or {}).get("format") or {}
        if format_.get("type") == "json_schema":
            return json.dumps(instance_of(format_.get("schema") or {}, self.last_user))
        if format_.get("type") == "json_object":
            return json.dumps({"text": self.last_user})
        return "You said: " + (self.last_user or "nothing")

    def output(self) -> list[dict[str, Any]]:
        """The output items, finished."""
        items = [] if self.reasoning is None else [self.reasoning_item()]
        return [*items, self.item()]

    def reasoning_item(self, *, done: bool = True) -> dict[str, Any]:
        assert self.reasoning is not None
        summary = self.reasoning["summary"]
        parts = [{"type": "summary_text", "text": summary}] if summary and done else []
        return {"type": "reasoning", "id": self.reasoning["id"], "summary": parts}

    def item(self, *, done: bool = True) -> dict[str, Any]:
        status = "completed" if done else "in_progress"
        if self.call is not None:
            arguments = self.call["arguments"] if done else ""
            return {
                "type": "function_call",
                "id": self.item_id,
                **self.call,
                "arguments": arguments,
                "status": status,
            }
        if done and self.incomplete:
            status = "incomplete"
        content = [self.part()] if done else []
        return {
            "type": "message",
            "id": self.item_id,
            "role": "assistant",
            "status": status,
            "content": content,
        }

    def part(self, text: str | None = None) -> dict[str, Any]:
        text = "".join(self.tokens) if text is None else text
        if self.refusal:
            return {"type": "refusal", "refusal": text}
        return {"type": "output_text", "text": text, "annotations": [], "logprobs": []}


def _response_object(
    state: State, body: Mapping[str, Any], response_id: str, answer: _Answer, input_tokens: int
) -> dict[str, Any]:
    status = "incomplete" if answer.incomplete else "completed"
    output_tokens = len(answer.tokens) + answer.reasoning_tokens
    text = dict(body.get("text") or {})
    text.setdefault("format", {"type": "text"})
    response = {
        "id": response_id,
        "object": "response",
        "created_at": CREATED,
        "status": status,
        "completed_at": CREATED if status == "completed" else None,
        "error": None,
        "incomplete_details": {"reason": "max_output_tokens"} if answer.incomplete else None,
        "model": body.get("model") or "gpt-4o-mini",
        "output": answer.output(),
        "parallel_tool_calls": body.get("parallel_tool_calls", True),
        "temperature": body.get("temperature", 1.0),
        "top_p": body.get("top_p", 1.0),
        "tool_choice": body.get("tool_choice", "auto"),
        "tools": body.get("tools", []),
        "text": text,
        "reasoning": body.get("reasoning"),
        "truncation": body.get("truncation", "disabled"),
        "metadata": body.get("metadata", {}),
        "store": body.get("store", True) is not False,
        "usage": {
            "input_tokens": input_tokens,
            "input_tokens_details": {"cached_tokens": 0},
            "output_tokens": output_tokens,
            "output_tokens_details": {"reasoning_tokens": answer.reasoning_tokens},
            "total_tokens": input_tokens + output_tokens,
        },
    }
    for name in _ECHOED:
        response[name] = body.get(name)
    return response


@route("POST", r"/v1/responses")
@checked
async def create_response(
    state: State, request: ServerRequest, params: Mapping[str, str]
) -> ServerResponse:
    body = json_body(request)
    if body.get("model") is None and body.get("prompt") is None:
        raise Invalid("Missing required parameter: 'model'.", "model")
    if body.get("previous_response_id") and body.get("conversation"):
        raise Invalid("Use either previous_response_id or conversation, not both.", "conversation")
    if body.get("background") and body.get("store") is False:
        raise Invalid("Background responses need store=true.", "background")
    items = _input_items(state, body.get("input"))
    previous_id = optional(body, "previous_response_id", str, None)
    context = [*_history(state, previous_id), *items]
    answer = _Answer(state, body, context)
    response_id = state.new_id("resp")
    input_tokens = sum(count_tokens(_text_of(i.get("content", i.get("output", "")))) for i in items)
    response = _response_object(state, body, response_id, answer, input_tokens)
    if body.get("store", True) is not False:
        _stored(state)[response_id] = {
            "response": response,
            "context": context,
            "input_items": items,
            "answer": answer,
            "queued": bool(body.get("background")),
        }
    if body.get("stream"):
        return sse_response(_events(response, answer), current_fault(), typed=True)
    if body.get("background"):
        return json_response(_queued(response))
    return json_response(response)


def _queued(response: Mapping[str, Any]) -> dict[str, Any]:
    return {**response, "status": "queued", "output": [], "usage": None, "completed_at": None}


def _events(response: Mapping[str, Any], answer: _Answer) -> Iterator[dict[str, Any]]:
    """The events of a response as the service streams them, numbered from 0."""
    started = {
        **response,
        "status": "in_progress",
        "output": [],
        "usage": None,
        "completed_at": None,
        "incomplete_details": None,
    }
    events: list[dict[str, Any]] = [
        {"type": "response.created", "response": started},
        {"type": "response.in_progress", "response": started},
    ]
    index = 0
    if answer.reasoning is not None:
        events += _reasoning_events(answer, index)
        index += 1
    where = {"output_index": index}
    item_id = answer.item_id
    events.append({"type": "response.output_item.added", **where, "item": answer.item(done=False)})
    if answer.call is not None:
        events += [
            {"type": "response.function_call_arguments.delta", "item_id": item_id, **where,
             "delta": token}
            for token in answer.tokens
        ]  # fmt: skip
        events.append(
            {
                "type": "response.function_call_arguments.done",
                "item_id": item_id,
                **where,
                "name": answer.call["name"],
                "arguments": answer.call["arguments"],
            }
        )
    else:
        at = {"item_id": item_id, **where, "content_index": 0}
        text = "".join(answer.tokens)
        events.append({"type": "response.content_part.added", **at, "part": answer.part("")})
        if answer.refusal:
            events += [{"type": "response.refusal.delta", **at, "delta": t} for t in answer.tokens]
            events.append({"type": "response.refusal.done", **at, "refusal": text})
        else:
            events += [
                {"type": "response.output_text.delta", **at, "delta": token, "logprobs": []}
                for token in answer.tokens
            ]
            events.append({"type": "response.output_text.done", **at, "text": text, "logprobs": []})
        events.append({"type": "response.content_part.done", **at, "part": answer.part()})
    events.append({"type": "response.output_item.done", **where, "item": answer.item()})
    final = "response.incomplete" if answer.incomplete else "response.completed"
    events.append({"type": final, "response": response})
    for number, event in enumerate(events):
        yield {**event, "sequence_number": number}


def _reasoning_events(answer: _Answer, index: int) -> list[dict[str, Any]]:
    item = answer.reasoning_item()
    where = {"output_index": index}
    events: list[dict[str, Any]] = [
        {"type": "response.output_item.added", **where, "item": answer.reasoning_item(done=False)}
    ]
    for part in item["summary"]:
        at = {"item_id": item["id"], **where, "summary_index": 0}
        events += [
            {"type": "response.reasoning_summary_part.added", **at,
             "part": {"type": "summary_text", "text": ""}},
            *({"type": "response.reasoning_summary_text.delta", **at, "delta": token}
              for token in tokenize(part["text"])),
            {"type": "response.reasoning_summary_text.done", **at, "text": part["text"]},
            {"type": "response.reasoning_summary_part.done", **at, "part": part},
        ]  # fmt: skip
    events.append({"type": "response.output_item.done", **where, "item": item})
    return events


def _entry(state: State, response_id: str) -> dict[str, Any] | None:
    return _stored(state).get(response_id)


@route("GET", r"/v1/responses/(?P<response_id>[^/]+)")
@checked
async def retrieve_response(
    state: State, request: ServerRequest, params: Mapping[str, str]
) -> ServerResponse:
    entry = _entry(state, params["response_id"])
    if entry is None:
        return _not_found(params["response_id"])
    entry["queued"] = False  # a background response has run by the time it is asked for
    response = entry["response"]
    if request.query.get("stream") == "true":
        after = request.query.get("starting_after", "-1")
        if not after.lstrip("-").isdigit():
            raise Invalid("'starting_after' must be an integer.", "starting_after")
        events = (
            e for e in _events(response, entry["answer"]) if e["sequence_number"] > int(after)
        )
        return sse_response(events, current_fault(), typed=True)
    return json_response(response)


@route("DELETE", r"/v1/responses/(?P<response_id>[^/]+)")
async def delete_response(
    state: State, request: ServerRequest, params: Mapping[str, str]
) -> ServerResponse:
    response_id = params["response_id"]
    if _stored(state).pop(response_id, None) is None:
        return _not_found(response_id)
    return json_response({"id": response_id, "object": "response.deleted", "deleted": True})


@route("POST", r"/v1/responses/(?P<response_id>[^/]+)/cancel")
async def cancel_response(
    state: State, request: ServerRequest, params: Mapping[str, str]
) -> ServerResponse:
    entry = _entry(state, params["response_id"])
    if entry is None:
        return _not_found(params["response_id"])
    response = entry["response"]
    if not response.get("background"):
        return error_response(400, "Only background responses can be cancelled.")
    if entry["queued"]:
        entry["queued"] = False
        entry["response"] = response = {**_queued(response), "status": "cancelled"}
    return json_response(response)


@route("GET", r"/v1/responses/(?P<response_id>[^/]+)/input_items")
@checked
async def list_input_items(
    state: State, request: ServerRequest, params: Mapping[str, str]
) -> ServerResponse:
    entry = _entry(state, params["response_id"])
    if entry is None:
        return _not_found(params["response_id"])
    query = request.query
    limit = query.get("limit", "20")
    if not limit.isdigit() or not 1 <= int(limit) <= 100:
        raise Invalid("'limit' must be an integer from 1 to 100.", "limit")
    order = query.get("order", "desc")
    if order not in ("asc", "desc"):
        raise Invalid("'order' must be 'asc' or 'desc'.", "order")
    items = list(entry["input_items"])
    if order == "desc":
        items.reverse()
    after = query.get("after")
    if after is not None:
        ids = [item["id"] for item in items]
        if after not in ids:
            raise Invalid(f"No input item with id '{after}'.", "after")
        items = items[ids.index(after) + 1 :]
    page = items[: int(limit)]
    return json_response(
        {
            "object": "list",
            "data": page,
            "first_id": page[0]["id"] if page else None,
            "last_id": page[-1]["id"] if page else None,
            "has_more": len(items) > len(page),
        }
    )
