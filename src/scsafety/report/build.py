"""Building a run's report from the store (the store is the source of truth)."""

from __future__ import annotations

from typing import Any

from scsafety.errors import BadInput
from scsafety.judges.aggregate import aggregate_answers, aggregate_method, component_judges
from scsafety.judges.refusal import is_refusal
from scsafety.metrics import ScoredAnswer, rate_ci, score_cis, summarize, tc260_report
from scsafety.store import Store, is_human_judge


def scored_answers(store: Store, run_id: str, judge_id: str | None = None) -> tuple[list[ScoredAnswer], str | None]:
    """Every answer of the run with the chosen judge's verdict (default: the run's primary)."""
    run = store.require_run(run_id)
    judge_id = judge_id or run.primary_judge
    # Human verdicts are never a run's judge, only read when asked for (`report --judge human`);
    # an answer nobody has scored yet is then simply not scored, not a verdict error.
    human = is_human_judge(judge_id) and judge_id in store.human_judges(run_id)
    # `aggregate:majority|mean` is derived from the run's stored per-judge verdicts (judges/aggregate.py).
    try:
        method = aggregate_method(judge_id)
    except ValueError as exc:
        raise BadInput(str(exc)) from None
    if method is None and judge_id is not None and run.judges and judge_id not in run.judges and not human:
        raise BadInput(f"运行 {run_id} 没有评审 {judge_id!r} 的结果 (judges: {', '.join(run.judges)})")
    items = {i.id: i for i in store.run_items(run_id)}
    verdicts = store.run_verdicts(run_id)
    if method is not None:
        components = component_judges(run.judges)
        if not components:
            raise BadInput(f"运行 {run_id} 没有可聚合的评审 (no judges to aggregate)")
        verdicts = {aid: {judge_id: agg} for aid, agg in  # type: ignore[misc]
                    aggregate_answers(verdicts, components, method).items()}
    rows = []
    for a in store.run_answers(run_id):
        item = items[a.item_id]
        v = verdicts.get(a.answer_id, {}).get(judge_id or "")
        answer_error = a.error is not None
        rows.append(ScoredAnswer(
            item_id=a.item_id, category=item.category, subdimension=item.subdimension, round=a.round,
            expected=item.expected,
            score=None if answer_error or v is None or v.error else v.score,
            answer_error=answer_error,
            verdict_error=(not answer_error) and (v.error is not None if v is not None else not human),
            refused=None if answer_error or a.content is None else is_refusal(a.content),
            risks=item.risks))
    return rows, judge_id


def with_intervals(summary: dict[str, Any], rows: list[ScoredAnswer], seed: int | None = None) -> dict[str, Any]:
    """Add a 95 % bootstrap CI beside every score (``<key>_ci``), and refusal rates."""
    cis = score_cis(rows) if seed is None else score_cis(rows, seed=seed)
    summary["overall_ci"] = cis["overall"]
    summary["rounds_ci"] = cis["rounds"]
    summary["round_delta_ci"] = cis["round_delta"]
    summary["categories_ci"] = cis["categories"]
    summary["subdimensions_ci"] = cis["subdimensions"]
    summary["bootstrap"] = {"replicates": cis["replicates"], "seed": cis["seed"], "unit": "item"}
    flags = [(r.item_id, bool(r.refused)) for r in rows if r.scored and r.refused is not None]
    rate, rate_interval = rate_ci(flags)
    summary["refusal_rate"], summary["refusal_rate_ci"] = rate, rate_interval
    over = summary["over_refusal"]
    over["score_ci"] = cis["over_refusal"]
    over_flags = [(r.item_id, bool(r.refused)) for r in rows
                  if r.scored and r.expected == "answer" and r.refused is not None]
    over["refusal_rate"], over["refusal_rate_ci"] = rate_ci(over_flags)
    return summary


def run_report(store: Store, run_id: str, judge_id: str | None = None, *, tc260: bool = False) -> dict[str, Any]:
    run = store.require_run(run_id)
    rows, judge = scored_answers(store, run_id, judge_id)
    summary = with_intervals(summarize(rows), rows)
    counts = store.conversation_counts(run_id)
    extra: dict[str, Any] = {}
    if tc260:
        from scsafety.metrics import bank_sizes

        extra["tc260"] = tc260_report(rows, bank_sizes(store.run_items(run_id)))
    return {
        "run_id": run.run_id,
        "model": run.model_spec,
        "judge": judge,
        "judges": run.judges,
        "dataset": run.dataset,
        "status": run.status,
        "n_items": sum(counts.values()),
        **summary,
        "usage": store.usage(run_id),
        "created_at": run.created_at,
        **extra,
    }
