"""``client.fine_tunes``: the legacy (2023) fine-tuning jobs and their event stream."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal, Required, Unpack, overload

from .._config import NotGiven
from .._exceptions import InvalidParameterError, shown
from .._pages import AsyncPaginator
from .._request import Endpoint, RequestOptions, json_request, pop_options, sse_request
from .._streaming import AsyncStream
from ..types import FineTune, FineTuneEvent, ListResponse
from ._base import Resource, path_param
from ._checks import check_flag, check_range, check_types, json_body

__all__ = ["FineTuneCreateParams", "FineTunes"]

_MAX_SUFFIX = 40  # "A string of up to 40 characters"


class FineTuneCreateParams(RequestOptions, total=False):
    """The parameters of ``POST /fine-tunes`` (the 2023 API), declared once."""

    training_file: Required[str]
    validation_file: str | NotGiven | None
    model: str | NotGiven | None
    n_epochs: int | NotGiven | None
    batch_size: int | NotGiven | None
    learning_rate_multiplier: float | NotGiven | None
    prompt_loss_weight: float | NotGiven | None
    compute_classification_metrics: bool | NotGiven | None
    classification_n_classes: int | NotGiven | None
    classification_positive_class: str | NotGiven | None
    classification_betas: Sequence[float] | NotGiven | None
    suffix: str | NotGiven | None


FINE_TUNES = Endpoint("POST", "fine-tunes", FineTune, FineTuneCreateParams)


class FineTunes(Resource):
    """Create, list, retrieve and cancel fine-tunes; follow their events."""

    __slots__ = ()

    async def create(self, **params: Unpack[FineTuneCreateParams]) -> FineTune:
        """``POST /fine-tunes``: start a job on an uploaded JSON Lines file."""
        given: dict[str, Any] = dict(params)
        options = pop_options(given)
        check_types(given, FineTuneCreateParams)
        training_file = given.get("training_file")
        if not isinstance(training_file, str) or not training_file:
            raise InvalidParameterError("training_file", "expected a file id")
        suffix = given.get("suffix")
        if suffix is not None and not isinstance(suffix, str):
            raise InvalidParameterError("suffix", f"expected a string, got {shown(suffix)}")
        if suffix is not None and not 1 <= len(suffix) <= _MAX_SUFFIX:
            raise InvalidParameterError(
                "suffix", f"must be 1 to {_MAX_SUFFIX} characters, got {len(suffix)}"
            )
        for name in ("n_epochs", "batch_size", "classification_n_classes"):
            check_range(name, given.get(name), 1)
        return await self._client.call(FINE_TUNES.request(json_body(**given), options))

    def list(self, **options: Unpack[RequestOptions]) -> AsyncPaginator[FineTune]:
        """``GET /fine-tunes``: the organization's jobs (await, or ``async for``)."""
        return AsyncPaginator(self._client, "fine-tunes", ListResponse[FineTune], options=options)

    async def retrieve(self, fine_tune_id: str, **options: Unpack[RequestOptions]) -> FineTune:
        """``GET /fine-tunes/{fine_tune_id}``."""
        path = f"fine-tunes/{path_param('fine_tune_id', fine_tune_id)}"
        return await self._client.call(json_request("GET", path, FineTune, options=options))

    async def cancel(self, fine_tune_id: str, **options: Unpack[RequestOptions]) -> FineTune:
        """``POST /fine-tunes/{fine_tune_id}/cancel``: the job, now cancelled."""
        path = f"fine-tunes/{path_param('fine_tune_id', fine_tune_id)}/cancel"
        return await self._client.call(json_request("POST", path, FineTune, options=options))

    @overload
    async def list_events(
        self,
        fine_tune_id: str,
        *,
        stream: Literal[False] | NotGiven = ...,
        **options: Unpack[RequestOptions],
    ) -> ListResponse[FineTuneEvent]: ...

    @overload
    async def list_events(
        self, fine_tune_id: str, *, stream: Literal[True], **options: Unpack[RequestOptions]
    ) -> AsyncStream[FineTuneEvent]: ...

    @overload
    async def list_events(
        self, fine_tune_id: str, *, stream: bool, **options: Unpack[RequestOptions]
    ) -> ListResponse[FineTuneEvent] | AsyncStream[FineTuneEvent]: ...

    async def list_events(
        self,
        fine_tune_id: str,
        *,
        stream: bool | NotGiven = False,
        **options: Unpack[RequestOptions],
    ) -> ListResponse[FineTuneEvent] | AsyncStream[FineTuneEvent]:
        """``GET /fine-tunes/{fine_tune_id}/events``: the job's log so far.

        With ``stream=True``, the events arrive as they happen, and the stream ends
        (``[DONE]``) when the job succeeds, fails or is cancelled.
        """
        path = f"fine-tunes/{path_param('fine_tune_id', fine_tune_id)}/events"
        check_flag("stream", stream)
        if stream:
            events = sse_request(
                "GET", path, FineTuneEvent, query={"stream": "true"}, options=options
            )
            return await self._client.call(events)
        page = json_request("GET", path, ListResponse[FineTuneEvent], options=options)
        return await self._client.call(page)
