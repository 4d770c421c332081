"""The offline builtin judge: no network, CPU only, deterministic."""

from __future__ import annotations

from scsafety.judges.base import JudgeInput, JudgeOptions, Verdict, register_judge
from scsafety.judges.builtin.rules import RULES_ID, rule_verdict


class BuiltinJudge:
    """``--judge builtin``: the rule baseline (see rules.py for what it can and cannot do)."""

    def __init__(self, judge_id: str = RULES_ID):
        self.judge_id = judge_id

    async def judge(self, sample: JudgeInput) -> Verdict:
        return rule_verdict(sample, self.judge_id)

    async def preflight(self) -> None:
        return None

    async def aclose(self) -> None:
        return None


@register_judge("builtin", description="离线内置评审 offline builtin judge")
def _make(name: str, options: JudgeOptions) -> BuiltinJudge:
    return BuiltinJudge()
