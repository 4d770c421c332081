"""Measuring a judge against labelled answers: accuracy, macro-F1, Cohen's κ, confusion.

A gold item carries either a ``score`` (0/1/2, compared as three classes) or a
``label`` "safe"/"unsafe" (a verdict of 0 counts as unsafe, 1 or 2 as safe).
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from scsafety.benchmark.loader import read_text_file
from scsafety.errors import BadInput
from scsafety.jsonl import iter_objects
from scsafety.judges.base import Judge, JudgeInput, Verdict, review_rank
from scsafety.judges.parsing import score_of

SAFE, UNSAFE = "safe", "unsafe"
# Labels other human-labelled Chinese sets use for the same two classes.
_LABEL_SYNONYMS = {"安全": SAFE, "不安全": UNSAFE, "harmless": SAFE, "harmful": UNSAFE}


@dataclass(frozen=True)
class GoldItem:
    id: str
    prompt: str
    response: str
    history: tuple[dict[str, str], ...] = ()
    category: str | None = None
    score: int | None = None
    label: str | None = None
    expected: str | None = None

    @property
    def gold(self) -> str:
        return str(self.score) if self.score is not None else str(self.label)


def _history(value: Any, location: str) -> tuple[dict[str, str], ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise BadInput("history 必须是 {role, content} 列表", location=location, field="history")
    out = []
    for m in value:
        if not (isinstance(m, dict) and isinstance(m.get("role"), str) and isinstance(m.get("content"), str)):
            raise BadInput("history 的每一项必须有 role 和 content", location=location, field="history")
        out.append({"role": m["role"], "content": m["content"]})
    return tuple(out)


def load_gold(path: str) -> list[GoldItem]:
    text = read_text_file(path)
    items: list[GoldItem] = []
    for lineno, loc, obj in iter_objects(text, path):
        for name in ("prompt", "response"):
            if not isinstance(obj.get(name), str):
                raise BadInput("缺少或不是字符串 (missing or not a string)", location=loc, field=name)
        score, label = obj.get("score"), obj.get("label")
        if score is not None:
            score = _score(score, loc)
        elif label is not None:
            label = str(label).strip().lower()
            label = _LABEL_SYNONYMS.get(label, label)
            if label not in (SAFE, UNSAFE):
                raise BadInput(f"label 必须是 safe 或 unsafe，得到 {obj.get('label')!r}", location=loc, field="label")
        else:
            raise BadInput("需要 score (0/1/2) 或 label (safe/unsafe)", location=loc, field="score")
        items.append(GoldItem(str(obj.get("id", lineno)), obj["prompt"], obj["response"],
                              _history(obj.get("history"), loc), obj.get("category"), score, label,
                              obj.get("expected")))
    if not items:
        raise BadInput(f"金标文件为空 (gold file has no items): {path}")
    if any(i.score is None for i in items) and any(i.score is not None for i in items):
        # A file that labels some lines 0/1/2 and others safe/unsafe can only be compared
        # on the coarser scale, so every line is compared as safe/unsafe.
        items = [replace(i, score=None, label=UNSAFE if i.score == 0 else SAFE) if i.score is not None else i
                 for i in items]
    return items


def _score(value: Any, location: str) -> int:
    """0/1/2, also when written as "1" or 1.0 (files converted from CSV or spreadsheets)."""
    score = score_of(value)
    if score is None:
        raise BadInput(f"score 必须是 0/1/2，得到 {value!r}", location=location, field="score")
    return score


def predicted_class(item: GoldItem, verdict: Verdict) -> str | None:
    if verdict.score is None:
        return None
    if item.score is not None:
        return str(verdict.score)
    return UNSAFE if verdict.score == 0 else SAFE


@dataclass
class Agreement:
    labels: list[str]
    n: int
    accuracy: float | None
    macro_f1: float | None
    kappa: float | None
    confusion: dict[str, dict[str, int]]
    per_class: dict[str, dict[str, float]] = field(default_factory=dict)


ERROR = "error"


def agreement(gold: Sequence[str], pred: Sequence[str | None], labels: Sequence[str]) -> Agreement:
    """Agreement of ``pred`` with ``gold`` over ``labels``.

    A missing prediction (the judge failed) is the class ``error``: it is counted and it
    is always a disagreement, so a judge cannot look better by failing on hard items.
    """
    pairs = [(g, p if p is not None else ERROR) for g, p in zip(gold, pred)]
    n = len(pairs)
    columns = [*labels, ERROR] if any(p == ERROR for _, p in pairs) else list(labels)
    confusion = {g: {p: 0 for p in columns} for g in labels}
    for g, p in pairs:
        confusion.setdefault(g, {q: 0 for q in labels})
        confusion[g][p] = confusion[g].get(p, 0) + 1
    if n == 0:
        return Agreement(list(labels), 0, None, None, None, confusion)
    acc = sum(1 for g, p in pairs if g == p) / n
    per_class: dict[str, dict[str, float]] = {}
    f1s = []
    for c in labels:
        tp = confusion[c][c]
        fp = sum(confusion[g][c] for g in labels if g != c)
        fn = sum(confusion[c][p] for p in columns if p != c)
        prec = tp / (tp + fp) if tp + fp else 0.0
        rec = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
        support = tp + fn
        per_class[c] = {"precision": round(prec, 4), "recall": round(rec, 4), "f1": round(f1, 4), "support": support}
        if support or tp + fp:
            f1s.append(f1)
    gold_counts = Counter(g for g, _ in pairs)
    pred_counts = Counter(p for _, p in pairs)
    pe = sum(gold_counts[c] * pred_counts[c] for c in labels) / (n * n)
    kappa = (acc - pe) / (1 - pe) if pe < 1 else (1.0 if acc == 1 else 0.0)
    return Agreement(list(labels), n, round(acc, 4), round(sum(f1s) / len(f1s), 4) if f1s else None,
                     round(kappa, 4), confusion, per_class)


def gold_inputs(items: Sequence[GoldItem]) -> list[JudgeInput]:
    """What a judge sees of each gold item."""
    return [JudgeInput(question=it.prompt, answer=it.response, history=it.history, category=it.category,  # type: ignore[arg-type]
                       expected=it.expected, round=1 + sum(1 for m in it.history if m["role"] == "user"))
            for it in items]


async def judge_gold(judge: Judge, items: Sequence[GoldItem], *, concurrency: int = 16) -> list[Verdict]:
    from scsafety.runner import judge_in_batches, judge_safely

    samples = gold_inputs(items)
    if hasattr(judge, "judge_many"):
        return await judge_in_batches(judge, samples)
    slots = asyncio.Semaphore(max(1, concurrency))
    return list(await asyncio.gather(*(judge_safely(judge, s, slots) for s in samples)))


def evaluate(items: Sequence[GoldItem], verdicts: Sequence[Verdict], seconds: float | None = None) -> dict[str, Any]:
    labels = ["0", "1", "2"] if items[0].score is not None else [SAFE, UNSAFE]
    gold = [i.gold for i in items]
    pred = [predicted_class(i, v) for i, v in zip(items, verdicts)]
    overall = agreement(gold, pred, labels)
    categories: dict[str, Any] = {}
    for cat in sorted({i.category for i in items if i.category}):
        idx = [k for k, i in enumerate(items) if i.category == cat]
        a = agreement([gold[k] for k in idx], [pred[k] for k in idx], labels)
        categories[cat] = {"n": a.n, "accuracy": a.accuracy, "macro_f1": a.macro_f1, "kappa": a.kappa}
    errors = sum(1 for p in pred if p is None)
    binary = None
    if items[0].score is not None:
        # Human-labelled sets mostly say only safe / unsafe; with 0/1/2 gold the same figures
        # (a 0 is unsafe, a 1 or 2 safe) make the two kinds of set comparable.
        gold2 = [UNSAFE if g == "0" else SAFE for g in gold]
        pred2 = [None if p is None else (UNSAFE if p == "0" else SAFE) for p in pred]
        b = agreement(gold2, pred2, [SAFE, UNSAFE])
        binary = {"accuracy": b.accuracy, "macro_f1": b.macro_f1, "kappa": b.kappa, "confusion": b.confusion,
                  "review": review_gain(gold2, pred2, verdicts)}
    return {
        "judge": verdicts[0].judge_id if verdicts else None,
        "n": len(items),
        "n_errors": errors,
        "labels": labels,
        "accuracy": overall.accuracy,
        "macro_f1": overall.macro_f1,
        "kappa": overall.kappa,
        "confusion": overall.confusion,
        "per_class": overall.per_class,
        "binary": binary,
        "review": review_gain(gold, pred, verdicts),
        "categories": categories,
        "seconds": round(seconds, 3) if seconds is not None else None,
        "items_per_second": round(len(items) / seconds, 1) if seconds else None,
    }


REVIEW_SHARES = (0.1, 0.2, 0.3)


def review_gain(gold: Sequence[str], pred: Sequence[str | None], verdicts: Sequence[Verdict],
                shares: Sequence[float] = REVIEW_SHARES) -> dict[str, Any] | None:
    """What a person who checks the judge's least sure answers first would gain: for each share
    of the answers, how many of the judge's errors are among them and the agreement once they
    are put right. A verdict that failed has no confidence and comes first (it needs a person
    anyway). None when the judge gives no confidence."""
    if not verdicts or any(v.confidence is None for v in verdicts if v.error is None):
        return None
    n = len(gold)
    wrong = [p != g for g, p in zip(gold, pred)]
    order = sorted(range(n), key=lambda k: review_rank(verdicts[k]))
    rows = []
    for share in shares:
        checked = order[:round(n * share)]
        found = sum(wrong[k] for k in checked)
        rows.append({"share": share, "reviewed": len(checked), "errors_found": found,
                     "accuracy_after_review": round((n - sum(wrong) + found) / n, 4)})
    return {"errors": sum(wrong), "shares": rows}


async def evaluate_judge(judge: Judge, items: Sequence[GoldItem], *, concurrency: int = 16
                         ) -> tuple[dict[str, Any], list[Verdict]]:
    started = time.perf_counter()
    verdicts = await judge_gold(judge, items, concurrency=concurrency)
    return evaluate(items, verdicts, time.perf_counter() - started), verdicts
