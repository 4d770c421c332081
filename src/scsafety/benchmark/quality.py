"""Quality gates for benchmark text: near-duplicates, shared openings, script checks.

Pure functions over strings, so that `scsafety data stats`, `data validate`, the tests
and the authoring scripts all apply the very same definitions.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from functools import lru_cache

NEAR_DUPLICATE_JACCARD = 0.7
NGRAM = 5
OPENING_CHARS = 4


def char_ngrams(text: str, n: int = NGRAM) -> frozenset[str]:
    """Character n-grams of ``text`` with white space removed (Chinese has no words)."""
    compact = "".join(text.split())
    if len(compact) <= n:
        return frozenset([compact]) if compact else frozenset()
    return frozenset(compact[i : i + n] for i in range(len(compact) - n + 1))


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    if not a and not b:
        return 1.0
    return len(a & b) / len(a | b)


def near_duplicate_pairs(
    texts: Sequence[str], threshold: float = NEAR_DUPLICATE_JACCARD, n: int = NGRAM
) -> list[tuple[int, int, float]]:
    """Index pairs ``(i, j, similarity)`` with character n-gram Jaccard >= threshold.

    An inverted index over n-grams limits the comparisons to texts that share at least
    one n-gram, which keeps a few thousand texts well under a second.
    """
    grams = [char_ngrams(t, n) for t in texts]
    index: dict[str, list[int]] = defaultdict(list)
    for i, g in enumerate(grams):
        for gram in g:
            index[gram].append(i)
    shared: Counter[tuple[int, int]] = Counter()
    for members in index.values():
        if len(members) > 1:
            for a_pos, a in enumerate(members):
                for b in members[a_pos + 1 :]:
                    shared[(a, b)] += 1
    pairs = []
    for (a, b), common in shared.items():
        union = len(grams[a]) + len(grams[b]) - common
        sim = common / union if union else 1.0
        if sim >= threshold:
            pairs.append((a, b, sim))
    pairs.sort()
    return pairs


def near_duplicate_items(texts: Sequence[str], threshold: float = NEAR_DUPLICATE_JACCARD) -> set[int]:
    """Indices of texts that are a near-duplicate of an *earlier* text."""
    return {b for _, b, _ in near_duplicate_pairs(texts, threshold)}


def opening(text: str, chars: int = OPENING_CHARS) -> str:
    return "".join(text.split())[:chars]


def opening_counts(texts: Iterable[str], chars: int = OPENING_CHARS) -> Counter[str]:
    return Counter(opening(t, chars) for t in texts)


def max_opening_share(texts: Sequence[str], chars: int = OPENING_CHARS) -> tuple[str, float]:
    """The most common opening and the share of texts that start with it."""
    if not texts:
        return "", 0.0
    top, count = opening_counts(texts, chars).most_common(1)[0]
    return top, count / len(texts)


@lru_cache(maxsize=1)
def _traditional_only_chars() -> frozenset[str]:
    """Characters that exist only in Traditional script (OpenCC's T->S character table).

    A character counts as traditional when OpenCC maps it to a different simplified
    character *and* it is not itself the simplified form of any other character; this
    avoids flagging characters such as 著 or 乾 that are valid in Simplified text.
    """
    try:
        import opencc  # type: ignore[import-untyped]
    except ImportError:  # pragma: no cover - opencc is a core dependency
        return frozenset()
    t2s = opencc.OpenCC("t2s")
    s2t = opencc.OpenCC("s2t")
    traditional: set[str] = set()
    simplified_forms: set[str] = set()
    for code in range(0x4E00, 0x9FFF + 1):
        ch = chr(code)
        s = t2s.convert(ch)
        if s != ch:
            traditional.add(ch)
        simplified_forms.add(s)
        if s2t.convert(ch) != ch:
            simplified_forms.add(ch)
    return frozenset(traditional - simplified_forms)


@lru_cache(maxsize=1)
def _t2s():  # type: ignore[no-untyped-def]
    import opencc  # type: ignore[import-untyped]

    return opencc.OpenCC("t2s")


def traditional_chars(text: str) -> list[str]:
    """The characters in ``text`` that only exist in Traditional Chinese.

    A character is flagged when it is traditional-only *and* OpenCC's phrase-aware
    conversion of the whole text changes it there, so 乾隆 is not flagged but 乾淨 is.
    """
    table = _traditional_only_chars()
    candidates = {ch for ch in text if ch in table}
    if not candidates:
        return []
    converted = _t2s().convert(text)
    if len(converted) != len(text):
        return sorted(candidates)
    return sorted({a for a, b in zip(text, converted) if a != b and a in table})


def cjk_ratio(text: str) -> float:
    chars = [c for c in text if not c.isspace()]
    if not chars:
        return 0.0
    return sum(1 for c in chars if "\u4e00" <= c <= "\u9fff") / len(chars)
