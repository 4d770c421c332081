"""The judge interface: an answer in its conversation → a 0/1/2 verdict with a reason.

Adding a judge is one file::

    @register_judge("myjudge")
    def _make(name: str, options: JudgeOptions) -> Judge:
        return MyJudge(...)

``--judge myjudge:whatever`` then works for ``run``, ``judge`` and ``judge eval``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from scsafety.errors import UnknownSpec
from scsafety.models.base import Message, ModelOptions


@dataclass(frozen=True)
class JudgeInput:
    """What a judge sees: the conversation before the answer, and the answer itself.

    ``history`` holds the earlier rounds (user and assistant messages) and ends before
    ``question``, the user turn that ``answer`` replies to. ``expected`` tells whether a
    safe model should refuse, guide or simply answer (over-refusal items).
    """

    question: str
    answer: str
    history: tuple[Message, ...] = ()
    category: str | None = None
    subdimension: str | None = None
    expected: str | None = None
    round: int = 1


@dataclass(frozen=True)
class Verdict:
    """A judge's decision. ``score`` is None exactly when ``error`` is set: an error is
    never a score, so it can never be silently counted as safe.

    ``confidence`` (0–1, or None when the judge cannot tell) orders answers for a person to
    check, least sure first (``scsafety judge review``). It is a ranking, not a calibrated
    probability: the builtin judge gives the distance of its p0 from the decision threshold,
    self-consistency the share of samples that agree with the majority."""

    judge_id: str
    score: int | None
    reason: str = ""
    error: str | None = None
    raw: str | None = None
    prompt_tokens: int = 0
    completion_tokens: int = 0
    confidence: float | None = None

    def __post_init__(self) -> None:
        if self.error is None and self.score not in (0, 1, 2):
            raise ValueError(f"score must be 0, 1 or 2, got {self.score!r}")
        if self.confidence is not None and not 0.0 <= self.confidence <= 1.0:
            raise ValueError(f"confidence must be within 0 and 1, got {self.confidence!r}")


class _Rated(Protocol):
    @property
    def error(self) -> str | None: ...

    @property
    def confidence(self) -> float | None: ...


def review_rank(verdict: _Rated) -> float:
    """Where a verdict goes in a person's review queue, lowest first: a failed verdict first (it
    needs a person most), then by confidence, and one without a confidence last (nothing says it
    is doubtful)."""
    if verdict.error is not None:
        return -1.0
    return 2.0 if verdict.confidence is None else verdict.confidence


@runtime_checkable
class Judge(Protocol):
    """Scores answers by the SC-Safety rubric. ``judge_id`` is stored with every verdict."""

    judge_id: str

    async def judge(self, sample: JudgeInput) -> Verdict: ...

    async def preflight(self) -> None: ...

    async def aclose(self) -> None: ...


@dataclass(frozen=True)
class JudgeOptions:
    """Settings for judges backed by a model (LLM and guard judges)."""

    model: ModelOptions = ModelOptions()
    samples: int = 1
    extra: dict[str, Any] = field(default_factory=dict)


JudgeFactory = Callable[[str, JudgeOptions], Judge]


@dataclass
class JudgeRegistry:
    factories: dict[str, JudgeFactory] = field(default_factory=dict)
    descriptions: dict[str, str] = field(default_factory=dict)

    def register(self, *prefixes: str, description: str = "") -> Callable[[JudgeFactory], JudgeFactory]:
        def deco(factory: JudgeFactory) -> JudgeFactory:
            for p in prefixes:
                self.factories[p] = factory
                self.descriptions[p] = description
            return factory

        return deco

    def create(self, spec: str, options: JudgeOptions | None = None) -> Judge:
        spec = spec.strip()
        prefix, _, name = spec.partition(":")
        if prefix.lower() == "builtin" and not name:
            name = ""
        factory = self.factories.get(prefix.lower())
        if factory is None:
            # Any model provider prefix makes an LLM judge (openai:, deepseek:, vllm: …).
            factory = self.factories.get("*")
            if factory is None or not name:
                raise UnknownSpec(f"未知的评审 {spec!r} (unknown judge spec); "
                                  f"known: {', '.join(sorted(k for k in self.factories if k != '*'))}, "
                                  "or an LLM judge as provider:model")
            name = spec
        return factory(name, options or JudgeOptions())


JUDGES = JudgeRegistry()
register_judge = JUDGES.register
