"""``client.fine_tunes``: the legacy (2023) fine-tuning jobs and their event stream."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal, Unpack, overload

from .._exceptions import InvalidParameterError
from .._pages import AsyncPaginator
from .._request import RequestOptions, json_request, sse_request
from .._streaming import AsyncStream
from ..types import FineTune, FineTuneEvent, ListResponse
from ._base import Resource, path_param
from ._checks import json_body

__all__ = ["FineTunes"]

_MAX_SUFFIX = 40  # "A string of up to 40 characters"


class FineTunes(Resource):
    """Create, list, retrieve and cancel fine-tunes; follow their events."""

    __slots__ = ()

    async def create(
        self,
        *,
        training_file: str,
        validation_file: str | None = None,
        model: str | None = None,
        n_epochs: int | None = None,
        batch_size: int | None = None,
        learning_rate_multiplier: float | None = None,
        prompt_loss_weight: float | None = None,
        compute_classification_metrics: bool | None = None,
        classification_n_classes: int | None = None,
        classification_positive_class: str | None = None,
        classification_betas: Sequence[float] | None = None,
        suffix: str | None = None,
        **options: Unpack[RequestOptions],
    ) -> FineTune:
        """``POST /fine-tunes``: start a job on an uploaded JSON Lines file."""
        if not isinstance(training_file, str) or not training_file:
            raise InvalidParameterError("training_file", "expected a file id")
        if suffix is not None and not 1 <= len(suffix) <= _MAX_SUFFIX:
            raise InvalidParameterError(
                "suffix", f"must be 1 to {_MAX_SUFFIX} characters, got {len(suffix)}"
            )
        body = json_body(
            training_file=training_file,
            validation_file=validation_file,
            model=model,
            n_epochs=n_epochs,
            batch_size=batch_size,
            learning_rate_multiplier=learning_rate_multiplier,
            prompt_loss_weight=prompt_loss_weight,
            compute_classification_metrics=compute_classification_metrics,
            classification_n_classes=classification_n_classes,
            classification_positive_class=classification_positive_class,
            classification_betas=classification_betas,
            suffix=suffix,
        )
        return await self._client.call(
            json_request("POST", "fine-tunes", FineTune, body=body, options=options)
        )

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
        self, fine_tune_id: str, *, stream: Literal[False] = ..., **options: Unpack[RequestOptions]
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
        self, fine_tune_id: str, *, stream: bool = False, **options: Unpack[RequestOptions]
    ) -> ListResponse[FineTuneEvent] | AsyncStream[FineTuneEvent]:
        """``GET /fine-tunes/{fine_tune_id}/events``: the job's log so far.

        With ``stream=True``, the events arrive as they happen, and the stream ends
        (``[DONE]``) when the job succeeds, fails or is cancelled.
        """
        path = f"fine-tunes/{path_param('fine_tune_id', fine_tune_id)}/events"
        if stream:
            events = sse_request(
                "GET", path, FineTuneEvent, query={"stream": "true"}, options=options
            )
            return await self._client.call(events)
        page = json_request("GET", path, ListResponse[FineTuneEvent], options=options)
        return await self._client.call(page)
