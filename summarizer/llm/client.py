"""The LLM client: openai + instructor against any OpenAI-compatible endpoint, with cache and limits.

One `LLMClient` per run and model: the openai client, its bounded HTTP transport and the
instructor client (`instructor.from_openai`, mode tools / json / md_json) are built once, in
__init__, and shared by every request of a batch, as is each response model instructor is
handed (wrapped once, not per request). For each request it
- looks the request up in the sqlite cache (llm/cache.py) and returns the stored answer if any;
- otherwise sends it through instructor, which validates the reply against the response model
  and re-asks the model with the validation error, up to `retries` times;
- leaves transport faults to openai's own retries (`retries` of them): 429 waits for the
  server's Retry-After (retry-after-ms or retry-after; longer than a minute fails at once),
  5xx, timeouts and dropped connections back off exponentially;
- bounds every HTTP attempt as a whole, first byte to last, by `timeout`, and caps the reply's
  size (llm/transport.py), so a trickled reply cannot hold a batch;
- holds a semaphore of `concurrency` slots, so a batch never has more requests in flight;
- counts HTTP requests and tokens into the caller's UsageMeter (server usage when reported, the
  local count otherwise, flagged as estimated when it is the estimate).

Failures become one-line BackendErrors. The API key is read from the variable named by
`api_key_env` when the client is built, handed to openai and never stored anywhere else: every
message that leaves this module passes through `redact`, and the loggers of instructor, openai
and the HTTP libraries are silenced (instructor logs each failed call with the server's error
text, which may echo the key; openai's debug log carries whole requests). Retries and failures
are logged here instead, redacted.
"""

from __future__ import annotations

import json
import logging
import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import instructor
import openai
from pydantic import BaseModel
from tenacity import Retrying, retry_if_not_exception_type, stop_after_attempt

try:  # instructor >= 1.11 keeps its exceptions here; the old module still works but warns
    from instructor.core import IncompleteOutputException, InstructorRetryException
except ImportError:  # pragma: no cover - older instructor
    from instructor.exceptions import IncompleteOutputException, InstructorRetryException

from ..config import Settings
from ..errors import BackendError, ConfigError
from .cache import CachedResponse, ResponseCache, cache_key, default_cache_dir
from .responses import prompted_model, schema_hash, schema_text
from .tokens import TokenCounter
from .transport import Attempts, ReplyTooLarge, bounded_http_client, current_attempts
from .usage import UsageMeter

log = logging.getLogger("summarizer.llm")

MODES = {"tools": instructor.Mode.TOOLS, "json": instructor.Mode.JSON, "md_json": instructor.Mode.MD_JSON}
# Loggers that may print a request (the report, the headers) or an error body echoing the key.
QUIET_LOGGERS = ("instructor", "openai", "httpx", "httpx2", "httpcore", "httpcore2")
# What instructor adds around the schema in the JSON modes, and the tool framing in TOOLS mode.
INSTRUCTOR_FRAMING_TOKENS = 80
_KEY_PATTERN = re.compile(r"\b(sk-[A-Za-z0-9_\-]{6,}|Bearer\s+\S+)")


@dataclass(frozen=True)
class Completion:
    parsed: BaseModel
    cached: bool


def quiet_library_loggers() -> None:
    """Silence the client libraries' loggers (see the module docstring); ours reports instead."""
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.CRITICAL + 1)


