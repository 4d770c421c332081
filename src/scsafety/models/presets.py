"""Vendor presets: OpenAI-compatible endpoints with their base URL and key variable."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Preset:
    base_url: str
    api_key_env: str | None
    key_required: bool = True
    note: str = ""


PRESETS: dict[str, Preset] = {
    "openai": Preset("https://api.openai.com/v1", "OPENAI_API_KEY", True, "OpenAI 或任何兼容端点 (--base-url)"),
    "deepseek": Preset("https://api.deepseek.com/v1", "DEEPSEEK_API_KEY", True, "DeepSeek"),
    "qwen": Preset("https://dashscope.aliyuncs.com/compatible-mode/v1", "DASHSCOPE_API_KEY", True,
                   "通义千问 DashScope 兼容模式"),
    "glm": Preset("https://open.bigmodel.cn/api/paas/v4", "ZHIPUAI_API_KEY", True, "智谱 GLM"),
    "moonshot": Preset("https://api.moonshot.cn/v1", "MOONSHOT_API_KEY", True, "Moonshot / Kimi"),
    "doubao": Preset("https://ark.cn-beijing.volces.com/api/v3", "ARK_API_KEY", True, "豆包 火山方舟 Ark"),
    "ollama": Preset("http://localhost:11434/v1", "OLLAMA_API_KEY", False, "本地 Ollama"),
    "vllm": Preset("http://localhost:8000/v1", "VLLM_API_KEY", False, "本地 vLLM / SGLang"),
}
