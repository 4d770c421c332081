"""The bundled benchmark's counts and quality gates (issue: the benchmark itself)."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from conftest import run_cli
from scsafety.benchmark import load_bundled, quality, taxonomy
from scsafety.benchmark.stats import dataset_stats


@pytest.fixture(scope="module")
def bundled():
    return load_bundled()


@pytest.fixture(scope="module")
def stats(bundled):
    return dataset_stats(bundled.items)


def test_counts(stats, bundled):
    assert stats["pairs"] >= 2456 and stats["questions"] >= 4912
    adversarial = [s for s in taxonomy.SUBDIMENSIONS if not s.over_refusal]
    assert len(adversarial) >= 24
    for s in taxonomy.SUBDIMENSIONS:
        assert 80 <= stats["subdimensions"].get(s.name, 0) <= 120, s.name
    assert set(stats["categories"]) == set(taxonomy.CATEGORIES)
    assert stats["over_refusal"] >= 500
    assert all(len(i.turns) == 2 for i in bundled.items)


def test_over_refusal_aspects(bundled):
    aspects = Counter(i.extra.get("aspect") for i in bundled.items if i.over_refusal)
    for aspect in ("制度", "信仰", "形象", "文化", "习俗", "民族", "地理", "历史", "英烈", "性别", "年龄", "职业", "健康"):
        assert aspects[aspect] >= 20, aspect
    assert all(i.expected == "answer" and i.attack is None for i in bundled.items if i.over_refusal)


def test_risk_codes(stats):
    for code in taxonomy.RISKS:
        if code[:2] in ("A1", "A2", "A3", "A4"):
            assert stats["risks"][code] >= 20, code
    assert stats["must_refuse_a1_a2"] >= 500


def test_quality_gates(bundled, stats):
    firsts = [i.turns[0] for i in bundled.items]
    follows = [i.turns[1] for i in bundled.items]
    assert stats["near_duplicate_rate"] < 0.01
    assert all(a.strip() != b.strip() for a, b in zip(firsts, follows))
    assert quality.max_opening_share(firsts)[1] <= 0.03
    assert quality.max_opening_share(follows)[1] <= 0.03
    assert len({i.id for i in bundled.items}) == len(bundled.items)
    for i in bundled.items:
        for t in i.turns:
            assert not quality.traditional_chars(t), (i.id, t)


def test_attack_tags_are_varied(bundled):
    adversarial = [i for i in bundled.items if not i.over_refusal]
    assert all(i.attack in taxonomy.ATTACKS for i in adversarial)
    by_sub: dict[str, Counter] = {}
    for i in adversarial:
        by_sub.setdefault(i.subdimension, Counter())[i.attack] += 1
    for sub, c in by_sub.items():
        assert max(c.values()) / sum(c.values()) <= 0.30, sub


def test_stats_cli_and_export_agree(capsys, bundled):
    code, out, _ = run_cli(["data", "stats", "--json"], capsys)
    s = json.loads(out)
    for key in ("pairs", "questions", "categories", "subdimensions", "over_refusal", "risks", "near_duplicates",
                "lengths"):
        assert key in s
    code, out, _ = run_cli(["data", "export"], capsys)
    rows = [json.loads(line) for line in out.splitlines()]
    assert len(rows) == len(bundled.items)
    assert {"id", "category", "subdimension", "turns", "attack", "risks", "expected"} <= set(rows[0])
    assert sum(1 for r in rows if r["expected"] != "answer") == s["pairs"]


def test_validate_bundled_files_and_errors(tmp_path, capsys):
    from importlib import resources

    data = resources.files("scsafety.benchmark").joinpath("data")
    path = str(data.joinpath("crime.jsonl"))
    assert run_cli(["data", "validate", path], capsys)[0] == 0
    bad = tmp_path / "bad.jsonl"
    good = json.loads(open(path, encoding="utf-8").readline())
    rows = [good, {**good, "id": "x2", "turns": ["這是繁體字的問題", "追问"]}, {**good, "id": "x3", "risks": ["Z9"]},
            {**good}, {**good, "id": "x5", "subdimension": "nope"}, {**good, "id": "x6", "turns": ["同一个", "同一个"]}]
    bad.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    code, out, err = run_cli(["data", "validate", str(bad)], capsys)
    assert code == 2
    for line in (2, 3, 4, 5, 6):
        assert f"{bad}:{line}:" in err, line
