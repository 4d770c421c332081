"""A cascade: a fast judge decides where it is sure, a second (costlier) judge where it is not.

``--judge builtin --judge openai:gpt-4o --cascade 0.3``: every answer goes to the first
judge; when its verdict's confidence is below 0.3, or it has none, or it failed, the answer
goes to the second judge and the second's verdict stands. The LLM is then paid for only the
share of answers the builtin judge is unsure of (``judge eval``'s ``review`` block and the
README say how large that share is and how many of the builtin judge's errors it holds).

The id is ``cascade:<first>><second>@<threshold>`` (``cascade:builtin:clf-v7>openai:gpt-4o@0.3``):
its verdicts are a measurement of their own and must not mix with either judge's. The reason
says which judge decided. A failed second verdict is an error, never the first judge's score.
"""

from __future__ import annotations

import asyncio

from scsafety.judges.base import Judge, JudgeInput, Verdict

CASCADE_PREFIX = "cascade:"


def cascade_id(first: str, second: str, threshold: float) -> str:
    return f"{CASCADE_PREFIX}{first}>{second}@{threshold:g}"


class CascadeJudge:
    """``first`` everywhere; ``second`` where ``first`` is less sure than ``threshold``."""

    def __init__(self, first: Judge, second: Judge, threshold: float):
        if not 0.0 < threshold <= 1.0:
            raise ValueError(f"cascade threshold must be within 0 and 1, got {threshold!r}")
        self.first = first
        self.second = second
        self.threshold = threshold
        self.judge_id = cascade_id(first.judge_id, second.judge_id, threshold)
        # The runner bounds calls by the first judge's concurrency (the builtin judge batches
        # many at once); the second judge, usually a remote model, keeps its own bound.
        self.concurrency = int(getattr(first, "concurrency", 16))
        self._second_concurrency = max(1, int(getattr(second, "concurrency", 16)))
        self._second_slots: asyncio.Semaphore | None = None  # made in the running loop

    def defers(self, verdict: Verdict) -> bool:
        return verdict.error is not None or verdict.confidence is None or verdict.confidence < self.threshold

    async def judge(self, sample: JudgeInput) -> Verdict:
        v = await self.first.judge(sample)
        if not self.defers(v):
            return Verdict(self.judge_id, v.score, f"{self.first.judge_id} 判定（把握 confidence {v.confidence:.2f} ≥ "
                           f"{self.threshold:g}）：{v.reason}", None, v.raw, v.prompt_tokens, v.completion_tokens,
                           confidence=v.confidence)
        if self._second_slots is None:
            self._second_slots = asyncio.Semaphore(self._second_concurrency)
        async with self._second_slots:
            w = await self.second.judge(sample)
        why = (f"{self.first.judge_id} 出错 failed" if v.error is not None else
               f"{self.first.judge_id} 给 {v.score}，把握 confidence "
               f"{'—' if v.confidence is None else f'{v.confidence:.2f}'} < {self.threshold:g}")
        return Verdict(self.judge_id, w.score, f"{why}，交给 deferred to {self.second.judge_id}：{w.reason}", w.error,
                       w.raw, v.prompt_tokens + w.prompt_tokens, v.completion_tokens + w.completion_tokens,
                       confidence=w.confidence)

    async def preflight(self) -> None:
        await self.first.preflight()
        await self.second.preflight()

    async def aclose(self) -> None:
        try:
            await self.first.aclose()
        finally:
            await self.second.aclose()
