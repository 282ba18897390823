"""The LLM client: openai + instructor against any OpenAI-compatible endpoint, with cache and retries.

One `LLMClient` serves a whole batch. For each request it
- looks the request up in the sqlite cache (llm/cache.py) and returns the stored answer if any;
- otherwise sends it through instructor in the configured mode (tools / json / md_json), which
  validates the reply against the response model and re-asks the model with the validation
  error, up to `retries` times;
- retries transport faults itself (the openai client's own retries are off): 429 waits for the
  server's Retry-After (retry-after-ms or retry-after), other faults back off exponentially with
  jitter, up to `retries` times; every request is bounded by `timeout`;
- holds a semaphore of `concurrency` slots, so a batch never has more requests in flight;
- counts requests and tokens into the caller's UsageMeter (server usage when reported, the
  token estimate otherwise).
Failures become one-line BackendErrors. The API key is read from the variable named by
`api_key_env` when the client is built, handed to openai and never stored anywhere else: every
message that leaves this module passes through `redact`.
"""

from __future__ import annotations

import json
import logging
import random
import re
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import instructor
import openai
try:  # where instructor 1.3 keeps it; later releases moved it (the pin in pyproject holds 1.3)
    from instructor.retry import InstructorRetryException
except ImportError:  # pragma: no cover - newer instructor
    from instructor.exceptions import InstructorRetryException
from pydantic import BaseModel
from tenacity import Retrying, retry_if_exception_type, stop_after_attempt

from ..config import Settings
from ..errors import BackendError, ConfigError
from .cache import CachedResponse, ResponseCache, cache_key, default_cache_dir
from .responses import schema_hash
from .tokens import TokenCounter
from .usage import UsageMeter

log = logging.getLogger("summarizer.llm")

MODES = {"tools": instructor.Mode.TOOLS, "json": instructor.Mode.JSON, "md_json": instructor.Mode.MD_JSON}
MAX_RETRY_AFTER = 60.0  # a server asking for longer is out of quota, not busy: fail instead of waiting
BACKOFF_BASE = 0.5
BACKOFF_CAP = 20.0
_RETRY_STATUS = {408, 409, 429}
_KEY_PATTERN = re.compile(r"\b(sk-[A-Za-z0-9_\-]{6,}|Bearer\s+\S+)")


@dataclass(frozen=True)
class Completion:
    parsed: BaseModel
    cached: bool


