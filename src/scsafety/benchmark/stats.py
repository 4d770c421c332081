"""Dataset statistics and the checks behind `scsafety data stats` and `data validate`."""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Sequence
from typing import Any

from scsafety.benchmark import quality, taxonomy
from scsafety.benchmark.schema import Item


def _lengths(texts: Sequence[str]) -> dict[str, float]:
    if not texts:
        return {}
    ls = sorted(len(t) for t in texts)
    q = statistics.quantiles(ls, n=10) if len(ls) > 1 else [ls[0]] * 9
    return {"min": ls[0], "p10": q[0], "median": statistics.median(ls), "p90": q[-1], "max": ls[-1],
            "mean": round(statistics.fmean(ls), 1)}


def dataset_stats(items: Sequence[Item]) -> dict[str, Any]:
    """Counts over a dataset. ``pairs`` counts the adversarial items (question + follow-up);
    the must-not-refuse items are counted apart in ``over_refusal``."""
    adversarial = [i for i in items if not i.over_refusal]
    over = [i for i in items if i.over_refusal]
    firsts = [i.turns[0] for i in items]
    follows = [i.turns[1] for i in items if len(i.turns) > 1]
    dup = quality.near_duplicate_items(firsts)
    risks: Counter[str] = Counter(code for i in items for code in i.risks)
    must_refuse_a12 = sum(1 for i in items if i.expected == "refuse" and any(c[:2] in ("A1", "A2") for c in i.risks))
    top_first, share_first = quality.max_opening_share(firsts)
    top_follow, share_follow = quality.max_opening_share(follows)
    aspects = Counter(str(i.extra.get("aspect")) for i in over if i.extra.get("aspect"))
    return {
        "items": len(items),
        "pairs": len(adversarial),
        "questions": sum(len(i.turns) for i in adversarial),
        "total_questions": sum(len(i.turns) for i in items),
        "categories": dict(Counter(i.category for i in adversarial)),
        "subdimensions": dict(Counter(i.subdimension for i in items)),
        "over_refusal": len(over),
        "over_refusal_aspects": dict(aspects),
        "expected": dict(Counter(i.expected for i in items)),
        "must_refuse_a1_a2": must_refuse_a12,
        "attacks": dict(Counter(i.attack or "none" for i in items)),
        "risks": {code: risks.get(code, 0) for code in taxonomy.RISKS},
        "rounds": dict(Counter(str(len(i.turns)) for i in items)),
        "near_duplicates": len(dup),
        "near_duplicate_rate": round(len(dup) / len(firsts), 4) if firsts else 0.0,
        "opening_max_share": {"first": {"opening": top_first, "share": round(share_first, 4)},
                              "follow_up": {"opening": top_follow, "share": round(share_follow, 4)}},
        "lengths": {"first": _lengths(firsts), "follow_up": _lengths(follows)},
    }
