"""Models of ``/responses``: a response, its output items, its streamed events.

Output items, content parts and stream events are unions told apart by their
``type``. The service adds kinds often (built-in tools bring their own items and
events), so a kind this client does not model becomes the union's generic member
(``ResponseItem``, ``ResponseContent``, ``ResponseEvent``): it keeps the whole object,
and its fields read as attributes (``event.item_id``) as well as through ``to_dict()``.
"""

from __future__ import annotations

from typing import Any, Generic, Literal, TypeAlias, TypeVar, Union, get_args

import attrs

from .._fast_structure import STRUCTURE_HOOK
from .._models import APIObject, ListResponse, register_tagged_union

__all__ = [
    "ParsedResponse",
    "Response",
    "ResponseCompletedEvent",
    "ResponseContent",
    "ResponseContentPart",
    "ResponseContentPartAddedEvent",
    "ResponseContentPartDoneEvent",
    "ResponseCreatedEvent",
    "ResponseDeleted",
    "ResponseError",
    "ResponseErrorEvent",
    "ResponseEvent",
    "ResponseFailedEvent",
    "ResponseFunctionCallArgumentsDeltaEvent",
    "ResponseFunctionCallArgumentsDoneEvent",
    "ResponseFunctionToolCall",
    "ResponseFunctionToolCallOutput",
    "ResponseInProgressEvent",
    "ResponseIncompleteDetails",
    "ResponseIncompleteEvent",
    "ResponseInputText",
    "ResponseItem",
    "ResponseItemList",
    "ResponseOutputItem",
    "ResponseOutputItemAddedEvent",
    "ResponseOutputItemDoneEvent",
    "ResponseOutputMessage",
    "ResponseOutputRefusal",
    "ResponseOutputText",
    "ResponseQueuedEvent",
    "ResponseReasoningItem",
    "ResponseReasoningSummaryTextDeltaEvent",
    "ResponseReasoningSummaryTextDoneEvent",
    "ResponseRefusalDeltaEvent",
    "ResponseRefusalDoneEvent",
    "ResponseStreamEvent",
    "ResponseTextDeltaEvent",
    "ResponseTextDoneEvent",
    "ResponseUsage",
    "ResponseUsageInputTokensDetails",
    "ResponseUsageOutputTokensDetails",
]

T = TypeVar("T")


def _sent_field(obj: APIObject, name: str) -> Any:
    """A field the server sent that the generic model does not declare, as JSON."""
    if not name.startswith("_"):
        raw = obj._raw
        if raw is not None and name in raw:
            return raw[name]
    raise AttributeError(f"{type(obj).__name__!r} object has no attribute {name!r}")


def _check_tag(value: object, kind: Any) -> Any:
    if value not in get_args(kind):
        raise ValueError(f"type {value!r} is not {kind}")
    return value


def _tag(value: str) -> Any:
    """The ``type`` field of a member of a tagged union: its one value, checked."""
    return attrs.field(default=value, metadata={STRUCTURE_HOOK: _check_tag})


# -- content parts -------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class ResponseOutputText(APIObject):
    """Text the model wrote; ``annotations`` (citations) and ``logprobs`` as JSON.

    ``parsed``: from ``responses.parse``, the text as the asked type (else None).
    """

    type: Literal["output_text"] = _tag("output_text")
    text: str = ""
    annotations: list[Any] = attrs.field(factory=list)
    logprobs: list[Any] | None = None
    parsed: Any = attrs.field(default=None, init=False)


@attrs.frozen(kw_only=True)
class ResponseOutputRefusal(APIObject):
    """The model's refusal to answer, instead of text."""

    type: Literal["refusal"] = _tag("refusal")
    refusal: str = ""


@attrs.frozen(kw_only=True)
class ResponseInputText(APIObject):
    """Text of an input message (as ``input_items.list`` returns it)."""

    type: Literal["input_text"] = _tag("input_text")
    text: str = ""


@attrs.frozen(kw_only=True)
class ResponseContentPart(APIObject):
    """A content part of a kind not modelled here (images, files, audio, ...)."""

    type: str = ""

    def __getattr__(self, name: str) -> Any:
        return _sent_field(self, name)


ResponseContent: TypeAlias = Union[  # noqa: UP007  (a runtime value for the converter)
    ResponseOutputText, ResponseOutputRefusal, ResponseInputText, ResponseContentPart
]


