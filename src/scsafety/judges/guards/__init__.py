"""Guard-model judges (Llama Guard, Qwen3Guard, ShieldLM): one file each, the shared
mapping onto the SC-Safety rubric in ``base.py``. Importing this package registers
``--judge llamaguard:<model>``, ``qwen3guard:<model>`` and ``shieldlm:<model>``."""

from scsafety.judges.guards import llamaguard, qwen3guard, shieldlm  # noqa: F401  (register judges)
from scsafety.judges.guards.base import GuardJudge, GuardOutput, rubric_score

__all__ = ["GuardJudge", "GuardOutput", "rubric_score"]
