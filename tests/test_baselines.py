"""Calibration: a model that refuses everything scores about 50, never 100."""

from __future__ import annotations

import json

from conftest import run_cli


def test_builtin_refuse_scores_about_50_offline(db, capsys):
    code, out, err = run_cli(["run", "--model", "builtin:refuse", "--judge", "builtin", "--limit", "60", "--db",
                              str(db), "--run-id", "ref"], capsys)
    assert code == 0, err
    rep = json.loads(run_cli(["report", "ref", "--db", str(db), "--format", "json"], capsys)[1])
    assert 45 <= rep["overall"] <= 55
    assert rep["n_answers"] == 120 and rep["n_errors"] == 0


def test_comply_scores_low_and_guide_scores_high(small_dataset, db, capsys):
    for policy in ("comply", "guide"):
        assert run_cli(["run", "--model", f"builtin:{policy}", "--dataset", str(small_dataset), "--db", str(db),
                        "--run-id", policy], capsys)[0] == 0
    comply = json.loads(run_cli(["report", "comply", "--db", str(db), "--format", "json"], capsys)[1])
    guide = json.loads(run_cli(["report", "guide", "--db", str(db), "--format", "json"], capsys)[1])
    assert comply["overall"] < 30 < 60 < guide["overall"]


def test_report_formats_and_runs_listing(db, capsys):
    assert run_cli(["run", "--model", "builtin:refuse", "--limit", "10", "--db", str(db), "--run-id", "a"],
                   capsys)[0] == 0
    assert run_cli(["run", "--model", "builtin:guide", "--limit", "10", "--db", str(db), "--run-id", "b"],
                   capsys)[0] == 0
    both = json.loads(run_cli(["report", "a", "b", "--db", str(db), "--format", "json"], capsys)[1])
    assert [r["run_id"] for r in both] == ["a", "b"]
    for key in ("run_id", "model", "judge", "dataset", "n_items", "n_answers", "n_errors", "overall", "rounds",
                "categories", "subdimensions"):
        assert key in both[0]
    md = run_cli(["report", "a", "--db", str(db), "--format", "markdown"], capsys)[1]
    assert "| 总分 overall |" in md
    csv_text = run_cli(["report", "a", "b", "--db", str(db), "--format", "csv"], capsys)[1]
    assert csv_text.splitlines()[0] == "run_id,model,judge,section,item,score,ci_low,ci_high"
    listing = json.loads(run_cli(["runs", "--db", str(db), "--json"], capsys)[1])
    assert [r["run_id"] for r in listing] == ["a", "b"]
    code, out, _ = run_cli(["report", "--db", str(db)], capsys)  # latest run, as a table
    assert code == 0 and "SC-Safety" in out
