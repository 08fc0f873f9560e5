"""client.responses over loopback: create, function calls, parse, stored responses, checks."""

from __future__ import annotations

import json
from typing import Any

import pydantic
import pytest

from openai_async import (
    APIResponseValidationError,
    AsyncClient,
    BadRequestError,
    InvalidParameterError,
    NotFoundError,
    pydantic_function_tool,
)
from openai_async.testing import LocalServer
from openai_async.types import (
    ParsedResponse,
    Response,
    ResponseDeleted,
    ResponseFunctionToolCall,
    ResponseFunctionToolCallOutput,
    ResponseInputText,
    ResponseItem,
    ResponseOutputMessage,
    ResponseOutputRefusal,
    ResponseOutputText,
    ResponseReasoningItem,
)

pytestmark = pytest.mark.anyio

MODEL = "gpt-4o-mini"
WEATHER = {
    "type": "function",
    "name": "get_weather",
    "description": "The weather in a city",
    "parameters": {
        "type": "object",
        "properties": {"city": {"type": "string"}, "days": {"type": "integer"}},
        "required": ["city", "days"],
        "additionalProperties": False,
    },
    "strict": True,
}


class CalendarEvent(pydantic.BaseModel):
    name: str
    date: str
    participants: list[str]


def _sent(server: LocalServer) -> dict[str, Any]:
    body: dict[str, Any] = server.requests[-1].json()
    return body


async def test_create_with_text_input(client: AsyncClient, server: LocalServer) -> None:
    """A string input gives a typed Response whose output_text is the model's text."""
    response = await client.responses.create(model=MODEL, input="tell me about otters")
    assert isinstance(response, Response)
    assert response.object == "response"
    assert response.status == "completed"
    assert response.output_text == "You said: tell me about otters"
    (message,) = response.output
    assert isinstance(message, ResponseOutputMessage)
    assert isinstance(message.content[0], ResponseOutputText)
    assert response.usage is not None
    assert (response.usage.input_tokens, response.usage.output_tokens) == (4, 6)
    assert _sent(server) == {"model": MODEL, "input": "tell me about otters"}


async def test_output_text_joins_every_text_part(client: AsyncClient, server: LocalServer) -> None:
    """output_text joins the output_text parts of every message, skipping refusals and calls."""
    body = {
        "id": "resp_1",
        "object": "response",
        "output": [
            {"type": "reasoning", "id": "rs_1", "summary": []},
            {
                "type": "message",
                "role": "assistant",
                "content": [
                    {"type": "output_text", "text": "Hello, "},
                    {"type": "refusal", "refusal": "no"},
                ],
            },
            {"type": "function_call", "call_id": "c", "name": "f", "arguments": "{}"},
            {"type": "message", "content": [{"type": "output_text", "text": "world"}]},
        ],
    }
    server.inject(status=200, body=body, path="/v1/responses")
    response = await client.responses.create(model=MODEL, input="hi")
    assert response.output_text == "Hello, world"


async def test_items_instructions_and_parameters_are_sent(
    client: AsyncClient, server: LocalServer
) -> None:
    """Input items, instructions and the other parameters reach the server as given."""
    items = [
        {"role": "developer", "content": "answer briefly"},
        {"role": "user", "content": [{"type": "input_text", "text": "what is an otter?"}]},
    ]
    response = await client.responses.create(
        model=MODEL,
        input=items,
        instructions="You are a zoologist.",
        temperature=0.2,
        top_p=0.9,
        max_output_tokens=100,
        reasoning={"effort": "low", "summary": "auto"},
        text={"verbosity": "low"},
        metadata={"run": "7"},
        truncation="auto",
        store=False,
        include=["reasoning.encrypted_content"],
        service_tier="auto",
        safety_identifier="user-1",
        prompt_cache_key="otters",
        parallel_tool_calls=False,
    )
    assert response.output_text == "You said: what is an otter?"
    assert response.instructions == "You are a zoologist."
    assert _sent(server) == {
        "model": MODEL,
        "input": items,
        "instructions": "You are a zoologist.",
        "temperature": 0.2,
        "top_p": 0.9,
        "max_output_tokens": 100,
        "reasoning": {"effort": "low", "summary": "auto"},
        "text": {"verbosity": "low"},
        "metadata": {"run": "7"},
        "truncation": "auto",
        "store": False,
        "include": ["reasoning.encrypted_content"],
        "service_tier": "auto",
        "safety_identifier": "user-1",
        "prompt_cache_key": "otters",
        "parallel_tool_calls": False,
    }
    with pytest.raises(NotFoundError):  # store=False: nothing kept
        await client.responses.retrieve(response.id)