# -- items -----------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class ResponseOutputMessage(APIObject):
    """A message: the model's (``role == "assistant"``), or an input one in ``input_items``."""

    type: Literal["message"] = _tag("message")
    id: str | None = None
    role: str = "assistant"
    status: str | None = None
    content: list[ResponseContent] = attrs.field(factory=list)


@attrs.frozen(kw_only=True)
class ResponseFunctionToolCall(APIObject):
    """The model asks for a function call; answer with a ``function_call_output`` item.

    ``arguments`` is JSON text. Send back ``{"type": "function_call_output",
    "call_id": call.call_id, "output": ...}`` in the next request's ``input``.
    ``parsed_arguments``: from ``responses.parse``, for a strict tool (one made by
    ``pydantic_function_tool``: an instance of its model), the arguments parsed.
    """

    type: Literal["function_call"] = _tag("function_call")
    id: str | None = None
    call_id: str = ""
    name: str = ""
    arguments: str = ""
    status: str | None = None
    parsed_arguments: Any = attrs.field(default=None, init=False)


@attrs.frozen(kw_only=True)
class ResponseFunctionToolCallOutput(APIObject):
    """A function's result, as given back to the model (in ``input_items``)."""

    type: Literal["function_call_output"] = _tag("function_call_output")
    id: str | None = None
    call_id: str = ""
    output: Any = ""
    status: str | None = None


@attrs.frozen(kw_only=True)
class ResponseReasoningItem(APIObject):
    """A reasoning model's thinking: ``summary`` parts, and its ``encrypted_content``."""

    type: Literal["reasoning"] = _tag("reasoning")
    id: str = ""
    summary: list[Any] = attrs.field(factory=list)
    content: list[Any] | None = None
    encrypted_content: str | None = None
    status: str | None = None


@attrs.frozen(kw_only=True)
class ResponseItem(APIObject):
    """An item of a kind not modelled here (built-in tool calls and their outputs, ...)."""

    type: str = ""
    id: str | None = None

    def __getattr__(self, name: str) -> Any:
        return _sent_field(self, name)


ResponseOutputItem: TypeAlias = Union[  # noqa: UP007
    ResponseOutputMessage,
    ResponseFunctionToolCall,
    ResponseFunctionToolCallOutput,
    ResponseReasoningItem,
    ResponseItem,
]


# -- the response ----------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class ResponseError(APIObject):
    """Why a response failed (``status == "failed"``)."""

    code: str | None = None
    message: str = ""


@attrs.frozen(kw_only=True)
class ResponseIncompleteDetails(APIObject):
    """Why a response is incomplete: ``max_output_tokens`` or ``content_filter``."""

    reason: str | None = None


@attrs.frozen(kw_only=True)
class ResponseUsageInputTokensDetails(APIObject):
    cached_tokens: int = 0


@attrs.frozen(kw_only=True)
class ResponseUsageOutputTokensDetails(APIObject):
    reasoning_tokens: int = 0


@attrs.frozen(kw_only=True)
class ResponseUsage(APIObject):
    """Tokens read and written; reasoning tokens are part of ``output_tokens``."""

    input_tokens: int = 0
    input_tokens_details: ResponseUsageInputTokensDetails | None = None
    output_tokens: int = 0
    output_tokens_details: ResponseUsageOutputTokensDetails | None = None
    total_tokens: int = 0


@attrs.frozen(kw_only=True)
class Response(APIObject):
    """The answer of ``POST /responses`` (``object == "response"``).

    ``output_text`` joins the text of every ``output_text`` part of the output's
    messages. ``status`` is ``completed``, ``failed``, ``in_progress``, ``queued``
    (``background=True``), ``cancelled`` or ``incomplete``. Parameters echoed back
    that are open objects (``text``, ``reasoning``, ``tools``, ...) are JSON.
    """

    id: str
    object: str = "response"
    created_at: float = 0
    status: str | None = None
    model: str = ""
    output: list[ResponseOutputItem] = attrs.field(factory=list)
    error: ResponseError | None = None
    incomplete_details: ResponseIncompleteDetails | None = None
    instructions: Any = None
    usage: ResponseUsage | None = None
    previous_response_id: str | None = None
    background: bool | None = None
    completed_at: float | None = None
    max_output_tokens: int | None = None
    max_tool_calls: int | None = None
    metadata: dict[str, str] | None = None
    parallel_tool_calls: bool = True
    reasoning: Any = None
    service_tier: str | None = None
    temperature: float | None = None
    text: Any = None
    tool_choice: Any = None
    tools: list[Any] = attrs.field(factory=list)
    top_logprobs: int | None = None
    top_p: float | None = None
    truncation: str | None = None
    conversation: Any = None
    prompt: Any = None
    user: str | None = None
    safety_identifier: str | None = None
    prompt_cache_key: str | None = None

    @property
    def output_text(self) -> str:
        """The text of the output's messages: their ``output_text`` parts joined."""
        return "".join(
            part.text
            for item in self.output
            if isinstance(item, ResponseOutputMessage)
            for part in item.content
            if isinstance(part, ResponseOutputText)
        )


