"""Decoding Helix response bodies and validating their items into models."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, TypeVar

import httpx
from pydantic import ValidationError

from twitchstats._exceptions import InvalidResponseError
from twitchstats._helix._models import Game, Stream, User, Video
from twitchstats._helix._pagination import Envelope, InvalidBodyError, parse_envelope
from twitchstats._helix._retry import detached_response, redacted_request

Record = TypeVar("Record", Stream, User, Video, Game)


def decode_json(response: httpx.Response) -> Any:
    """Decode a JSON body, raising `InvalidBodyError` for HTML pages and truncated JSON."""
    try:
        return json.loads(response.content)
    except ValueError:
        content_type = response.headers.get("content-type", "none")
        raise InvalidBodyError(f"body is not JSON, Content-Type {content_type!r}") from None


def parse_helix_body(response: httpx.Response, *, require_total: bool) -> Envelope:
    """Decode a Helix body into its envelope, checking `total` when the endpoint has one."""
    envelope = parse_envelope(decode_json(response))
    if require_total and envelope.total is None:
        raise InvalidBodyError("expected an integer 'total'")
    return envelope


def parse_json_object(response: httpx.Response) -> dict[str, Any]:
    """Decode a body that must be a JSON object, as the OAuth endpoints return."""
    body = decode_json(response)
    if not isinstance(body, dict):
        raise InvalidBodyError(f"expected a JSON object, got {type(body).__name__}")
    return body


def describe_validation_error(exc: ValidationError) -> str:
    parts = []
    for error in exc.errors(include_url=False, include_input=False):
        location = ".".join(str(part) for part in error["loc"]) or "item"
        parts.append(f"{location}: {error['msg']}")
    return "; ".join(parts)


def parse_records(
    model: type[Record], data: Sequence[dict[str, Any]], response: httpx.Response
) -> list[Record]:
    """Validate each item into `model`, raising `InvalidResponseError` naming the item."""
    endpoint = f"{response.request.method} {response.request.url.path}"
    records = []
    for item in data:
        try:
            records.append(model.model_validate(item))
        except ValidationError as exc:
            raise InvalidResponseError(
                f"{endpoint} returned an invalid {model.__name__} (id {item.get('id')!r}): "
                f"{describe_validation_error(exc)}",
                request=redacted_request(response.request),
                response=detached_response(response),
            ) from exc
    return records
