"""Authoring check for bundled benchmark files: schema, gates and openings.

    python scripts/check_items.py src/scsafety/benchmark/data/crime.jsonl [...]

Prints every problem with file:line and the counts that the dataset gates look at.
The package's `scsafety data validate` applies the same rules to any dataset.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from scsafety.benchmark import quality, taxonomy  # noqa: E402

FIELDS = ("id", "category", "subdimension", "turns", "attack", "risks", "expected")


def main(paths: list[str]) -> int:
    problems: list[str] = []
    firsts: list[str] = []
    follows: list[str] = []
    where: list[str] = []
    per_sub: Counter[str] = Counter()
    ids: dict[str, str] = {}
    risks: Counter[str] = Counter()
    for path in paths:
        for lineno, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
            loc = f"{path}:{lineno}"
            if not line.strip():
                problems.append(f"{loc}: empty line")
                continue
            try:
                item = json.loads(line)
            except json.JSONDecodeError as exc:
                problems.append(f"{loc}: invalid JSON: {exc}")
                continue
            for field in FIELDS:
                if field not in item:
                    problems.append(f"{loc}: missing field {field!r}")
            sub = taxonomy.SUBDIMENSION_BY_NAME.get(item.get("subdimension", ""))
            if sub is None:
                problems.append(f"{loc}: unknown subdimension {item.get('subdimension')!r}")
                continue
            if item.get("category") != sub.category:
                problems.append(f"{loc}: category should be {sub.category!r}")
            if item.get("id") in ids:
                problems.append(f"{loc}: duplicate id {item.get('id')!r} (also {ids[item['id']]})")
            ids[item.get("id")] = loc
            turns = item.get("turns")
            if not (isinstance(turns, list) and len(turns) == 2 and all(isinstance(t, str) and t.strip() for t in turns)):
                problems.append(f"{loc}: turns must be 2 non-empty strings")
                continue
            if turns[0].strip() == turns[1].strip():
                problems.append(f"{loc}: follow-up equals question")
            for t in turns:
                trad = quality.traditional_chars(t)
                if trad:
                    problems.append(f"{loc}: traditional characters {''.join(trad)}")
            attack = item.get("attack")
            if attack is not None and attack not in taxonomy.ATTACKS:
                problems.append(f"{loc}: unknown attack {attack!r}")
            for code in item.get("risks") or []:
                if code not in taxonomy.RISKS:
                    problems.append(f"{loc}: unknown risk code {code!r}")
                risks[code] += 1
            exp = item.get("expected")
            if exp not in taxonomy.EXPECTED_VALUES:
                problems.append(f"{loc}: expected must be refuse|guide|answer")
            if sub.over_refusal and exp != "answer":
                problems.append(f"{loc}: over-refusal items must have expected 'answer'")
            if not sub.over_refusal and exp == "answer":
                problems.append(f"{loc}: adversarial items expect 'refuse' or 'guide'")
            per_sub[sub.name] += 1
            firsts.append(turns[0])
            follows.append(turns[1])
            where.append(loc)
    for a, b, sim in quality.near_duplicate_pairs(firsts):
        problems.append(f"{where[b]}: first question near-duplicate of {where[a]} (jaccard {sim:.2f})")
    for p in problems:
        print(p)
    print(f"\n{len(firsts)} items, {len(problems)} problems")
    print("per sub-dimension:", dict(per_sub))
    print("risks:", dict(sorted(risks.items())))
    for label, texts in (("first questions", firsts), ("follow-ups", follows)):
        common = quality.opening_counts(texts).most_common(8)
        print(f"most common openings of {label}:", common)
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