@attrs.frozen(kw_only=True)
class ParsedResponse(Response, Generic[T]):
    """What ``responses.parse`` returns: ``output_parsed``, the text as the asked type.

    Each ``output_text`` part has its ``parsed``; function calls of strict tools have
    their ``parsed_arguments``.
    """

    @property
    def output_parsed(self) -> T | None:
        """The first message text, parsed; None when there is none (a refusal, calls only)."""
        for item in self.output:
            if isinstance(item, ResponseOutputMessage):
                for part in item.content:
                    if isinstance(part, ResponseOutputText) and part.parsed is not None:
                        parsed: T = part.parsed
                        return parsed
        return None


@attrs.frozen(kw_only=True)
class ResponseDeleted(APIObject):
    """The answer of ``DELETE /responses/{id}``."""

    id: str = ""
    object: str = "response.deleted"
    deleted: bool = True


ResponseItemList: TypeAlias = ListResponse[ResponseOutputItem]
"""A page of ``input_items.list``: ``first_id``, ``last_id`` and ``has_more`` in ``extra``."""


# -- stream events ---------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class ResponseCreatedEvent(APIObject):
    """The first event: the response as it starts (``status == "in_progress"``)."""

    type: Literal["response.created"] = _tag("response.created")
    sequence_number: int = 0
    response: Response


@attrs.frozen(kw_only=True)
class ResponseQueuedEvent(APIObject):
    type: Literal["response.queued"] = _tag("response.queued")
    sequence_number: int = 0
    response: Response


@attrs.frozen(kw_only=True)
class ResponseInProgressEvent(APIObject):
    type: Literal["response.in_progress"] = _tag("response.in_progress")
    sequence_number: int = 0
    response: Response


@attrs.frozen(kw_only=True)
class ResponseCompletedEvent(APIObject):
    """The last event of a response that finished: the whole response."""

    type: Literal["response.completed"] = _tag("response.completed")
    sequence_number: int = 0
    response: Response


@attrs.frozen(kw_only=True)
class ResponseFailedEvent(APIObject):
    """The last event of a response that failed; ``response.error`` says why."""

    type: Literal["response.failed"] = _tag("response.failed")
    sequence_number: int = 0
    response: Response


@attrs.frozen(kw_only=True)
class ResponseIncompleteEvent(APIObject):
    """The last event of a response cut short; ``response.incomplete_details`` says why."""

    type: Literal["response.incomplete"] = _tag("response.incomplete")
    sequence_number: int = 0
    response: Response


@attrs.frozen(kw_only=True)
class ResponseOutputItemAddedEvent(APIObject):
    type: Literal["response.output_item.added"] = _tag("response.output_item.added")
    sequence_number: int = 0
    output_index: int = 0
    item: ResponseOutputItem


@attrs.frozen(kw_only=True)
class ResponseOutputItemDoneEvent(APIObject):
    type: Literal["response.output_item.done"] = _tag("response.output_item.done")
    sequence_number: int = 0
    output_index: int = 0
    item: ResponseOutputItem


@attrs.frozen(kw_only=True)
class ResponseContentPartAddedEvent(APIObject):
    type: Literal["response.content_part.added"] = _tag("response.content_part.added")
    sequence_number: int = 0
    item_id: str = ""
    output_index: int = 0
    content_index: int = 0
    part: ResponseContent


@attrs.frozen(kw_only=True)
class ResponseContentPartDoneEvent(APIObject):
    type: Literal["response.content_part.done"] = _tag("response.content_part.done")
    sequence_number: int = 0
    item_id: str = ""
    output_index: int = 0
    content_index: int = 0
    part: ResponseContent


