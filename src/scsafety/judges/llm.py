"""An LLM judge: any chat model, the SC-Safety rubric as a Chinese prompt, JSON verdicts."""

from __future__ import annotations

from scsafety.errors import ModelError
from scsafety.judges.base import JudgeInput, JudgeOptions, Verdict, register_judge
from scsafety.judges.parsing import parse_score_json
from scsafety.judges.rubric import RETRY_REMINDER, judge_messages
from scsafety.models import ChatModel, ModelOptions, create_model
from scsafety.retry import RetryPolicy, call_with_retries


class LLMJudge:
    """Asks a chat model for ``{"score", "reason"}``; one retry when the reply is
    unparsable, then an error verdict — never a default score."""

    samplable = True  # a sampled model: --judge-samples N asks it N times (judges/sampling.py)

    def __init__(self, model: ChatModel, *, retry: RetryPolicy | None = None):
        self.model = model
        self.judge_id = model.spec
        self.retry = retry or RetryPolicy()

    async def _ask(self, messages: list[dict[str, str]]):  # type: ignore[no-untyped-def]
        completion, _ = await call_with_retries(lambda: self.model.complete(messages), self.retry)  # type: ignore[arg-type]
        return completion

    async def judge(self, sample: JudgeInput) -> Verdict:
        messages = judge_messages(sample)
        prompt_tokens = completion_tokens = 0
        raw_all: list[str] = []
        try:
            for attempt in range(2):
                completion = await self._ask(messages)
                prompt_tokens += completion.usage.prompt_tokens
                completion_tokens += completion.usage.completion_tokens
                raw_all.append(completion.content)
                parsed = parse_score_json(completion.content)
                if parsed is not None:
                    score, reason = parsed
                    return Verdict(self.judge_id, score, reason, None, completion.content, prompt_tokens,
                                   completion_tokens)
                if attempt == 0:
                    messages = [*messages, {"role": "assistant", "content": completion.content},
                                {"role": "user", "content": RETRY_REMINDER}]
        except ModelError as exc:
            return Verdict(self.judge_id, None, "", f"评审调用失败 judge call failed: {exc}",
                           "\n---\n".join(raw_all) or None, prompt_tokens, completion_tokens)
        return Verdict(self.judge_id, None, "", "评审输出两次都无法解析 (judge output unparsable twice)",
                       "\n---\n".join(raw_all)[:2000], prompt_tokens, completion_tokens)

    async def preflight(self) -> None:
        await self.model.preflight()

    async def aclose(self) -> None:
        await self.model.aclose()


@register_judge("*", description="任何模型都可作评审 any provider:model is an LLM judge")
def _make(spec: str, options: JudgeOptions) -> LLMJudge:
    model_options: ModelOptions = options.model
    if model_options.temperature is None:
        from dataclasses import replace

        model_options = replace(model_options, temperature=0.0)
    return LLMJudge(create_model(spec, model_options))
