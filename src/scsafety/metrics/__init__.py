"""Metrics: SC-Safety scores, bootstrap confidence intervals, paired comparison, TC260 checks.

Pure functions over :class:`ScoredAnswer` rows; the report layer reads the store.
"""

from scsafety.metrics.bootstrap import rate_ci, score_cis
from scsafety.metrics.compare import paired_difference
from scsafety.metrics.scores import ScoredAnswer, grouped, sc_score, summarize
from scsafety.metrics.tc260 import bank_sizes, tc260_report

__all__ = ["ScoredAnswer", "bank_sizes", "grouped", "paired_difference", "rate_ci", "sc_score", "score_cis",
           "summarize", "tc260_report"]