@attrs.frozen(kw_only=True)
class ResponseTextDeltaEvent(APIObject):
    """A piece of text: join the ``delta`` of these events for the text so far."""

    type: Literal["response.output_text.delta"] = _tag("response.output_text.delta")
    sequence_number: int = 0
    item_id: str = ""
    output_index: int = 0
    content_index: int = 0
    delta: str = ""
    logprobs: list[Any] | None = None


@attrs.frozen(kw_only=True)
class ResponseTextDoneEvent(APIObject):
    type: Literal["response.output_text.done"] = _tag("response.output_text.done")
    sequence_number: int = 0
    item_id: str = ""
    output_index: int = 0
    content_index: int = 0
    text: str = ""
    logprobs: list[Any] | None = None


@attrs.frozen(kw_only=True)
class ResponseRefusalDeltaEvent(APIObject):
    type: Literal["response.refusal.delta"] = _tag("response.refusal.delta")
    sequence_number: int = 0
    item_id: str = ""
    output_index: int = 0
    content_index: int = 0
    delta: str = ""


@attrs.frozen(kw_only=True)
class ResponseRefusalDoneEvent(APIObject):
    type: Literal["response.refusal.done"] = _tag("response.refusal.done")
    sequence_number: int = 0
    item_id: str = ""
    output_index: int = 0
    content_index: int = 0
    refusal: str = ""


@attrs.frozen(kw_only=True)
class ResponseFunctionCallArgumentsDeltaEvent(APIObject):
    type: Literal["response.function_call_arguments.delta"] = _tag(
        "response.function_call_arguments.delta"
    )
    sequence_number: int = 0
    item_id: str = ""
    output_index: int = 0
    delta: str = ""


@attrs.frozen(kw_only=True)
class ResponseFunctionCallArgumentsDoneEvent(APIObject):
    type: Literal["response.function_call_arguments.done"] = _tag(
        "response.function_call_arguments.done"
    )
    sequence_number: int = 0
    item_id: str = ""
    output_index: int = 0
    name: str | None = None
    arguments: str = ""


@attrs.frozen(kw_only=True)
class ResponseReasoningSummaryTextDeltaEvent(APIObject):
    type: Literal["response.reasoning_summary_text.delta"] = _tag(
        "response.reasoning_summary_text.delta"
    )
    sequence_number: int = 0
    item_id: str = ""
    output_index: int = 0
    summary_index: int = 0
    delta: str = ""


@attrs.frozen(kw_only=True)
class ResponseReasoningSummaryTextDoneEvent(APIObject):
    type: Literal["response.reasoning_summary_text.done"] = _tag(
        "response.reasoning_summary_text.done"
    )
    sequence_number: int = 0
    item_id: str = ""
    output_index: int = 0
    summary_index: int = 0
    text: str = ""


@attrs.frozen(kw_only=True)
class ResponseErrorEvent(APIObject):
    """An ``error`` event sent without its ``event: error`` name.

    Named ones raise ``StreamEventError``, as errors inside any stream do; this one
    ends the stream as its last event.
    """

    type: Literal["error"] = _tag("error")
    sequence_number: int = 0
    code: str | None = None
    message: str = ""
    param: str | None = None


@attrs.frozen(kw_only=True)
class ResponseEvent(APIObject):
    """An event of a kind not modelled here (built-in tools' progress, audio, ...)."""

    type: str = ""
    sequence_number: int = 0

    def __getattr__(self, name: str) -> Any:
        return _sent_field(self, name)


ResponseStreamEvent: TypeAlias = Union[  # noqa: UP007
    ResponseCreatedEvent,
    ResponseQueuedEvent,
    ResponseInProgressEvent,
    ResponseCompletedEvent,
    ResponseFailedEvent,
    ResponseIncompleteEvent,
    ResponseOutputItemAddedEvent,
    ResponseOutputItemDoneEvent,
    ResponseContentPartAddedEvent,
    ResponseContentPartDoneEvent,
    ResponseTextDeltaEvent,
    ResponseTextDoneEvent,
    ResponseRefusalDeltaEvent,
    ResponseRefusalDoneEvent,
    ResponseFunctionCallArgumentsDeltaEvent,
    ResponseFunctionCallArgumentsDoneEvent,
    ResponseReasoningSummaryTextDeltaEvent,
    ResponseReasoningSummaryTextDoneEvent,
    ResponseErrorEvent,
    ResponseEvent,
]

register_tagged_union(ResponseContent, ResponseContentPart)
register_tagged_union(ResponseOutputItem, ResponseItem)
register_tagged_union(ResponseStreamEvent, ResponseEvent)