async def test_max_output_tokens_makes_an_incomplete_response(client: AsyncClient) -> None:
    """A text cut by max_output_tokens comes back incomplete, saying why."""
    words = [f"w{k}" for k in range(20)]
    response = await client.responses.create(
        model=MODEL, input=" ".join(words), max_output_tokens=16
    )
    assert response.status == "incomplete"
    assert response.incomplete_details is not None
    assert response.incomplete_details.reason == "max_output_tokens"
    assert response.output_text == "You said: " + " ".join(words[:14])


async def test_function_calling_round_trip(client: AsyncClient, server: LocalServer) -> None:
    """The model calls the tool; its output items and a function_call_output go back in."""
    conversation: list[Any] = [{"role": "user", "content": "What is the weather in Paris?"}]
    first = await client.responses.create(model=MODEL, input=conversation, tools=[WEATHER])
    (call,) = first.output
    assert isinstance(call, ResponseFunctionToolCall)
    assert call.name == "get_weather"
    arguments = json.loads(call.arguments)
    assert set(arguments) == {"city", "days"}
    conversation += first.output
    conversation.append({"type": "function_call_output", "call_id": call.call_id, "output": "22C"})
    second = await client.responses.create(model=MODEL, input=conversation, tools=[WEATHER])
    assert second.output_text == "get_weather returned: 22C"
    sent = _sent(server)["input"]
    # The model's own item went back as its JSON, as the service returned it.
    assert sent[1] == call.to_dict()
    assert sent[2] == {"type": "function_call_output", "call_id": call.call_id, "output": "22C"}


async def test_previous_response_id_continues_a_conversation(client: AsyncClient) -> None:
    """With previous_response_id only the new items are sent; the server has the rest."""
    first = await client.responses.create(
        model=MODEL, input="use get_weather for Oslo", tools=[WEATHER]
    )
    call = first.output[0]
    assert isinstance(call, ResponseFunctionToolCall)
    second = await client.responses.create(
        model=MODEL,
        previous_response_id=first.id,
        input=[{"type": "function_call_output", "call_id": call.call_id, "output": "snow"}],
        tools=[WEATHER],
    )
    assert second.output_text == "get_weather returned: snow"
    assert second.previous_response_id == first.id
    with pytest.raises(BadRequestError) as caught:
        await client.responses.create(model=MODEL, previous_response_id="resp_none", input="hi")
    assert caught.value.param == "previous_response_id"


async def test_tool_choice_and_built_in_tools(client: AsyncClient, server: LocalServer) -> None:
    """tool_choice forces a call; built-in tools pass through to the server as given."""
    tools = [{"type": "web_search"}, WEATHER]
    forced = await client.responses.create(
        model=MODEL,
        input="hello",
        tools=tools,
        tool_choice={"type": "function", "name": "get_weather"},
    )
    assert isinstance(forced.output[0], ResponseFunctionToolCall)
    assert _sent(server)["tools"] == tools
    plain = await client.responses.create(
        model=MODEL, input="weather?", tools=tools, tool_choice="none"
    )
    assert plain.output_text == "You said: weather?"


async def test_json_schema_answers_validate(client: AsyncClient) -> None:
    """A text.format json_schema answer is JSON that fits the schema."""
    schema = {
        "type": "object",
        "properties": {"name": {"type": "string"}, "legs": {"type": "integer"}},
        "required": ["name", "legs"],
        "additionalProperties": False,
    }
    response = await client.responses.create(
        model=MODEL,
        input="an otter",
        text={
            "format": {"type": "json_schema", "name": "animal", "schema": schema, "strict": True}
        },
    )
    assert json.loads(response.output_text) == {"name": "an otter", "legs": 2}


