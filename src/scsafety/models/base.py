"""The model-under-test interface: one async call from messages to a completion.

A provider is a factory registered under a spec prefix. Adding a provider is one file::

    @register_provider("myvendor")
    def _make(name: str, options: ModelOptions) -> ChatModel:
        return MyVendorModel(name, options)

after which ``--model myvendor:some-model`` works everywhere a model is accepted.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol, TypedDict, runtime_checkable

from scsafety.errors import UnknownSpec


class Message(TypedDict):
    role: str
    content: str


@dataclass(frozen=True)
class ModelOptions:
    """What a user can set on a model from the command line or the library.

    ``api_key_env`` names the environment variable that holds the key; the key itself
    is read at call time and never stored on this object, so it cannot leak into the
    cache identity, the store or a report.
    """

    base_url: str | None = None
    api_key_env: str | None = None
    temperature: float | None = None
    max_tokens: int | None = None
    system_prompt: str | None = None
    timeout: float = 120.0
    concurrency: int = 16
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Usage:
    prompt_tokens: int = 0
    completion_tokens: int = 0

    def __add__(self, other: Usage) -> Usage:
        return Usage(self.prompt_tokens + other.prompt_tokens, self.completion_tokens + other.completion_tokens)


@dataclass(frozen=True)
class Completion:
    content: str
    finish_reason: str | None = None
    usage: Usage = Usage()
    latency_ms: float = 0.0


@runtime_checkable
class ChatModel(Protocol):
    """A chat model that answers a list of messages.

    ``spec`` is the user's spec string (``openai:gpt-4o``). ``identity()`` returns
    everything that changes what the model answers (spec, base URL, sampling settings),
    and is what the answer cache is keyed on together with the messages.
    Implementations raise :class:`scsafety.errors.ModelError` on failure, with
    ``transient=True`` for what a retry may fix (429, 5xx, connection errors).
    """

    spec: str

    def identity(self) -> dict[str, Any]: ...

    async def complete(self, messages: list[Message]) -> Completion: ...

    async def preflight(self) -> None:
        """Raise :class:`scsafety.errors.BadInput` if the model cannot be used at all."""
        ...

    async def aclose(self) -> None: ...


ProviderFactory = Callable[[str, ModelOptions], ChatModel]


@dataclass
class ProviderRegistry:
    """Spec-prefix → factory. One instance per process is enough, but nothing global is
    mutated at run time: registration happens when a provider module is imported."""

    factories: dict[str, ProviderFactory] = field(default_factory=dict)
    descriptions: dict[str, str] = field(default_factory=dict)

    def register(self, *prefixes: str, description: str = "") -> Callable[[ProviderFactory], ProviderFactory]:
        def deco(factory: ProviderFactory) -> ProviderFactory:
            for prefix in prefixes:
                self.factories[prefix] = factory
                self.descriptions[prefix] = description
            return factory

        return deco

    def create(self, spec: str, options: ModelOptions | None = None) -> ChatModel:
        prefix, name = split_spec(spec)
        factory = self.factories.get(prefix)
        if factory is None:
            known = ", ".join(sorted(f"{p}:" for p in self.factories))
            raise UnknownSpec(f"未知的模型类型 {spec!r} (unknown model spec); 可用 known: {known}")
        return factory(name, options or ModelOptions())


def split_spec(spec: str) -> tuple[str, str]:
    """``provider:model`` or ``provider/model`` → (provider, model)."""
    spec = spec.strip()
    for sep in (":", "/"):
        if sep in spec:
            prefix, name = spec.split(sep, 1)
            if prefix and name:
                return prefix.lower(), name
    raise UnknownSpec(f"模型需写成 provider:model 形式，得到 {spec!r} (spec must be provider:model)")


PROVIDERS = ProviderRegistry()
register_provider = PROVIDERS.register
