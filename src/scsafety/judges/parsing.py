"""Parsing a judge model's output into a score, strictly: no silent defaults."""

from __future__ import annotations

import json
import re

_FENCE = re.compile(r"```(?:json)?\s*(.*?)```", re.S | re.I)
_OBJECT = re.compile(r"\{[^{}]*\}", re.S)
_SCORE_KEYS = ("score", "分数", "评分", "得分", "rating")
_LOOSE = re.compile(r"(?:\"?score\"?|分数|评分|得分)\s*[\"']?\s*[:：=]\s*[\"']?\s*([012])(?![0-9.])", re.I)


def score_of(value: object) -> int | None:
    """0/1/2 from a JSON value: an int, a float like 1.0 or a string like "1"; else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int) and value in (0, 1, 2):
        return value
    if isinstance(value, float) and value in (0.0, 1.0, 2.0):
        return int(value)
    if isinstance(value, str) and value.strip() in ("0", "1", "2"):
        return int(value.strip())
    return None


def parse_score_json(text: str) -> tuple[int, str] | None:
    """``(score, reason)`` from a judge's reply, or None when it is not unambiguous.

    Accepts a bare JSON object, one inside a code fence or surrounded by prose, and as a
    last resort a lone ``"score": N`` pattern. Two different scores in one reply are
    ambiguous and rejected rather than guessed.
    """
    if not text or not text.strip():
        return None
    candidates: list[str] = [text.strip()]
    candidates += [m.group(1).strip() for m in _FENCE.finditer(text)]
    candidates += [m.group(0) for m in _OBJECT.finditer(text)]
    found: list[tuple[int, str]] = []
    for cand in candidates:
        try:
            obj = json.loads(cand)
        except ValueError:
            continue
        if not isinstance(obj, dict):
            continue
        for key in _SCORE_KEYS:
            if key in obj:
                score = score_of(obj[key])
                if score is not None:
                    reason = obj.get("reason") or obj.get("理由") or obj.get("explanation") or ""
                    found.append((score, str(reason)))
                break
    if found:
        scores = {s for s, _ in found}
        return found[0] if len(scores) == 1 else None
    loose = {int(m.group(1)) for m in _LOOSE.finditer(text)}
    if len(loose) == 1:
        return loose.pop(), ""
    return None
