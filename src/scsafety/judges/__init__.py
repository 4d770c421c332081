"""Judges: the Judge protocol, Verdict, the SC-Safety rubric and the judges themselves."""

from dataclasses import replace

from scsafety.judges import builtin, guards, keyword, llm  # noqa: F401  (register judges)
from scsafety.judges.base import JUDGES, Judge, JudgeInput, JudgeOptions, Verdict, register_judge
from scsafety.judges.cascade import CascadeJudge
from scsafety.judges.sampling import DEFAULT_SAMPLING_TEMPERATURE, SamplingJudge


def create_judge(spec: str, options: JudgeOptions | None = None) -> Judge:
    """Build a judge from its spec. With ``options.samples`` N > 1 a judge that samples
    (LLM, guard) is wrapped for self-consistency (id ``<spec>#n=N``), at temperature 0.7
    unless ``options.model.temperature`` is set; deterministic judges are left as they are."""
    options = options or JudgeOptions()
    if options.samples > 1 and options.model.temperature is None:
        options = replace(options, model=replace(options.model, temperature=DEFAULT_SAMPLING_TEMPERATURE))
    judge = JUDGES.create(spec, options)
    if options.samples > 1 and getattr(judge, "samplable", False):
        return SamplingJudge(judge, options.samples)
    return judge


__all__ = ["JUDGES", "CascadeJudge", "Judge", "JudgeInput", "JudgeOptions", "SamplingJudge", "Verdict",
           "create_judge", "register_judge"]
