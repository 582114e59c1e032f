"""Sans-I/O steps shared by the sync and async clients.

Every operation of the clients is written once, as a generator ("flow") that yields the I/O it
needs as `SendRequest` and `Sleep` steps and `Emit`s items for iterators. The sync client runs
a flow with `httpx.Client` and a blocking sleep, the async client with `httpx.AsyncClient` and an
awaitable sleep. A driver sends back the `httpx.Response` of a `SendRequest`, or the
`httpx.RequestError` it raised, and None after the other steps.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Generator, Sequence
from typing import TypeAlias, TypeVar

import httpx

_T = TypeVar("_T")


@dataclasses.dataclass(frozen=True, slots=True)
class SendRequest:
    """Send one HTTP request and resume with its response or the httpx error it raised."""

    request: httpx.Request


@dataclasses.dataclass(frozen=True, slots=True)
class Sleep:
    """Wait this many seconds, then resume with None."""

    seconds: float


@dataclasses.dataclass(frozen=True, slots=True)
class Emit:
    """Hand these items to the caller of an iterator, then resume with None."""

    items: Sequence[object]


Step: TypeAlias = SendRequest | Sleep | Emit
StepResult: TypeAlias = httpx.Response | httpx.RequestError | None
Flow: TypeAlias = Generator[Step, StepResult, _T]


def send(request: httpx.Request) -> Flow[httpx.Response | httpx.RequestError]:
    """Yield a `SendRequest` step and return what the driver sent back."""
    result = yield SendRequest(request)
    if result is None:
        raise RuntimeError("the driver resumed a SendRequest step without a response or error")
    return result


def sleep(seconds: float) -> Flow[None]:
    """Yield a `Sleep` step."""
    yield Sleep(seconds)


def collect(flow: Flow[None]) -> Flow[list[object]]:
    """Run `flow` inside another flow, gathering what it emits into the returned list."""
    items: list[object] = []
    result: StepResult = None
    while True:
        try:
            step = flow.send(result)
        except StopIteration:
            return items

        if isinstance(step, Emit):
            items.extend(step.items)
            result = None
        else:
            result = yield step