async def test_parse_with_a_pydantic_model(client: AsyncClient, server: LocalServer) -> None:
    """parse(text_format=Model) sends its strict schema and gives output_parsed, a Model."""
    response = await client.responses.parse(
        model=MODEL,
        input=[
            {"role": "system", "content": "Extract the event information."},
            {"role": "user", "content": "Alice and Bob are going to a science fair on Friday."},
        ],
        text_format=CalendarEvent,
    )
    assert isinstance(response, ParsedResponse)
    event = response.output_parsed
    assert isinstance(event, CalendarEvent)
    text = "Alice and Bob are going to a science fair on Friday."
    assert event == CalendarEvent(name=text, date=text, participants=[text])
    part = response.output[0].content[0]
    assert part.parsed == event
    format_ = _sent(server)["text"]["format"]
    assert format_["type"] == "json_schema"
    assert format_["name"] == "CalendarEvent"
    assert format_["strict"] is True
    assert format_["schema"]["additionalProperties"] is False
    assert format_["schema"]["required"] == ["name", "date", "participants"]


async def test_parse_with_a_schema_and_tools(client: AsyncClient, server: LocalServer) -> None:
    """A JSON schema parses to JSON; pydantic tools go flat and their calls get parsed."""

    class Lookup(pydantic.BaseModel):
        """Look a word up."""

        word: str

    parsed = await client.responses.parse(
        model=MODEL,
        input="x",
        text_format={"type": "object", "properties": {"n": {"type": "number"}}},
    )
    assert parsed.output_parsed == {"n": 1.0}
    called = await client.responses.parse(
        model=MODEL, input="please Lookup otter", tools=[pydantic_function_tool(Lookup)]
    )
    call = called.output[0]
    assert isinstance(call, ResponseFunctionToolCall)
    assert call.parsed_arguments == Lookup(word="please Lookup otter")
    assert called.output_parsed is None
    (tool,) = _sent(server)["tools"]
    assert (tool["type"], tool["name"]) == ("function", "Lookup")
    assert "function" not in tool
    assert tool["description"] == "Look a word up."


async def test_parse_refuses_text_that_does_not_fit(
    client: AsyncClient, server: LocalServer
) -> None:
    """Text that does not fit the model is the server's fault: APIResponseValidationError."""
    body = {
        "id": "resp_1",
        "object": "response",
        "output": [{"type": "message", "content": [{"type": "output_text", "text": "{}"}]}],
    }
    server.inject(status=200, body=body, path="/v1/responses")
    with pytest.raises(APIResponseValidationError):
        await client.responses.parse(model=MODEL, input="x", text_format=CalendarEvent)


async def test_retrieve_delete_and_input_items(client: AsyncClient) -> None:
    """A stored response can be retrieved, its input listed page by page, and deleted."""
    items = [{"role": "user", "content": f"message {k}"} for k in range(5)]
    created = await client.responses.create(model=MODEL, input=items)
    again = await client.responses.retrieve(created.id)
    assert again.output_text == created.output_text == "You said: message 4"
    page = await client.responses.input_items.list(created.id, limit=2, order="asc")
    assert [item.content[0].text for item in page] == ["message 0", "message 1"]
    assert page.extra["has_more"] is True
    assert isinstance(page[0], ResponseOutputMessage)
    assert isinstance(page[0].content[0], ResponseInputText)
    newest_first = [item async for item in client.responses.input_items.list(created.id, limit=2)]
    assert [i.content[0].text for i in newest_first] == [f"message {k}" for k in (4, 3, 2, 1, 0)]
    deleted = await client.responses.delete(created.id)
    assert deleted == ResponseDeleted(id=created.id, object="response.deleted", deleted=True)
    with pytest.raises(NotFoundError):
        await client.responses.retrieve(created.id)


