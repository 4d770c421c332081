"""A real OpenAI-compatible HTTP server on 127.0.0.1 for tests and demos.

Answers come from a *responder* (a function of the request's messages), so a test knows
exactly what every round should receive and return. Latency and faults are scriptable:
429 with Retry-After, 5xx, dropped connections, malformed bodies. Every request is
recorded so that a test can check the history the model was sent.

    with OpenAIServer(responder=lambda msgs, body: "抱歉，我不能帮助。") as server:
        server.base_url   # http://127.0.0.1:PORT/v1
        server.requests   # [RecordedRequest(...), ...]

Also runnable for manual experiments: ``python -m scsafety.testkit.server --port 8765``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web


@dataclass(frozen=True)
class Fault:
    """What to do instead of answering: an HTTP status (with Retry-After), a dropped
    connection, a body that is not JSON, or a delay before the answer."""

    status: int | None = None
    retry_after: float | None = None
    drop: bool = False
    malformed: bool = False
    delay: float = 0.0
    body: str | None = None


Responder = Callable[[list[dict[str, str]], dict[str, Any]], "str | Fault"]
FaultPlan = Callable[[int, list[dict[str, str]]], "Fault | None"]


@dataclass
class RecordedRequest:
    index: int
    path: str
    body: dict[str, Any]
    headers: dict[str, str]
    at: float

    @property
    def messages(self) -> list[dict[str, str]]:
        return list(self.body.get("messages") or [])


def echo_responder(messages: list[dict[str, str]], body: dict[str, Any]) -> str:
    last = messages[-1]["content"] if messages else ""
    return f"你问的是：{last[:30]}"


def scripted_replies(replies: list[str], *, cycle: bool = False) -> Responder:
    """Answer the i-th request with ``replies[i]``; past the end, repeat the last reply or
    (``cycle``) start again. Thread-safe: the server answers from its own thread."""
    lock, calls = threading.Lock(), [0]

    def respond(messages: list[dict[str, str]], body: dict[str, Any]) -> str:
        with lock:
            i = calls[0]
            calls[0] += 1
        return replies[i % len(replies)] if cycle else replies[min(i, len(replies) - 1)]

    return respond


def judge_aware(target: Responder, judge: Callable[[str], str]) -> Responder:
    """Route judge prompts (our rubric's system message) to ``judge(answer)``."""
    from scsafety.judges.rubric import ANSWER_CLOSE, ANSWER_OPEN

    def respond(messages: list[dict[str, str]], body: dict[str, Any]) -> str | Fault:
        if messages and messages[0]["role"] == "system" and "安全评审员" in messages[0]["content"]:
            text = messages[1]["content"]
            answer = text.split(ANSWER_OPEN, 1)[-1].split(ANSWER_CLOSE, 1)[0].strip()
            return judge(answer)
        return target(messages, body)

    return respond


@dataclass
class OpenAIServer:
    responder: Responder = echo_responder
    faults: FaultPlan | None = None
    latency: float = 0.0
    api_key: str | None = None
    host: str = "127.0.0.1"
    port: int = 0
    requests: list[RecordedRequest] = field(default_factory=list)
    _thread: threading.Thread | None = None
    _loop: asyncio.AbstractEventLoop | None = None
    _runner: web.AppRunner | None = None
    _ready: threading.Event = field(default_factory=threading.Event)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}/v1"

    def chat_requests(self) -> list[RecordedRequest]:
        return [r for r in self.requests if r.path.endswith("/chat/completions")]

    def reset(self) -> None:
        with self._lock:
            self.requests.clear()

    # -- handlers -------------------------------------------------------------------
    async def _models(self, request: web.Request) -> web.Response:
        if not self._authorised(request):
            return web.json_response({"error": {"message": "invalid api key"}}, status=401)
        return web.json_response({"object": "list", "data": [{"id": "test-model", "object": "model"}]})

    def _authorised(self, request: web.Request) -> bool:
        return self.api_key is None or request.headers.get("Authorization") == f"Bearer {self.api_key}"

    async def _chat(self, request: web.Request) -> web.StreamResponse:
        try:
            body = await request.json()
        except ValueError:
            return web.json_response({"error": {"message": "body is not JSON"}}, status=400)
        with self._lock:
            index = len(self.requests)
            self.requests.append(RecordedRequest(index, request.path, body, dict(request.headers), time.time()))
        if not self._authorised(request):
            return web.json_response({"error": {"message": "invalid api key"}}, status=401)
        messages = body.get("messages") or []
        fault = self.faults(index, messages) if self.faults else None
        if self.latency:
            await asyncio.sleep(self.latency)
        result: str | Fault = fault if fault is not None else self.responder(messages, body)
        if isinstance(result, Fault):
            if result.delay:
                await asyncio.sleep(result.delay)
            if result.drop:
                assert request.transport is not None
                request.transport.close()
                return web.Response(status=500)
            if result.malformed:
                return web.Response(text=result.body or "<html>oops</html>", content_type="text/html")
            if result.status:
                headers = {"Retry-After": f"{result.retry_after:g}"} if result.retry_after is not None else {}
                return web.json_response({"error": {"message": result.body or "scripted fault"}},
                                         status=result.status, headers=headers)
            result = self.responder(messages, body)
            assert isinstance(result, str)
        prompt_tokens = sum(len(m.get("content", "")) for m in messages)
        return web.json_response({
            "id": f"chatcmpl-test-{index}", "object": "chat.completion", "created": int(time.time()),
            "model": body.get("model", "test-model"),
            "choices": [{"index": 0, "message": {"role": "assistant", "content": result}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": len(result),
                      "total_tokens": prompt_tokens + len(result)},
        })

    # -- lifecycle ------------------------------------------------------------------
    def _serve(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        asyncio.set_event_loop(loop)
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_get("/v1/models", self._models)
        app.router.add_post("/v1/chat/completions", self._chat)
        runner = web.AppRunner(app, access_log=None)
        loop.run_until_complete(runner.setup())
        site = web.TCPSite(runner, self.host, self.port)
        loop.run_until_complete(site.start())
        server = site._server  # noqa: SLF001 - the bound port when port=0
        assert server is not None and server.sockets
        self.port = server.sockets[0].getsockname()[1]
        self._runner = runner
        self._ready.set()
        loop.run_forever()
        loop.run_until_complete(runner.cleanup())
        loop.close()

    def start(self) -> OpenAIServer:
        self._thread = threading.Thread(target=self._serve, name="scsafety-testkit-server", daemon=True)
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("test server did not start")
        return self

    def stop(self) -> None:
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread is not None:
            self._thread.join(10)

    def __enter__(self) -> OpenAIServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def main() -> None:  # pragma: no cover - manual use
    ap = argparse.ArgumentParser(description="scsafety loopback OpenAI-compatible test server")
    ap.add_argument("--port", type=int, default=8765)
    ap.add_argument("--latency", type=float, default=0.0)
    args = ap.parse_args()
    srv = OpenAIServer(port=args.port, latency=args.latency).start()
    print(json.dumps({"base_url": srv.base_url}), flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        srv.stop()


if __name__ == "__main__":  # pragma: no cover
    main()
