"""The HTTP layer under the openai client: every attempt bounded as a whole, replies capped, attempts counted.

openai's `timeout` is httpx's: a bound per connect and per read, so a server that trickles its
reply a few bytes at a time never trips it. `bounded_http_client` gives openai an HTTP client
whose transport sets a deadline for each attempt (connect to last byte): the timeouts it passes
down are the time left, and the reply body is checked against the deadline as each piece
arrives, so a trickled or stalled reply ends as a timeout, which openai retries like any
other. A reply larger than `max_bytes` is refused (not retried): a model's extraction of one
report is tens of kilobytes, so megabytes mean a broken server.

A server asking to be retried after more than MAX_RETRY_AFTER seconds is out of quota, not
busy: the transport marks that reply `x-should-retry: false`, which openai obeys, so the call
fails at once (and falls back) instead of sleeping. Shorter Retry-After values are honoured
by openai itself.

Each attempt is counted into the `Attempts` of the current logical request (a context
variable the client sets around each call), so usage and error messages know how many HTTP
requests a call made, transport retries and re-asks included. No logging here.
"""

from __future__ import annotations

import importlib
import math
import time
from contextvars import ContextVar
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any

MAX_RETRY_AFTER = 60.0
MAX_REPLY_BYTES = 4 * 1024 * 1024


@dataclass
class Attempts:
    """HTTP requests sent for one logical request (one thread at a time)."""

    sent: int = 0


current_attempts: ContextVar[Attempts | None] = ContextVar("summarizer_llm_attempts", default=None)


class ReplyTooLarge(Exception):
    """The endpoint's reply exceeded the size cap."""


def http_module() -> Any:
    """The HTTP library the installed openai is built on (httpx, or httpx2 for openai 3)."""
    import openai

    for name in ("httpx2", "httpx"):
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        if issubclass(openai.DefaultHttpxClient, module.Client):
            return module
    raise RuntimeError("cannot tell which HTTP library the installed openai uses")  # pragma: no cover


def retry_after_seconds(headers: Any) -> float | None:
    """Seconds a reply asks the client to wait (retry-after-ms, then retry-after), if it says."""
    raw_ms = headers.get("retry-after-ms")
    if raw_ms:
        try:
            return max(0.0, float(raw_ms) / 1000)
        except ValueError:
            pass
    raw = headers.get("retry-after")
    if not raw:
        return None
    try:
        return max(0.0, float(raw))
    except ValueError:
        pass
    try:
        return max(0.0, parsedate_to_datetime(raw).timestamp() - time.time())
    except (TypeError, ValueError):
        return None


def bounded_http_client(timeout: float, max_bytes: int | None = None) -> Any:
    """An HTTP client for openai.OpenAI(http_client=...) with the guarantees of this module."""
    import openai

    max_bytes = max_bytes or MAX_REPLY_BYTES

    httpx = http_module()

    class DeadlineStream(httpx.SyncByteStream):
        def __init__(self, inner: Any, deadline: float, request: Any) -> None:
            self._inner, self._deadline, self._request = inner, deadline, request

        def __iter__(self):
            received = 0
            for piece in self._inner:
                received += len(piece)
                if received > max_bytes:
                    raise ReplyTooLarge(f"reply larger than {max_bytes} bytes")
                if time.monotonic() > self._deadline:
                    raise httpx.ReadTimeout(f"reply not complete within {timeout:g} s", request=self._request)
                yield piece

        def close(self) -> None:
            self._inner.close()

    class BoundedTransport(httpx.BaseTransport):
        def __init__(self) -> None:
            self._inner = httpx.HTTPTransport()

        def handle_request(self, request: Any) -> Any:
            attempts = current_attempts.get()
            if attempts is not None:
                attempts.sent += 1
            deadline = time.monotonic() + timeout
            # One dict, read by the connection pool for the headers and again when the body
            # starts: the read timeout is updated below to what is left by then.
            timeouts = {"connect": timeout, "read": timeout, "write": timeout, "pool": timeout}
            request.extensions = {**request.extensions, "timeout": timeouts}
            response = self._inner.handle_request(request)
            timeouts["read"] = max(0.001, deadline - time.monotonic())
            headers = response.headers
            length = headers.get("content-length")
            if length and length.isdigit() and int(length) > max_bytes:
                response.close()
                raise openai.APIConnectionError(message=f"reply of {length} bytes is larger than {max_bytes}", request=request)
            asked = retry_after_seconds(headers)
            if asked is not None and math.isfinite(asked) and asked > MAX_RETRY_AFTER:
                headers = httpx.Headers([*headers.multi_items(), ("x-should-retry", "false")])
            return httpx.Response(
                status_code=response.status_code,
                headers=headers,
                stream=DeadlineStream(response.stream, deadline, request),
                extensions=response.extensions,
            )

        def close(self) -> None:
            self._inner.close()

    class Client(openai.DefaultHttpxClient):
        def send(self, request: Any, **kwargs: Any) -> Any:
            try:
                return super().send(request, **kwargs)
            except ReplyTooLarge as error:  # raised while reading the body: not worth a retry
                raise openai.APIConnectionError(message=str(error), request=request) from None

    return Client(transport=BoundedTransport(), timeout=timeout)
