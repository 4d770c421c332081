"""Models under test (targets): the ChatModel protocol and its providers.

``create_model("deepseek:deepseek-chat", ModelOptions(...))`` builds any registered
provider from its spec string.
"""

from scsafety.models import builtin, gguf, openai_compat  # noqa: F401  (register providers)
from scsafety.models.base import PROVIDERS, ChatModel, Completion, Message, ModelOptions, Usage, register_provider
from scsafety.models.presets import PRESETS


def create_model(spec: str, options: ModelOptions | None = None) -> ChatModel:
    return PROVIDERS.create(spec, options)


__all__ = ["PRESETS", "PROVIDERS", "ChatModel", "Completion", "Message", "ModelOptions", "Usage", "create_model",
           "register_provider"]
