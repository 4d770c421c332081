"""OpenAI-compatible chat completions over aiohttp, with vendor presets.

aiohttp rather than httpx or the openai SDK: measured here on the same loopback workload
it spends ~0.35 ms of CPU per call at concurrency 64 against ~11 ms, and on 2 cores the
HTTP client must not be what limits a run of thousands of conversations.
"""

from __future__ import annotations

import asyncio
import json
import os
import time
from typing import Any
from urllib.parse import urlparse

import aiohttp

from scsafety.errors import BadInput, EndpointUnreachable, MissingApiKey, ModelError
from scsafety.models.base import Completion, Message, ModelOptions, Usage, register_provider
from scsafety.models.presets import PRESETS, Preset
from scsafety.redact import Redactor

RETRYABLE_STATUS = frozenset({408, 409, 425, 429, 500, 502, 503, 504, 520, 522, 524, 529})


def is_loopback(url: str) -> bool:
    host = (urlparse(url).hostname or "").lower()
    return host in {"localhost", "::1"} or host.startswith("127.")


def parse_retry_after(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        from email.utils import parsedate_to_datetime

        try:
            return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
        except (TypeError, ValueError):
            return None


class OpenAICompatModel:
    """A model behind ``POST {base_url}/chat/completions``."""

    def __init__(self, provider: str, name: str, options: ModelOptions, preset: Preset):
        self.provider = provider
        self.name = name
        self.spec = f"{provider}:{name}"
        self.options = options
        self.base_url = (options.base_url or preset.base_url).rstrip("/")
        key_env = options.api_key_env if options.api_key_env is not None else preset.api_key_env
        self._api_key: str | None = os.environ.get(key_env) if key_env else None
        explicit_env = options.api_key_env is not None and options.api_key_env != ""
        if not self._api_key and key_env:
            # A local server usually needs no key: only insist when the user named the
            # variable, or when the endpoint is a remote service that does need one.
            if explicit_env or (preset.key_required and not is_loopback(self.base_url)):
                raise MissingApiKey(
                    f"环境变量 {key_env} 未设置，无法调用 {self.spec} "
                    f"(API key variable {key_env} is not set; export it or pass --api-key-env)")
        self.redactor = Redactor([self._api_key] if self._api_key else [])
        self._session: aiohttp.ClientSession | None = None
        self._session_loop: asyncio.AbstractEventLoop | None = None

    def identity(self) -> dict[str, Any]:
        o = self.options
        return {
            "spec": self.spec,
            "base_url": self.base_url,
            "temperature": o.temperature,
            "max_tokens": o.max_tokens,
            "system_prompt": o.system_prompt,
            "extra": o.extra or None,
        }

    def _headers(self) -> dict[str, str]:
        headers = {"Content-Type": "application/json"}
        if self._api_key:
            headers["Authorization"] = f"Bearer {self._api_key}"
        return headers

    def _get_session(self) -> aiohttp.ClientSession:
        loop = asyncio.get_running_loop()
        if self._session is None or self._session.closed or self._session_loop is not loop:
            connector = aiohttp.TCPConnector(limit=max(1, self.options.concurrency), ttl_dns_cache=300)
            self._session = aiohttp.ClientSession(connector=connector, headers=self._headers())
            self._session_loop = loop
        return self._session

    def build_messages(self, messages: list[Message]) -> list[Message]:
        if self.options.system_prompt and not (messages and messages[0]["role"] == "system"):
            return [{"role": "system", "content": self.options.system_prompt}, *messages]
        return list(messages)

    def build_body(self, messages: list[Message]) -> dict[str, Any]:
        body: dict[str, Any] = {"model": self.name, "messages": self.build_messages(messages)}
        if self.options.temperature is not None:
            body["temperature"] = self.options.temperature
        if self.options.max_tokens is not None:
            body["max_tokens"] = self.options.max_tokens
        body.update(self.options.extra)
        return body

    async def complete(self, messages: list[Message]) -> Completion:
        session = self._get_session()
        url = f"{self.base_url}/chat/completions"
        body = self.build_body(messages)
        started = time.perf_counter()
        timeout = aiohttp.ClientTimeout(total=self.options.timeout)
        try:
            async with session.post(url, data=json.dumps(body, ensure_ascii=False).encode("utf-8"),
                                    timeout=timeout) as resp:
                raw = await resp.read()
                status = resp.status
                retry_after = parse_retry_after(resp.headers.get("Retry-After"))
        except asyncio.TimeoutError:
            raise ModelError(f"{self.spec}: 请求超时 timeout after {self.options.timeout:g}s",
                             transient=True) from None
        except aiohttp.ClientError as exc:
            raise ModelError(self.redactor(f"{self.spec}: 连接错误 connection error: {exc}"),
                             transient=True) from None
        latency = (time.perf_counter() - started) * 1000
        text = raw.decode("utf-8", errors="replace")
        if status >= 400:
            snippet = self.redactor(text[:300].replace("\n", " "))
            raise ModelError(f"{self.spec}: HTTP {status}: {snippet}", transient=status in RETRYABLE_STATUS,
                             retry_after=retry_after, status=status)
        return self.parse_response(text, latency)

    def parse_response(self, text: str, latency_ms: float) -> Completion:
        try:
            data = json.loads(text)
            choice = data["choices"][0]
            message = choice.get("message") or {}
            content = message.get("content")
        except (ValueError, KeyError, IndexError, TypeError, AttributeError):
            raise ModelError(self.redactor(f"{self.spec}: 无法解析响应 unparsable response: {text[:200]!r}"),
                             transient=True) from None
        if isinstance(content, list):  # some servers return content parts
            content = "".join(p.get("text", "") for p in content if isinstance(p, dict))
        usage = data.get("usage") or {}
        return Completion(
            content=content or "",
            finish_reason=choice.get("finish_reason"),
            usage=Usage(int(usage.get("prompt_tokens") or 0), int(usage.get("completion_tokens") or 0)),
            latency_ms=latency_ms,
        )

    async def preflight(self) -> None:
        """Fail fast, before a run starts, when the endpoint cannot be reached at all."""
        session = self._get_session()
        try:
            async with session.get(f"{self.base_url}/models",
                                   timeout=aiohttp.ClientTimeout(total=min(10.0, self.options.timeout))) as resp:
                status = resp.status
        except (aiohttp.ClientError, asyncio.TimeoutError, OSError) as exc:
            reason = type(exc).__name__ if isinstance(exc, asyncio.TimeoutError) else str(exc)
            raise EndpointUnreachable(self.redactor(
                f"无法连接 {self.spec} 的端点 {self.base_url} (endpoint unreachable): {reason}")) from None
        if status in (401, 403):
            raise BadInput(f"{self.spec}: 端点拒绝了 API key (HTTP {status}, the API key was rejected)")

    async def aclose(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None


def _factory_for(provider: str):  # type: ignore[no-untyped-def]
    def make(name: str, options: ModelOptions) -> OpenAICompatModel:
        return OpenAICompatModel(provider, name, options, PRESETS[provider])

    return make


for _provider, _preset in PRESETS.items():
    register_provider(_provider, description=_preset.note)(_factory_for(_provider))