def _sanitise_endpoint(url: str) -> str:
    """The endpoint without credentials or query (for cache keys and messages)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path.rstrip("/"), "", ""))


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
        quiet_library_loggers()
        self.settings = settings
        self._secret = key
        self._openai = openai.OpenAI(
            api_key=key,
            base_url=settings.base_url,
            timeout=settings.timeout,
            max_retries=settings.retries,
            http_client=bounded_http_client(settings.timeout),
        )
        self.endpoint = _sanitise_endpoint(str(self._openai.base_url))
        self.model = settings.model
        self.mode = MODES[settings.mode]
        # In the JSON modes the system prompt carries the schema, one compact line; instructor
        # would otherwise append it pretty-printed (see responses.prompted_model).
        self.schema_in_prompt = self.mode is not instructor.Mode.TOOLS
        self._instructor = instructor.from_openai(self._openai, mode=self.mode)
        self._runtime: dict[type[BaseModel], type[BaseModel]] = {}
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

    def _describe(self, error: BaseException, attempts: int) -> str:
        where = f"LLM request to {self.endpoint} (model {self.model})"
        tries = f"after {attempts} attempt{'s' if attempts != 1 else ''}"
        error = transport_error(error) or error  # instructor wraps the transport's failure: describe that
        if isinstance(error, openai.APITimeoutError):
            reason = f"got no complete reply within the {self.settings.timeout:g} s timeout {tries}"
        elif isinstance(error, openai.APIConnectionError) and isinstance(error.__cause__, ReplyTooLarge):
            reason = f"failed: {error.__cause__}"
        elif isinstance(error, openai.APIConnectionError) and error.message != "Connection error.":
            reason = f"failed: {error.message}"
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
        elif isinstance(error, IncompleteOutputException):
            reason = "stopped at the model's output limit before the answer was complete; lower context_tokens so reports are split"
        elif isinstance(error, InstructorRetryException):
            first = " ".join(str(error).split())[:200]
            reason = f"returned output that failed validation {error.n_attempts} times: {first}"
        else:
            reason = f"failed: {type(error).__name__}: {' '.join(str(error).split())[:160]}"
        return self.redact(f"{where} {reason}")

    def _count(self, meter: UsageMeter, messages: list[dict[str, Any]], tools: Any, response: Any) -> None:
        """Tokens of one completion: the server's usage, else the local count (estimated when not exact)."""
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
        sent = self.counter.count_messages(messages) + (self.counter.count(json.dumps(tools, ensure_ascii=False)) if tools else 0)
        meter.add(input_tokens=sent, output_tokens=self.counter.count(output), estimated=self.counter.estimated)

    # -- sending --------------------------------------------------------------------------

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
        attempts = Attempts()
        sent: dict[str, Any] = {}

        def on_kwargs(*args: Any, **kwargs: Any) -> None:
            sent["messages"], sent["tools"] = kwargs.get("messages") or [], kwargs.get("tools")

        def on_response(response: Any) -> None:
            self._count(spent, sent.get("messages", []), sent.get("tools"), response)

        token = current_attempts.set(attempts)
        try:
            with self._slots:
                parsed = self._instructor.chat.completions.create(
                    response_model=self._runtime_model(response_model),
                    messages=[dict(message) for message in messages],
                    max_retries=self._reasks(),
                    strict=False,  # lax pydantic parsing: "401.15" is a fine Decimal
                    model=self.model,
                    temperature=self.settings.temperature,
                    hooks=_hooks(on_kwargs, on_response),
                )
        except Exception as error:
            n = None if transport_error(error) else getattr(error, "n_attempts", None)
            raise BackendError(self._describe(error, n or attempts.sent or 1)) from None
        finally:
            current_attempts.reset(token)
            usage = spent.usage()
            meter.add(
                requests=attempts.sent,
                input_tokens=usage.input_tokens,
                output_tokens=usage.output_tokens,
                estimated=usage.estimated,
            )
            if attempts.sent > 1:
                log.info("LLM request to %s took %d HTTP requests (retries or re-asks)", self.endpoint, attempts.sent)

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

    def _reasks(self) -> Retrying:
        """instructor's re-asks: `retries` more attempts after invalid output, and none for a
        transport error (openai has retried those already). Explicit, because what an integer
        max_retries means has changed between instructor releases."""
        return Retrying(
            stop=stop_after_attempt(self.settings.retries + 1),
            retry=retry_if_not_exception_type((openai.OpenAIError, IncompleteOutputException)),
            reraise=True,
        )

    def _runtime_model(self, response_model: type[BaseModel]) -> type[BaseModel]:
        """The class instructor is handed for `response_model`, built once: wrapped as instructor's
        OpenAISchema up front (else instructor wraps it anew on every request), and in the JSON
        modes the variant whose schema is in the prompt."""
        runtime = self._runtime.get(response_model)
        if runtime is None:
            shown = prompted_model(response_model) if self.schema_in_prompt else response_model
            runtime = self._runtime[response_model] = instructor.openai_schema(shown)
        return runtime

    def request_overhead(self, response_model: type[BaseModel], messages: list[dict[str, Any]]) -> int:
        """Tokens a request costs besides the report text: the messages (which carry the schema
        in the JSON modes), the tool definition in TOOLS mode, and instructor's framing."""
        tools = 0 if self.schema_in_prompt else self.counter.count(schema_text(response_model))
        return self.counter.count_messages(messages) + tools + INSTRUCTOR_FRAMING_TOKENS

    def close(self) -> None:
        if self.cache is not None:
            self.cache.close()
        self._openai.close()


def transport_error(error: BaseException) -> openai.OpenAIError | None:
    """The openai error behind `error`, however instructor wrapped it (cause, context, or its
    record of failed attempts, depending on the release), or None for a validation failure."""
    stack: list[Any] = [error]
    seen: set[int] = set()
    while stack:
        current = stack.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, openai.OpenAIError):
            return current
        stack += [current.__cause__, current.__context__]
        stack += [getattr(attempt, "exception", None) for attempt in getattr(current, "failed_attempts", None) or []]
    return None


def _hooks(on_kwargs: Any, on_response: Any) -> Any:
    """Per-request instructor hooks (the client's own hooks are shared by every thread)."""
    from instructor.core.hooks import Hooks

    hooks = Hooks()
    hooks.on("completion:kwargs", on_kwargs)
    hooks.on("completion:response", on_response)
    return hooks
