"""Judges: the Judge protocol, Verdict, the SC-Safety rubric and the judges themselves."""

from scsafety.judges import builtin, keyword, llm  # noqa: F401  (register judges)
from scsafety.judges.base import JUDGES, Judge, JudgeInput, JudgeOptions, Verdict, register_judge


def create_judge(spec: str, options: JudgeOptions | None = None) -> Judge:
    return JUDGES.create(spec, options)


__all__ = ["JUDGES", "Judge", "JudgeInput", "JudgeOptions", "Verdict", "create_judge", "register_judge"]
