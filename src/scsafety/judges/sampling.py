"""Self-consistency: ask a model-backed judge N times and keep the majority score.

Why: a single sampled judgement is noisy at the 1-vs-2 and 0-vs-1 borders; the majority
of N samples (at a sampling temperature, 0.7 unless ``--judge-temperature`` says
otherwise) is steadier. Ties go to the lower score, as for ``aggregate:majority``.

The wrapped judge's id gains ``#n=N`` (``openai:gpt-4o#n=5``) because its verdicts are
a different measurement from a single call's, and must not overwrite or resume them.

Failures: the verdict is the majority of the samples that produced a score, provided
they are more than half of N; otherwise the verdict is an error. The reason lists every
sample's score (and how many failed); tokens are summed over all calls.

Only judges that sample (``samplable = True``: the LLM and guard judges) are wrapped;
a deterministic judge (builtin, keyword) would return N identical answers.
"""

from __future__ import annotations

import asyncio

from scsafety.judges.aggregate import majority
from scsafety.judges.base import Judge, JudgeInput, Verdict

DEFAULT_SAMPLING_TEMPERATURE = 0.7


def sampled_id(judge_id: str, n: int) -> str:
    return f"{judge_id}#n={n}"


class SamplingJudge:
    """Wraps ``inner``; each ``judge`` call makes ``n`` independent calls of ``inner``."""

    samplable = False  # wrapping twice would only multiply the calls

    def __init__(self, inner: Judge, n: int):
        if n < 2:
            raise ValueError("SamplingJudge needs n >= 2")
        self.inner = inner
        self.n = n
        self.judge_id = sampled_id(inner.judge_id, n)
        inner_concurrency = getattr(inner, "concurrency", None)
        if inner_concurrency is not None:
            self.concurrency = max(1, int(inner_concurrency) // n)

    async def judge(self, sample: JudgeInput) -> Verdict:
        verdicts = await asyncio.gather(*(self._one(sample) for _ in range(self.n)))
        prompt_tokens = sum(v.prompt_tokens for v in verdicts)
        completion_tokens = sum(v.completion_tokens for v in verdicts)
        raw = "\n---\n".join(v.raw or "" for v in verdicts)[:8000] or None
        scored = [v for v in verdicts if v.error is None and v.score is not None]
        listing = ", ".join("×" if v.error is not None or v.score is None else str(v.score) for v in verdicts)
        failed = self.n - len(scored)
        if len(scored) * 2 <= self.n:
            errors = "; ".join(sorted({v.error or "" for v in verdicts if v.error}))
            return Verdict(self.judge_id, None, "", f"自洽采样 {self.n} 次中 {failed} 次失败 (self-consistency: "
                           f"{failed} of {self.n} samples failed): {errors}"[:1000], raw, prompt_tokens,
                           completion_tokens)
        score = majority([int(v.score) for v in scored])  # type: ignore[arg-type]
        chosen = next(v for v in scored if v.score == score)
        note = f"自洽 self-consistency n={self.n}: [{listing}] → {score}"
        if failed:
            note += f"（{failed} 次失败 failed）"
        reason = f"{note}；{chosen.reason}" if chosen.reason else note
        agreeing = sum(1 for v in scored if v.score == score)
        return Verdict(self.judge_id, score, reason, None, raw, prompt_tokens, completion_tokens,
                       confidence=round(agreeing / self.n, 4))

    async def _one(self, sample: JudgeInput) -> Verdict:
        try:
            return await self.inner.judge(sample)
        except Exception as exc:  # noqa: BLE001 - one failed sample is counted, not fatal
            return Verdict(self.judge_id, None, "", f"评审出错 judge failed: {type(exc).__name__}: {exc}")

    async def preflight(self) -> None:
        await self.inner.preflight()

    async def aclose(self) -> None:
        await self.inner.aclose()
