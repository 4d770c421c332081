"""What the viewer's JSON API returns: runs, one run's facets, filtered conversations.

Pure functions of the store, so that the API is tested without a server and the page
never computes a score itself (the store stays the single source of truth).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

from scsafety.benchmark.taxonomy import CATEGORIES, SUBDIMENSION_BY_NAME
from scsafety.errors import BadInput
from scsafety.judges.aggregate import (
    METHODS,
    aggregate_answers,
    aggregate_id,
    aggregate_method,
    component_judges,
)
from scsafety.judges.base import review_rank
from scsafety.metrics import summarize
from scsafety.report.build import scored_answers
from scsafety.report.conversations import iter_conversations
from scsafety.store import Store

SCORE_FILTERS = ("0", "1", "2", "error", "none")
MAX_LIMIT = 500


def _label_category(name: str) -> str:
    zh, en = CATEGORIES.get(name, (name, ""))
    return f"{zh} {en}".strip()


def _label_subdimension(name: str) -> str:
    sub = SUBDIMENSION_BY_NAME.get(name)
    return f"{sub.zh} {sub.en}" if sub else name


def run_summary(store: Store, run_id: str) -> dict[str, Any]:
    """A run's identity and its scores by its primary judge (no bootstrap: the list must be quick)."""
    run = store.require_run(run_id)
    rows, judge = scored_answers(store, run_id)
    s = summarize(rows)
    return {
        "run_id": run.run_id, "model": run.model_spec, "judge": judge, "judges": run.judges,
        "human_judges": store.human_judges(run_id), "dataset": run.dataset, "status": run.status,
        "n_items": sum(store.conversation_counts(run_id).values()), "n_answers": s["n_answers"],
        "n_scored": s["n_scored"], "n_errors": s["n_errors"], "overall": s["overall"], "rounds": s["rounds"],
        "categories": s["categories"], "created_at": run.created_at,
    }


def list_runs(store: Store) -> list[dict[str, Any]]:
    return [run_summary(store, r.run_id) for r in store.list_runs()]


def run_detail(store: Store, run_id: str) -> dict[str, Any]:
    """The summary plus what the filters can choose from, with Chinese and English labels."""
    detail = run_summary(store, run_id)
    items = store.run_items(run_id)
    cats = list(dict.fromkeys(i.category for i in items))
    subs = list(dict.fromkeys(i.subdimension for i in items))
    rounds = sorted({a.round for a in store.run_answers(run_id)})
    rows, _ = scored_answers(store, run_id)
    s = summarize(rows)
    detail.update({
        "subdimensions": s["subdimensions"],
        "facets": {
            "categories": [{"name": c, "label": _label_category(c)} for c in cats],
            "subdimensions": [{"name": n, "label": _label_subdimension(n),
                               "category": SUBDIMENSION_BY_NAME[n].category if n in SUBDIMENSION_BY_NAME else None}
                              for n in subs],
            "rounds": rounds,
            "judges": list(dict.fromkeys([*detail["judges"], *offered_aggregates(detail["judges"], detail["judge"]),
                                          *detail["human_judges"]])),
            "scores": list(SCORE_FILTERS),
        },
    })
    return detail


def offered_aggregates(judges: list[str], primary: str | None) -> list[str]:
    """Derived judges worth choosing: the primary when it is an aggregate, and both
    aggregates when the run has two or more judges to combine."""
    out = [primary] if aggregate_method(primary) else []
    if len(component_judges(judges)) > 1:
        out += [aggregate_id(m) for m in METHODS]
    return list(dict.fromkeys(j for j in out if j))


@dataclass(frozen=True)
class ConversationFilter:
    """Item-level (area, sub-dimension, text) and answer-level (round, score, disagreement) filters.

    A conversation is listed when its item matches and at least one of its rounds matches
    every answer-level filter; all its rounds are returned, the matching ones flagged, so
    that a follow-up is never shown without the question it follows.
    """

    category: str | None = None
    subdimension: str | None = None
    round: int | None = None
    score: str | None = None
    judge: str | None = None
    disagree: bool = False
    unsure: bool = False
    q: str | None = None
    offset: int = 0
    limit: int = 50

    @classmethod
    def from_query(cls, query: Mapping[str, str]) -> ConversationFilter:
        def text(name: str) -> str | None:
            value = (query.get(name) or "").strip()
            return value or None

        def integer(name: str, default: int, low: int, high: int) -> int:
            raw = text(name)
            if raw is None:
                return default
            try:
                value = int(raw)
            except ValueError:
                raise BadInput(f"{name} 必须是整数 (must be an integer): {raw!r}") from None
            if not low <= value <= high:
                raise BadInput(f"{name} 必须在 {low}–{high} 之间 (out of range): {value}")
            return value

        score = text("score")
        if score is not None and score not in SCORE_FILTERS:
            raise BadInput(f"score 必须是 {'/'.join(SCORE_FILTERS)} (bad score filter): {score!r}")
        def flag(name: str) -> bool:
            return text(name) in ("1", "true", "yes", "on")

        round_ = integer("round", 0, 0, 1000)
        return cls(category=text("category"), subdimension=text("subdimension"), round=round_ or None,
                   score=score, judge=text("judge"), disagree=flag("disagree"), unsure=flag("unsure"), q=text("q"),
                   offset=integer("offset", 0, 0, 10**9), limit=integer("limit", 50, 1, MAX_LIMIT))

    @property
    def answer_level(self) -> bool:
        return self.round is not None or self.score is not None or self.disagree