async def test_input_items_keep_function_call_outputs(client: AsyncClient) -> None:
    """input_items lists function_call_output items typed, and unknown kinds generic."""
    created = await client.responses.create(
        model=MODEL,
        input=[
            {"type": "function_call_output", "call_id": "call_1", "output": "42"},
            {"type": "item_reference", "id": "msg_old"},
        ],
    )
    items = [item async for item in client.responses.input_items.list(created.id, order="asc")]
    assert isinstance(items[0], ResponseFunctionToolCallOutput)
    assert items[0].output == "42"
    assert isinstance(items[1], ResponseItem)
    assert items[1].type == "item_reference"


async def test_background_response_is_queued_then_cancelled(client: AsyncClient) -> None:
    """background=True answers queued; cancel stops it; one that ran completes."""
    queued = await client.responses.create(model=MODEL, input="hi", background=True)
    assert queued.status == "queued"
    cancelled = await client.responses.cancel(queued.id)
    assert cancelled.status == "cancelled"
    ran = await client.responses.create(model=MODEL, input="hi", background=True)
    polled = await client.responses.retrieve(ran.id)
    assert (polled.status, polled.output_text) == ("completed", "You said: hi")
    with pytest.raises(BadRequestError):  # only background responses can be cancelled
        await client.responses.cancel((await client.responses.create(model=MODEL, input="x")).id)


@pytest.mark.parametrize(
    ("params", "name"),
    [
        ({"input": "hi"}, "model"),
        ({"model": 3, "input": "hi"}, "model"),
        ({"model": MODEL, "input": []}, "input"),
        ({"model": MODEL, "input": [{"content": "no role"}]}, "input[0]"),
        ({"model": MODEL, "input": "hi", "tools": [{"name": "f"}]}, "tools[0]"),
        (
            {
                "model": MODEL,
                "input": "hi",
                "tools": [{"type": "function", "function": {"name": "f"}}],
            },
            "tools[0]",
        ),
        (
            {"model": MODEL, "input": "hi", "tools": [{"type": "function", "name": "a b"}]},
            "tools[0].name",
        ),
        ({"model": MODEL, "input": "hi", "text": {"format": {"type": "xml"}}}, "text.format"),
        (
            {
                "model": MODEL,
                "input": "hi",
                "text": {"format": {"type": "json_schema", "schema": {}}},
            },
            "text.format.name",
        ),
        ({"model": MODEL, "input": "hi", "temperature": 3}, "temperature"),
        ({"model": MODEL, "input": "hi", "top_logprobs": 21}, "top_logprobs"),
        ({"model": MODEL, "input": "hi", "max_output_tokens": 15}, "max_output_tokens"),
        ({"model": MODEL, "input": "hi", "truncation": "sometimes"}, "truncation"),
        ({"model": MODEL, "input": "hi", "tool_choice": "always"}, "tool_choice"),
        ({"model": MODEL, "input": "hi", "tool_choice": 1}, "tool_choice"),
        (
            {"model": MODEL, "input": "hi", "stream_options": {"include_obfuscation": False}},
            "stream_options",
        ),
        ({"model": MODEL, "input": "hi", "background": True, "store": False}, "background"),
        (
            {"model": MODEL, "input": "hi", "previous_response_id": "r", "conversation": "c"},
            "previous_response_id",
        ),
        ({"model": MODEL, "input": "hi", "include": "reasoning.encrypted_content"}, "include"),
    ],
)
async def test_bad_parameters_are_refused_before_sending(
    client: AsyncClient, server: LocalServer, params: dict[str, Any], name: str
) -> None:
    """Each bad parameter raises InvalidParameterError naming it; nothing is sent."""
    with pytest.raises(InvalidParameterError) as caught:
        await client.responses.create(**params)
    assert caught.value.param == name
    assert server.requests == []


async def test_bad_ids_and_queries_are_refused(client: AsyncClient, server: LocalServer) -> None:
    """Empty ids, a page size out of bounds and parse's double format are refused."""
    with pytest.raises(InvalidParameterError, match="response_id"):
        await client.responses.retrieve("")
    with pytest.raises(InvalidParameterError, match="limit"):
        client.responses.input_items.list("resp_1", limit=101)
    with pytest.raises(InvalidParameterError, match="starting_after"):
        await client.responses.retrieve("resp_1", starting_after=3)
    with pytest.raises(InvalidParameterError, match="text_format"):
        await client.responses.parse(
            model=MODEL, input="x", text_format=CalendarEvent, text={"format": {"type": "text"}}
        )
    with pytest.raises(InvalidParameterError, match="text_format"):
        await client.responses.parse(model=MODEL, input="x", text_format=int)
    assert server.requests == []


