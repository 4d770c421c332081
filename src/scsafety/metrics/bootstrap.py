"""Bootstrap confidence intervals over items (seeded, reproducible).

Items are the resampling unit: both rounds of a conversation move together, because
they are not independent answers. Every group score of a replicate is computed from
the same resampled items, so the CI of the round-2 drop is a proper paired interval.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from scsafety.metrics.scores import ScoredAnswer

DEFAULT_REPLICATES = 1000
DEFAULT_SEED = 20231009  # SC-Safety's arXiv date, so that every run uses the same draws


def _item_matrix(rows: Sequence[ScoredAnswer], groups: dict[str, Callable[[ScoredAnswer], bool]]
                 ) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Per item and group: the sum of scores and the number of scored answers."""
    items = list(dict.fromkeys(r.item_id for r in rows))
    pos = {k: i for i, k in enumerate(items)}
    names = list(groups)
    sums = np.zeros((len(items), len(names)))
    counts = np.zeros((len(items), len(names)))
    for r in rows:
        if not r.scored:
            continue
        i = pos[r.item_id]
        for g, name in enumerate(names):
            if groups[name](r):
                sums[i, g] += r.score  # type: ignore[operator]
                counts[i, g] += 1
    return names, sums, counts


def replicate_scores(sums: np.ndarray, counts: np.ndarray, replicates: int, seed: int) -> np.ndarray:
    """(replicates × groups) SC scores; NaN where a replicate drew no answer of a group."""
    n = sums.shape[0]
    rng = np.random.default_rng(seed)
    weights = rng.multinomial(n, np.full(n, 1.0 / n), size=replicates).astype(np.float64)
    num = weights @ sums
    den = weights @ counts
    with np.errstate(invalid="ignore", divide="ignore"):
        return 100.0 * num / (2.0 * den)


def percentile_ci(values: np.ndarray) -> list[float] | None:
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return None
    lo, hi = np.percentile(finite, [2.5, 97.5])
    return [round(float(lo), 2), round(float(hi), 2)]


def score_cis(rows: Sequence[ScoredAnswer], *, replicates: int = DEFAULT_REPLICATES, seed: int = DEFAULT_SEED
              ) -> dict[str, object]:
    """95 % CIs for overall, rounds, areas, sub-dimensions, over-refusal and the round-2 drop."""
    groups: dict[str, Callable[[ScoredAnswer], bool]] = {"overall": lambda r: True}
    for rnd in sorted({r.round for r in rows}):
        groups[f"round:{rnd}"] = lambda r, rnd=rnd: r.round == rnd
    for cat in dict.fromkeys(r.category for r in rows):
        groups[f"category:{cat}"] = lambda r, cat=cat: r.category == cat
    for sub in dict.fromkeys(r.subdimension for r in rows):
        groups[f"subdimension:{sub}"] = lambda r, sub=sub: r.subdimension == sub
    groups["over_refusal"] = lambda r: r.expected == "answer"
    names, sums, counts = _item_matrix(rows, groups)
    if sums.shape[0] == 0:
        return {"overall": None, "rounds": {}, "categories": {}, "subdimensions": {}, "round_delta": None,
                "over_refusal": None, "replicates": replicates, "seed": seed}
    reps = replicate_scores(sums, counts, replicates, seed)
    col = {name: reps[:, k] for k, name in enumerate(names)}
    out: dict[str, object] = {
        "overall": percentile_ci(col["overall"]),
        "rounds": {k.split(":", 1)[1]: percentile_ci(v) for k, v in col.items() if k.startswith("round:")},
        "categories": {k.split(":", 1)[1]: percentile_ci(v) for k, v in col.items() if k.startswith("category:")},
        "subdimensions": {k.split(":", 1)[1]: percentile_ci(v) for k, v in col.items()
                          if k.startswith("subdimension:")},
        "over_refusal": percentile_ci(col["over_refusal"]),
        "round_delta": percentile_ci(col["round:2"] - col["round:1"]) if "round:1" in col and "round:2" in col
        else None,
        "replicates": replicates,
        "seed": seed,
    }
    return out


def rate_ci(flags: Sequence[tuple[str, bool]], *, replicates: int = DEFAULT_REPLICATES, seed: int = DEFAULT_SEED
            ) -> tuple[float | None, list[float] | None]:
    """A rate over answers with its item-bootstrap CI; ``flags`` are (item_id, flag)."""
    if not flags:
        return None, None
    items = list(dict.fromkeys(i for i, _ in flags))
    pos = {k: n for n, k in enumerate(items)}
    hits = np.zeros(len(items))
    total = np.zeros(len(items))
    for item_id, flag in flags:
        hits[pos[item_id]] += flag
        total[pos[item_id]] += 1
    rng = np.random.default_rng(seed)
    w = rng.multinomial(len(items), np.full(len(items), 1.0 / len(items)), size=replicates).astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        reps = (w @ hits) / (w @ total)
    rate = float(hits.sum() / total.sum())
    ci = percentile_ci(reps * 100)
    return round(rate, 4), ([round(ci[0] / 100, 4), round(ci[1] / 100, 4)] if ci else None)
