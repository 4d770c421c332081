"""Conversations of a run with their verdicts, as plain records (for JSONL export and viewers)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from scsafety.store import Store


def iter_conversations(store: Store, run_id: str) -> Iterator[dict[str, Any]]:
    """One record per item: the item, then each round's question, answer, error and verdicts."""
    run = store.require_run(run_id)
    verdicts = store.run_verdicts(run_id)
    by_item: dict[str, list[Any]] = {}
    for a in store.run_answers(run_id):
        by_item.setdefault(a.item_id, []).append(a)
    for item in store.run_items(run_id):
        rounds = []
        for a in by_item.get(item.id, []):
            rounds.append({
                "answer_id": a.answer_id, "round": a.round, "question": a.question, "answer": a.content, "error": a.error,
                "from_cache": a.from_cache, "finish_reason": a.finish_reason,
                "tokens": {"prompt": a.prompt_tokens, "completion": a.completion_tokens},
                "verdicts": {j: {"score": v.score, "reason": v.reason, "error": v.error, "human": v.is_human,
                                 "confidence": v.confidence}
                             for j, v in sorted(verdicts.get(a.answer_id, {}).items())},
            })
        yield {"run_id": run_id, "model": run.model_spec, "item": item.to_dict(), "rounds": rounds}