def _sanitise_endpoint(url: str) -> str:
    """The endpoint without credentials or query (for cache keys and messages)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path.rstrip("/"), "", ""))


def retry_after(error: Exception) -> float | None:
    """Seconds the server asked us to wait (Retry-After / retry-after-ms), if it said."""
    response = getattr(error, "response", None)
    headers = getattr(response, "headers", None)
    if not headers:
        return None
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


def _transient(error: Exception) -> bool:
    if isinstance(error, openai.APIConnectionError):  # includes APITimeoutError
        return True
    if isinstance(error, openai.APIStatusError):
        return error.status_code in _RETRY_STATUS or error.status_code >= 500
    return False


class LLMClient:
    def __init__(self, settings: Settings, environ: Mapping[str, str] | None = None) -> None:
        if not settings.model:
            raise ConfigError("no LLM model set; set SUMMARIZER_MODEL or pass --model")
        key = settings.api_key(environ)
        if not key:
            raise ConfigError(
                f"no API key for the LLM backend; set the environment variable {settings.api_key_env} "
                "(or name another one with SUMMARIZER_API_KEY_ENV; a local server that needs no key accepts any value)"
            )
        self.settings = settings
        self._secret = key
        self._openai = openai.OpenAI(
            api_key=key, base_url=settings.base_url, timeout=settings.timeout, max_retries=0
        )
        self.endpoint = _sanitise_endpoint(str(self._openai.base_url))
        self.model = settings.model
        self.mode = MODES[settings.mode]
        self.counter = TokenCounter(settings.encoding)
        self._slots = threading.BoundedSemaphore(settings.concurrency)
        self.cache: ResponseCache | None = None
        if settings.cache:
            self.cache = ResponseCache(settings.cache_dir or default_cache_dir())

    # -- helpers --------------------------------------------------------------------------

    def redact(self, text: str) -> str:
        """Remove the API key (and anything shaped like a key or bearer token) from text."""
        if self._secret:
            text = text.replace(self._secret, "***")
        return _KEY_PATTERN.sub("***", text)

    def _describe(self, error: Exception, attempts: int) -> str:
        where = f"LLM request to {self.endpoint} (model {self.model})"
        tries = f"after {attempts} attempt{'s' if attempts != 1 else ''}"
        if isinstance(error, openai.APITimeoutError):
            reason = f"no reply within the {self.settings.timeout:g} s timeout {tries}"
        elif isinstance(error, openai.APIConnectionError):
            reason = f"cannot connect {tries}; is the server at --base-url running?"
        elif isinstance(error, openai.AuthenticationError):
            reason = f"was refused (HTTP 401); check the key in {self.settings.api_key_env}"
        elif isinstance(error, openai.NotFoundError):
            reason = "was not found (HTTP 404); check --base-url and --model"
        elif isinstance(error, openai.RateLimitError):
            reason = f"was rate limited (HTTP 429) {tries}"
        elif isinstance(error, openai.APIStatusError):
            detail = " ".join(str(getattr(error, "message", "") or "").split())[:160]
            reason = f"failed with HTTP {error.status_code} {tries}" + (f": {detail}" if detail else "")
        elif isinstance(error, InstructorRetryException):
            first = " ".join(str(error).split())[:200]
            reason = f"returned output that failed validation {error.n_attempts} times: {first}"
        else:
            reason = f"failed: {type(error).__name__}: {' '.join(str(error).split())[:160]}"
        return self.redact(f"{where} {reason}")

    # -- sending --------------------------------------------------------------------------

    def _send(self, meter: UsageMeter, **kwargs: Any) -> Any:
        """One logical request: transport retries with Retry-After and backoff, usage counted."""
        attempts = self.settings.retries + 1
        for attempt in range(1, attempts + 1):
            try:
                with self._slots:
                    meter.add(requests=1)
                    response = self._openai.chat.completions.create(**kwargs)
            except Exception as error:
                if not _transient(error) or attempt == attempts:
                    error.summarizer_attempts = attempt  # type: ignore[attr-defined]
                    raise
                asked = retry_after(error)
                if asked is not None and asked > MAX_RETRY_AFTER:
                    error.summarizer_attempts = attempt  # type: ignore[attr-defined]
                    raise
                backoff = min(BACKOFF_CAP, BACKOFF_BASE * 2 ** (attempt - 1)) * random.uniform(0.75, 1.25)
                wait = asked if asked is not None else backoff
                log.info("%s; retrying in %.1f s", self._describe(error, attempt), wait)
                time.sleep(wait)
                continue
            self._count(meter, kwargs.get("messages", []), response)
            return response
        raise AssertionError("unreachable")

    def _count(self, meter: UsageMeter, messages: list[dict[str, Any]], response: Any) -> None:
        usage = getattr(response, "usage", None)
        if usage is not None and (usage.prompt_tokens or usage.completion_tokens):
            meter.add(input_tokens=usage.prompt_tokens or 0, output_tokens=usage.completion_tokens or 0)
            return
        output = ""
        try:
            message = response.choices[0].message
            output = message.content or "".join(call.function.arguments for call in message.tool_calls or [])
        except (AttributeError, IndexError, TypeError):
            pass
        meter.add(
            input_tokens=self.counter.count_messages(messages),
            output_tokens=self.counter.count(output),
            estimated=True,
        )

    def complete(
        self,
        response_model: type[BaseModel],
        messages: list[dict[str, Any]],
        *,
        prompt_hash: str,
        meter: UsageMeter,
    ) -> Completion:
        """Validated response for `messages`, from the cache or the endpoint. Raises BackendError."""
        key = cache_key(
            endpoint=self.endpoint,
            model=self.model,
            mode=self.settings.mode,
            temperature=self.settings.temperature,
            prompt_hash=prompt_hash,
            schema=schema_hash(response_model),
            messages=messages,
        )
        if self.cache is not None:
            hit = self.cache.get(key)
            if hit is not None:
                try:
                    return Completion(response_model.model_validate_json(hit.response), cached=True)
                except ValueError:
                    log.warning("ignoring a cached response that no longer validates")

        spent = UsageMeter()  # this request alone, for the cache row; added to `meter` in any case
        create = instructor.patch(create=lambda **kwargs: self._send(spent, **kwargs), mode=self.mode)
        reasks = Retrying(
            stop=stop_after_attempt(self.settings.retries + 1),
            retry=retry_if_exception_type(InstructorRetryException),
            reraise=True,
        )
        try:
            parsed = create(
                response_model=response_model,
                messages=[dict(message) for message in messages],
                max_retries=reasks,
                strict=False,
                model=self.model,
                temperature=self.settings.temperature,
            )
        except InstructorRetryException as error:
            raise BackendError(self._describe(error, error.n_attempts)) from None
        except Exception as error:
            raise BackendError(self._describe(error, getattr(error, "summarizer_attempts", 1))) from None
        finally:
            usage = spent.usage()
            meter.add(
                requests=usage.requests,
                input_tokens=usage.input_tokens,
                output_tokens=usage.output_tokens,
                estimated=usage.estimated,
            )

        if self.cache is not None:
            self.cache.put(
                key,
                model=self.model,
                prompt_hash=prompt_hash,
                schema_hash=schema_hash(response_model),
                entry=CachedResponse(
                    response=parsed.model_dump_json(),
                    input_tokens=usage.input_tokens,
                    output_tokens=usage.output_tokens,
                ),
            )
        return Completion(parsed, cached=False)

    def request_overhead(self, response_model: type[BaseModel], messages: list[dict[str, Any]]) -> int:
        """Tokens a request costs besides the report text: messages plus the schema instructor adds."""
        if self.mode is instructor.Mode.TOOLS:
            schema = json.dumps(response_model.model_json_schema())
        else:  # instructor appends the schema, indented, to the system message
            schema = json.dumps(response_model.model_json_schema(), indent=2)
        return self.counter.count_messages(messages) + self.counter.count(schema) + 60

    def close(self) -> None:
        if self.cache is not None:
            self.cache.close()
        self._openai.close()
