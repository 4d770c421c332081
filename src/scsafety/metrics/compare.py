"""Paired comparison of two runs on the items both ran."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

import numpy as np

from scsafety.metrics.bootstrap import DEFAULT_REPLICATES, DEFAULT_SEED, percentile_ci
from scsafety.metrics.scores import ScoredAnswer, sc_score


def _per_item(rows: Sequence[ScoredAnswer]) -> dict[str, tuple[float, int, ScoredAnswer]]:
    acc: dict[str, list[int]] = defaultdict(list)
    first: dict[str, ScoredAnswer] = {}
    for r in rows:
        first.setdefault(r.item_id, r)
        if r.scored:
            acc[r.item_id].append(r.score)  # type: ignore[arg-type]
    return {k: (float(sum(v)), len(v), first[k]) for k, v in acc.items() if v}


def paired_difference(rows_a: Sequence[ScoredAnswer], rows_b: Sequence[ScoredAnswer], *,
                      replicates: int = DEFAULT_REPLICATES, seed: int = DEFAULT_SEED) -> dict[str, object]:
    """Score A − score B overall, per area and per sub-dimension, on the common items.

    Only answers scored in both runs' items count; each item keeps its own answers, and
    the bootstrap resamples the common items, pairing A and B on the same draw.
    """
    a, b = _per_item(rows_a), _per_item(rows_b)
    common = [k for k in a if k in b]
    rng = np.random.default_rng(seed)
    n = len(common)
    position = {k: i for i, k in enumerate(common)}
    weights = rng.multinomial(n, np.full(n, 1.0 / n), size=replicates).astype(np.float64) if n else None

    def block(keys: list[str]) -> dict[str, object]:
        if not keys or weights is None:
            return {"n_items": 0, "a": None, "b": None, "difference": None, "ci": None}
        idx = [position[k] for k in keys]
        sa = np.array([a[k][0] for k in keys]); na = np.array([a[k][1] for k in keys])
        sb = np.array([b[k][0] for k in keys]); nb = np.array([b[k][1] for k in keys])
        w = weights[:, idx]
        with np.errstate(invalid="ignore", divide="ignore"):
            diff = 100 * (w @ sa) / (2 * (w @ na)) - 100 * (w @ sb) / (2 * (w @ nb))
        score_a = sc_score([]) if na.sum() == 0 else round(100 * sa.sum() / (2 * na.sum()), 2)
        score_b = sc_score([]) if nb.sum() == 0 else round(100 * sb.sum() / (2 * nb.sum()), 2)
        ci = percentile_ci(diff)
        significant = ci is not None and (ci[0] > 0 or ci[1] < 0)
        return {"n_items": len(keys), "a": score_a, "b": score_b,
                "difference": round(score_a - score_b, 2) if score_a is not None and score_b is not None else None,
                "ci": ci, "significant": significant}

    by_cat: dict[str, list[str]] = defaultdict(list)
    by_sub: dict[str, list[str]] = defaultdict(list)
    for k in common:
        by_cat[a[k][2].category].append(k)
        by_sub[a[k][2].subdimension].append(k)
    return {"n_common_items": n, "overall": block(common),
            "categories": {c: block(ks) for c, ks in by_cat.items()},
            "subdimensions": {s: block(ks) for s, ks in by_sub.items()}}
