"""Models of ``/responses``: a response, its output items and their content.

Output items and content parts (and the stream events, in ``_response_events``) are
unions told apart by their ``type``. The service adds kinds often (built-in tools bring
their own items and events), so a kind this client does not model becomes the union's
generic member (``ResponseItem``, ``ResponseContentPart``, ``ResponseEvent``): it keeps
the whole object, and its fields read as attributes (``item.action``) as well as
through ``to_dict()``.
"""

from __future__ import annotations

from typing import Any, Generic, Literal, TypeAlias, TypeVar, Union, get_args

import attrs

from .._models import STRUCTURE_HOOK, APIObject, ListResponse, register_tagged_union

__all__ = [
    "ParsedResponse",
    "Response",
    "ResponseContent",
    "ResponseContentPart",
    "ResponseDeleted",
    "ResponseError",
    "ResponseFunctionToolCall",
    "ResponseFunctionToolCallOutput",
    "ResponseIncompleteDetails",
    "ResponseInputText",
    "ResponseItem",
    "ResponseItemList",
    "ResponseOutputItem",
    "ResponseOutputMessage",
    "ResponseOutputRefusal",
    "ResponseOutputText",
    "ResponseReasoningItem",
    "ResponseUsage",
    "ResponseUsageInputTokensDetails",
    "ResponseUsageOutputTokensDetails",
]

T = TypeVar("T")


def sent_field(obj: APIObject, name: str) -> Any:
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


def tag(value: str) -> Any:
    """The ``type`` field of a member of a tagged union: its one value, checked."""
    return attrs.field(default=value, metadata={STRUCTURE_HOOK: _check_tag})


# -- content parts -------------------------------------------------------------------


@attrs.frozen(kw_only=True, slots=False)
class ResponseOutputText(APIObject):
    """Text the model wrote; ``annotations`` (citations) and ``logprobs`` as JSON.

    ``parsed``: from ``responses.parse``, the text as the asked type (else None).
    """

    type: Literal["output_text"] = tag("output_text")
    text: str = ""
    annotations: list[Any] = attrs.field(factory=list)
    logprobs: list[Any] | None = None
    parsed: Any = attrs.field(default=None, init=False)


@attrs.frozen(kw_only=True, slots=False)
class ResponseOutputRefusal(APIObject):
    """The model's refusal to answer, instead of text."""

    type: Literal["refusal"] = tag("refusal")
    refusal: str = ""


@attrs.frozen(kw_only=True, slots=False)
class ResponseInputText(APIObject):
    """Text of an input message (as ``input_items.list`` returns it)."""

    type: Literal["input_text"] = tag("input_text")
    text: str = ""


@attrs.frozen(kw_only=True, slots=False)
class ResponseContentPart(APIObject):
    """A content part of a kind not modelled here (images, files, audio, ...)."""

    type: str = ""

    def __getattr__(self, name: str) -> Any:
        return sent_field(self, name)


ResponseContent: TypeAlias = Union[  # noqa: UP007  (a runtime value for the converter)
    ResponseOutputText, ResponseOutputRefusal, ResponseInputText, ResponseContentPart
]


# -- items -----------------------------------------------------------------------------


@attrs.frozen(kw_only=True, slots=False)
class ResponseOutputMessage(APIObject):
    """A message: the model's (``role == "assistant"``), or an input one in ``input_items``."""

    type: Literal["message"] = tag("message")
    id: str | None = None
    role: str = "assistant"
    status: str | None = None
    content: list[ResponseContent] = attrs.field(factory=list)


@attrs.frozen(kw_only=True, slots=False)
class ResponseFunctionToolCall(APIObject):
    """The model asks for a function call; answer with a ``function_call_output`` item.

    ``arguments`` is JSON text. Send back ``{"type": "function_call_output",
    "call_id": call.call_id, "output": ...}`` in the next request's ``input``.
    ``parsed_arguments``: from ``responses.parse``, for a strict tool (one made by
    ``pydantic_function_tool``: an instance of its model), the arguments parsed.
    """

    type: Literal["function_call"] = tag("function_call")
    id: str | None = None
    call_id: str = ""
    name: str = ""
    arguments: str = ""
    status: str | None = None
    parsed_arguments: Any = attrs.field(default=None, init=False)


@attrs.frozen(kw_only=True, slots=False)
class ResponseFunctionToolCallOutput(APIObject):
    """A function's result, as given back to the model (in ``input_items``)."""

    type: Literal["function_call_output"] = tag("function_call_output")
    id: str | None = None
    call_id: str = ""
    output: Any = ""
    status: str | None = None


@attrs.frozen(kw_only=True, slots=False)
class ResponseReasoningItem(APIObject):
    """A reasoning model's thinking: ``summary`` parts, and its ``encrypted_content``."""

    type: Literal["reasoning"] = tag("reasoning")
    id: str = ""
    summary: list[Any] = attrs.field(factory=list)
    content: list[Any] | None = None
    encrypted_content: str | None = None
    status: str | None = None


@attrs.frozen(kw_only=True, slots=False)
class ResponseItem(APIObject):
    """An item of a kind not modelled here (built-in tool calls and their outputs, ...)."""

    type: str = ""
    id: str | None = None

    def __getattr__(self, name: str) -> Any:
        return sent_field(self, name)


ResponseOutputItem: TypeAlias = Union[  # noqa: UP007
    ResponseOutputMessage,
    ResponseFunctionToolCall,
    ResponseFunctionToolCallOutput,
    ResponseReasoningItem,
    ResponseItem,
]


# -- the response ----------------------------------------------------------------------


@attrs.frozen(kw_only=True, slots=False)
class ResponseError(APIObject):
    """Why a response failed (``status == "failed"``)."""

    code: str | None = None
    message: str = ""


@attrs.frozen(kw_only=True, slots=False)
class ResponseIncompleteDetails(APIObject):
    """Why a response is incomplete: ``max_output_tokens`` or ``content_filter``."""

    reason: str | None = None


@attrs.frozen(kw_only=True, slots=False)
class ResponseUsageInputTokensDetails(APIObject):
    cached_tokens: int = 0


@attrs.frozen(kw_only=True, slots=False)
class ResponseUsageOutputTokensDetails(APIObject):
    reasoning_tokens: int = 0


@attrs.frozen(kw_only=True, slots=False)
class ResponseUsage(APIObject):
    """Tokens read and written; reasoning tokens are part of ``output_tokens``."""

    input_tokens: int = 0
    input_tokens_details: ResponseUsageInputTokensDetails | None = None
    output_tokens: int = 0
    output_tokens_details: ResponseUsageOutputTokensDetails | None = None
    total_tokens: int = 0


@attrs.frozen(kw_only=True, slots=False)
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


@attrs.frozen(kw_only=True, slots=False)
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


@attrs.frozen(kw_only=True, slots=False)
class ResponseDeleted(APIObject):
    """The answer of ``DELETE /responses/{id}``."""

    id: str = ""
    object: str = "response.deleted"
    deleted: bool = True


ResponseItemList: TypeAlias = ListResponse[ResponseOutputItem]
"""A page of ``input_items.list``: ``first_id``, ``last_id`` and ``has_more`` in ``extra``."""


register_tagged_union(ResponseContent, ResponseContentPart)
register_tagged_union(ResponseOutputItem, ResponseItem)