def score_class(rnd: dict[str, Any], judge: str | None) -> str:
    """The score filter's class of one round for one judge: 0/1/2, error, or none (not judged)."""
    if rnd["error"] is not None:
        return "error"
    v = rnd["verdicts"].get(judge or "")
    if v is None:
        return "none"
    if v["score"] is None:
        return "error"
    return str(v["score"])


def least_sure(conv: dict[str, Any], judge: str | None) -> float:
    """The review rank (``judges.base.review_rank``) of the conversation's least sure round under
    ``judge`` that no person has scored yet; 3 when every round has been scored or none judged."""
    ranks = [review_rank(SimpleNamespace(error=v["error"], confidence=v.get("confidence")))
             for rnd in conv["rounds"] if rnd["error"] is None
             and not any(h["human"] for h in rnd["verdicts"].values())
             and (v := rnd["verdicts"].get(judge or "")) is not None]
    return min(ranks, default=3.0)


def disagrees(rnd: dict[str, Any]) -> bool:
    """Judges (machine or human) gave this answer different scores; a derived aggregate is no opinion of its own."""
    return len({v["score"] for v in rnd["verdicts"].values() if v["score"] is not None and not v.get("derived")}) > 1


def _derived(store: Store, run_id: str, judges: list[str], wanted: list[str]) -> dict[str, dict[int, Any]]:
    """aggregate id → answer_id → aggregate verdict, computed from the stored verdicts (never stored)."""
    ids = [j for j in dict.fromkeys(wanted) if j and aggregate_method(j)]
    if not ids:
        return {}
    try:
        methods = {j: aggregate_method(j) for j in ids}
    except ValueError as exc:
        raise BadInput(str(exc)) from None
    verdicts = store.run_verdicts(run_id)
    components = component_judges(judges)
    return {j: aggregate_answers(verdicts, components, str(m)) for j, m in methods.items()}


def conversations(store: Store, run_id: str, f: ConversationFilter) -> dict[str, Any]:
    run = store.require_run(run_id)
    judge = f.judge or run.primary_judge
    if f.score is not None and judge is None:
        raise BadInput("按分数筛选需要评审 (a score filter needs a judge)")
    needle = f.q.casefold() if f.q else None
    try:
        derived = _derived(store, run_id, run.judges, [run.primary_judge or "", judge or ""])
    except ValueError as exc:
        raise BadInput(str(exc)) from None
    matched: list[dict[str, Any]] = []
    for conv in iter_conversations(store, run_id):
        item = conv["item"]
        if f.category and item["category"] != f.category:
            continue
        if f.subdimension and item["subdimension"] != f.subdimension:
            continue
        if needle is not None:
            hay = [item["id"], *[t for r in conv["rounds"] for t in (r["question"], r["answer"] or "")]]
            if not any(needle in h.casefold() for h in hay):
                continue
        any_match = False
        for rnd in conv["rounds"]:
            for agg_id, by_answer in derived.items():
                agg = by_answer.get(rnd["answer_id"])
                if agg is not None:
                    rnd["verdicts"][agg_id] = {"score": agg.score, "reason": agg.reason, "error": agg.error,
                                               "human": False, "derived": True}
            rnd["disagree"] = disagrees(rnd)
            ok = ((f.round is None or rnd["round"] == f.round)
                  and (f.score is None or score_class(rnd, judge) == f.score)
                  and (not f.disagree or rnd["disagree"]))
            rnd["match"] = ok and f.answer_level
            any_match = any_match or ok
        if f.answer_level and not any_match:
            continue
        item["category_label"] = _label_category(item["category"])
        item["subdimension_label"] = _label_subdimension(item["subdimension"])
        matched.append(conv)
    if f.unsure:
        matched.sort(key=lambda conv: least_sure(conv, judge))  # stable: ties keep the item order
    return {"run_id": run_id, "judge": judge, "total": len(matched), "offset": f.offset, "limit": f.limit,
            "conversations": matched[f.offset:f.offset + f.limit]}
