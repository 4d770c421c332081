"""Building a run's report from the store (the store is the source of truth)."""

from __future__ import annotations

from typing import Any

from scsafety.errors import BadInput
from scsafety.judges.refusal import is_refusal
from scsafety.metrics import ScoredAnswer, summarize
from scsafety.store import Store


def scored_answers(store: Store, run_id: str, judge_id: str | None = None) -> tuple[list[ScoredAnswer], str | None]:
    """Every answer of the run with the chosen judge's verdict (default: the run's primary)."""
    run = store.require_run(run_id)
    judge_id = judge_id or run.primary_judge
    if judge_id is not None and run.judges and judge_id not in run.judges:
        raise BadInput(f"运行 {run_id} 没有评审 {judge_id!r} 的结果 (judges: {', '.join(run.judges)})")
    items = {i.id: i for i in store.run_items(run_id)}
    verdicts = store.run_verdicts(run_id)
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
            verdict_error=(not answer_error) and (v is None or v.error is not None),
            refused=None if answer_error or a.content is None else is_refusal(a.content),
            risks=item.risks))
    return rows, judge_id


def run_report(store: Store, run_id: str, judge_id: str | None = None) -> dict[str, Any]:
    run = store.require_run(run_id)
    rows, judge = scored_answers(store, run_id, judge_id)
    summary = summarize(rows)
    counts = store.conversation_counts(run_id)
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
    }
