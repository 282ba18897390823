"""A fake OpenAI-compatible server for tests and benchmarks: 127.0.0.1, a thread, prepared replies.

It answers POST /v1/chat/completions from a queue of `Reply` objects (then from `default`, a
Reply or a function of the request body), so the real openai + instructor client can be
driven through every case: valid output, malformed JSON, schema-invalid output, a status code
with Retry-After, a slow reply, a reply trickled a few bytes at a time. It counts and keeps
every request it receives (body, headers with lower-case names, arrival time), and answers in
the shape the request asked for: a tool call when the request carries `tools` (instructor's
TOOLS mode), message content otherwise (JSON / MD_JSON modes).

    with FakeOpenAI() as server:
        server.enqueue(Reply(content='{"figures": []}'))
        ...  # base_url=server.base_url
        assert server.count == 1

It never logs, so nothing a client sends (an Authorization header included) is written out.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Reply:
    content: str | None = None  # the model's text (or tool-call arguments)
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds to wait before answering
    trickle: float = 0.0  # seconds between pieces of the body (sent TRICKLE_BYTES at a time)
    usage: bool = True  # include a usage block (tokens ~ characters / 2)
    error: str = "fake error"  # message of an error body (status != 200)
    finish: str | None = None  # finish_reason, e.g. "length" for an answer cut at the output limit


TRICKLE_BYTES = 16


def extraction(**parts: Any) -> str:
    """A model answer: the JSON of an Extraction with the given parts."""
    return json.dumps(parts, ensure_ascii=False)


def dead_port() -> int:
    """A local port nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class FakeOpenAI:
    def __init__(self, default: Reply | Callable[[dict[str, Any]], Reply] | None = None) -> None:
        self.default = default
        self.queue: deque[Reply] = deque()
        self.requests: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []  # names in lower case
        self.arrivals: list[float] = []  # time.monotonic() of each request
        self.in_flight = 0
        self.max_in_flight = 0  # the most requests the server was answering at once
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- control --------------------------------------------------------------------------

    def enqueue(self, *replies: Reply) -> FakeOpenAI:
        with self._lock:
            self.queue.extend(replies)
        return self

    @property
    def count(self) -> int:
        with self._lock:
            return len(self.requests)

    @property
    def base_url(self) -> str:
        assert self._server is not None, "server not started"
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def start(self) -> FakeOpenAI:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # headers and body go out at once: no 40 ms delayed-ACK stall
            wbufsize = 1 << 16  # buffered; http.server flushes after each request

            def log_message(self, *args: Any) -> None:  # never log anything
                pass

            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                length = int(self.headers.get("content-length") or 0)
                raw = self.rfile.read(length)
                try:
                    body = json.loads(raw or b"{}")
                except json.JSONDecodeError:
                    body = {}
                reply = fake._take(body, {name.lower(): value for name, value in self.headers.items()})
                try:
                    if reply.delay:
                        time.sleep(reply.delay)
                    if not self.path.rstrip("/").endswith("/chat/completions"):
                        reply = Reply(status=404, error=f"no route {self.path}")
                    self._answer(body, reply)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout): nothing to answer
                finally:
                    with fake._lock:
                        fake.in_flight -= 1

            def _answer(self, body: dict[str, Any], reply: Reply) -> None:
                if reply.status != 200:
                    payload = {"error": {"message": reply.error, "type": "fake_error", "code": reply.status}}
                else:
                    payload = fake._completion(body, reply)
                data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
                self.send_response(reply.status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                if not reply.trickle:
                    self.wfile.write(data)
                    return
                for start in range(0, len(data), TRICKLE_BYTES):  # each piece well within any read timeout
                    self.wfile.write(data[start : start + TRICKLE_BYTES])
                    self.wfile.flush()
                    time.sleep(reply.trickle)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="fake-openai", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FakeOpenAI:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    # -- answering ------------------------------------------------------------------------

    def _take(self, body: dict[str, Any], headers: dict[str, str]) -> Reply:
        with self._lock:
            self.requests.append(body)
            self.headers.append(headers)
            self.arrivals.append(time.monotonic())
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
            if self.queue:
                return self.queue.popleft()
        default = self.default
        if callable(default):
            return default(body)
        if default is not None:
            return default
        return Reply(status=500, error="the fake server has no reply prepared")

    @staticmethod
    def _completion(body: dict[str, Any], reply: Reply) -> dict[str, Any]:
        content = reply.content or ""
        message: dict[str, Any] = {"role": "assistant", "content": content}
        finish = "stop"
        tools = body.get("tools") or []
        if tools:
            name = tools[0].get("function", {}).get("name", "tool")
            message = {
                "role": "assistant",
                "content": None,
                "tool_calls": [{"id": "call_fake", "type": "function", "function": {"name": name, "arguments": content}}],
            }
            finish = "tool_calls"
        finish = reply.finish or finish
        completion: dict[str, Any] = {
            "id": "chatcmpl-fake",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": body.get("model", "fake"),
            "choices": [{"index": 0, "message": message, "finish_reason": finish}],
        }
        if reply.usage:
            prompt = sum(len(str(m.get("content") or "")) for m in body.get("messages", []))
            completion["usage"] = {
                "prompt_tokens": prompt // 2,
                "completion_tokens": len(content) // 2,
                "total_tokens": prompt // 2 + len(content) // 2,
            }
        return completion