async def test_per_call_options_apply(client: AsyncClient, server: LocalServer) -> None:
    """extra_headers, extra_query and extra_body reach the server on every method."""
    created = await client.responses.create(
        model=MODEL, input="hi", extra_headers={"x-trace": "1"}, extra_body={"user": "u"}
    )
    assert server.requests[-1].headers["x-trace"] == "1"
    assert _sent(server)["user"] == "u"
    await client.responses.retrieve(created.id, include=["message.output_text.logprobs"])
    assert server.requests[-1].query == {"include": "message.output_text.logprobs"}
    await client.responses.input_items.list(created.id, extra_headers={"x-trace": "2"})
    assert server.requests[-1].headers["x-trace"] == "2"


async def test_batch_jobs_run_responses(client: AsyncClient) -> None:
    """A batch job item for /responses comes back as a Response."""
    from openai_async import BatchRequest

    items = [
        BatchRequest(path="responses", body={"model": MODEL, "input": f"n{k}"}) for k in (1, 2)
    ]
    async with client.batch(items) as job:
        results = sorted([r async for r in job], key=lambda r: r.id)
    assert [r.response.output_text for r in results] == ["You said: n1", "You said: n2"]


async def test_reasoning_models_output_a_reasoning_item(client: AsyncClient) -> None:
    """A reasoning model thinks first: a reasoning item, its summary, reasoning tokens."""
    response = await client.responses.create(
        model="o4-mini",
        input="why is the sky blue?",
        reasoning={"effort": "high", "summary": "auto"},
    )
    reasoning, message = response.output
    assert isinstance(reasoning, ResponseReasoningItem)
    assert reasoning.summary == [
        {"type": "summary_text", "text": "Thinking about: why is the sky blue?"}
    ]
    assert isinstance(message, ResponseOutputMessage)
    assert response.output_text == "You said: why is the sky blue?"
    usage = response.usage
    assert usage is not None
    assert usage.output_tokens_details is not None
    assert usage.output_tokens_details.reasoning_tokens == 4 * 7  # high effort, 7 tokens
    assert usage.output_tokens == 7 + 28
    # The reasoning item goes back in the next request's input, as the service wants.
    again = await client.responses.create(
        model="o4-mini", input=[{"role": "user", "content": "why?"}, *response.output]
    )
    assert again.output_text == "You said: why?"
    plain = await client.responses.create(model="gpt-4o-mini", input="hi")
    assert [item.type for item in plain.output] == ["message"]


async def test_refusal(client: AsyncClient) -> None:
    """A refused request answers with a refusal part: no output_text, nothing parsed."""
    response = await client.responses.create(model=MODEL, input="[refuse] something bad")
    message = response.output[0]
    assert isinstance(message, ResponseOutputMessage)
    (part,) = message.content
    assert isinstance(part, ResponseOutputRefusal)
    assert part.refusal == "I'm sorry, I can't help with that."
    assert response.output_text == ""
    parsed = await client.responses.parse(
        model=MODEL, input="[refuse] Alice's party", text_format=CalendarEvent
    )
    assert parsed.output_parsed is None


@pytest.mark.off_spec("a previous_response_id that is not a string, on purpose")
@pytest.mark.parametrize("previous", [["resp_1"], {"id": "resp_1"}, 7])
async def test_local_server_refuses_a_previous_response_id_that_is_not_a_string(
    client: AsyncClient, previous: object
) -> None:
    """Sent through the escape hatch (the method refuses it), the server answers 400."""
    body = {"model": "gpt-4o", "input": "hi", "previous_response_id": previous}
    with pytest.raises(BadRequestError) as caught:
        await client.request("POST", "responses", json=body)
    assert caught.value.param == "previous_response_id"
