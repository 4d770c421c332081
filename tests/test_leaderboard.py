"""`scsafety leaderboard`: ranking, models.yaml, every format, and escaping (no browser needed)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from conftest import make_items, run_cli, write_items

from scsafety.errors import BadInput
from scsafety.report.leaderboard import (
    ModelMeta,
    leaderboard,
    load_meta,
    parse_meta,
    render_leaderboard_csv,
    render_leaderboard_markdown,
)

JUDGE = "builtin:rules"  # the fast rule judge: these tests are about the table, not the verdicts
JUDGE_ID = "builtin:rules-v1"


@pytest.fixture(scope="module")
def lb_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """refuse-old, guide, refuse-new (same model as refuse-old, started later), comply."""
    from scsafety.cli import main

    folder = tmp_path_factory.mktemp("leaderboard")
    dataset = write_items(folder / "items.jsonl", make_items(6))
    db = folder / "runs.db"
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("SCSAFETY_DB", raising=False)
        mp.setenv("SCSAFETY_CACHE", str(folder / "cache"))
        for run_id, model in (("refuse-old", "refuse"), ("guide", "guide"), ("refuse-new", "refuse"),
                              ("comply", "comply")):
            assert main(["run", "--model", f"builtin:{model}", "--dataset", str(dataset), "--db", str(db),
                         "--run-id", run_id, "--judge", JUDGE, "--no-cache"]) == 0
    return db


def _report(run_id: str, overall: float | None, model: str | None = None, **extra) -> dict:
    return {"run_id": run_id, "model": model or f"m:{run_id}", "judge": "j", "dataset": "d", "n_items": 10,
            "n_answers": 20, "n_errors": 0, "overall": overall, "overall_ci": None if overall is None else
            [overall - 1, overall + 1], "rounds": {"1": overall, "2": overall}, "round_delta": 0.0,
            "categories": {"traditional_safety": overall}, "over_refusal": {"n": 0}, **extra}


# -- ranking (pure) ----------------------------------------------------------------------
def test_ranked_by_overall_ties_share_a_rank_unscored_last():
    rows = leaderboard([_report("a", 70.0), _report("b", None), _report("c", 90.0), _report("d", 70.0),
                        _report("e", 50.0)])
    assert [(r["run_id"], r["rank"]) for r in rows] == [("c", 1), ("a", 2), ("d", 2), ("e", 4), ("b", None)]
    row = rows[0]
    assert row["categories"] == {"traditional_safety": 90.0, "responsible_ai": None, "instruction_attack": None}
    assert row["rounds"] == {"1": 90.0, "2": 90.0} and row["overall_ci"] == [89.0, 91.0]


def test_meta_by_run_id_beats_model_spec_and_names_default_to_the_spec():
    meta = {"m:x": ModelMeta(name="By spec", organisation="Org"), "y": ModelMeta(name="By run id")}
    rows = {r["run_id"]: r for r in leaderboard([_report("x", 1.0), _report("y", 2.0, model="m:x"),
                                                 _report("z", 3.0)], meta)}
    assert rows["x"]["name"] == "By spec" and rows["x"]["organisation"] == "Org"
    assert rows["y"]["name"] == "By run id" and rows["y"]["organisation"] is None
    assert rows["z"]["name"] == "m:z"


@pytest.mark.parametrize("licence, is_open, name", [
    ("open", True, None), ("开源", True, None), ("closed", False, None), ("闭源", False, None),
    ("Proprietary", False, None), ("Apache-2.0", True, "Apache-2.0"), ("Llama 2 Community", True, "Llama 2 Community"),
    (None, None, None)])
def test_licence_says_open_or_closed(licence, is_open, name):
    m = ModelMeta(licence=licence)
    assert m.open is is_open and m.licence_name == name


# -- models.yaml -------------------------------------------------------------------------
def test_parse_meta_fields_aliases_and_wrapper():
    text = ("deepseek:deepseek-chat:\n  name: DeepSeek-V3\n  organization: 深度求索\n  license: MIT\n"
            "  parameters: 671B\nrun-7:\n  params: 7\nempty:\n")
    meta = parse_meta(text, "m.yaml")
    assert meta["deepseek:deepseek-chat"] == ModelMeta("DeepSeek-V3", "深度求索", "MIT", "671B")
    assert meta["run-7"].parameters == "7" and meta["empty"] == ModelMeta()
    assert parse_meta("models:\n  a:\n    name: A\n", "m.yaml") == {"a": ModelMeta(name="A")}
    assert parse_meta("", "m.yaml") == {} and parse_meta("# nothing\n", "m.yaml") == {}


@pytest.mark.parametrize("text, where, words", [
    ("a:\n  name: [x\n", "m.yaml:3", "YAML"),
    ("a:\n  name: A\nb:\n  organisaton: X\n", "m.yaml:3", "organisaton"),
    ("a:\n  name: A\na:\n  name: B\n", "m.yaml:3", "a"),
    ("- a\n- b\n", "m.yaml:1", "top level"),
    ("a: just a string\n", "m.yaml:1", "mapping"),
    ("a:\n  name: [1, 2]\n", "m.yaml:1", "name"),
])
def test_bad_meta_names_file_and_line(text, where, words):
    with pytest.raises(BadInput) as exc:
        parse_meta(text, "m.yaml")
    msg = str(exc.value)
    assert msg.startswith(where + ":") and words in msg and "\n" not in msg


def test_load_meta_default_file_only_when_present(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert load_meta(None) == {}
    (tmp_path / "models.yaml").write_text("x:\n  name: X\n", encoding="utf-8")
    assert load_meta(None) == {"x": ModelMeta(name="X")}
    with pytest.raises(BadInput, match="not found"):
        load_meta(tmp_path / "nope.yaml")
    (tmp_path / "latin1.yaml").write_bytes("x:\n  name: caf\xe9\n".encode("latin-1"))
    with pytest.raises(BadInput, match="UTF-8"):
        load_meta(tmp_path / "latin1.yaml")


# -- renderers ---------------------------------------------------------------------------
HOSTILE = ModelMeta(name='<script>alert(1)</script>|x', organisation="=HYPERLINK(\"http://e\")", licence="closed")


def test_markdown_escapes_html_and_pipes():
    md = render_leaderboard_markdown(leaderboard([_report("a", 80.0)], {"a": HOSTILE}))
    assert "<script>" not in md and "&lt;script&gt;alert(1)&lt;/script&gt;\\|x" in md
    header, _rule, row = md.splitlines()
    assert header.startswith("| 排名 Rank | 模型 Model |") and row.count(" | ") == header.count(" | ")
    assert "80.00 ± 1.00" in row and "闭源 closed" in row


def test_csv_columns_and_formula_guard():
    text = render_leaderboard_csv(leaderboard([_report("a", 80.0)], {"a": HOSTILE}))
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows[0]["organisation"].startswith("'=") and rows[0]["open"] == "closed"
    assert rows[0]["overall"] == "80.0" and rows[0]["overall_ci_low"] == "79.0" and rows[0]["rank"] == "1"


# -- the command -------------------------------------------------------------------------
def test_default_is_the_latest_run_of_each_model(lb_db, capsys):
    code, out, err = run_cli(["leaderboard", "--db", str(lb_db), "--format", "json"], capsys)
    assert code == 0, err
    rows = json.loads(out)
    assert sorted(r["run_id"] for r in rows) == ["comply", "guide", "refuse-new"]
    assert [r["model"] for r in rows] == ["builtin:guide", "builtin:refuse", "builtin:comply"]
    assert [r["rank"] for r in rows] == [1, 2, 3]
    for key in ("rank", "run_id", "model", "name", "organisation", "licence", "open", "parameters", "overall",
                "overall_ci", "categories", "categories_ci", "rounds", "rounds_ci", "round_delta", "round_delta_ci",
                "over_refusal_rate", "judge", "dataset", "n_items", "n_answers", "n_errors"):
        assert key in rows[0], key
    assert set(rows[0]["categories"]) == {"traditional_safety", "responsible_ai", "instruction_attack"}
    assert rows[0]["judge"] == JUDGE_ID


def test_given_runs_meta_file_and_formats(lb_db, tmp_path, capsys):
    meta = tmp_path / "models.yaml"
    meta.write_text("builtin:refuse:\n  name: 全拒答 Refuse-all\n  organisation: scsafety\n  licence: Apache-2.0\n"
                    "refuse-old:\n  name: Old refuse\n", encoding="utf-8")
    base = ["leaderboard", "refuse-old", "guide", "--db", str(lb_db), "--meta", str(meta)]
    rows = json.loads(run_cli([*base, "--format", "json"], capsys)[1])
    assert [r["run_id"] for r in rows] == ["guide", "refuse-old"] and rows[1]["name"] == "Old refuse"
    code, out, _ = run_cli([*base, "--format", "markdown"], capsys)
    assert code == 0 and "| 1 | builtin:guide |" in out and "Old refuse" in out
    code, out, _ = run_cli([*base, "--format", "csv"], capsys)
    assert code == 0 and out.splitlines()[0].startswith("rank,name,model,run_id,organisation,licence,open")
    code, out, _ = run_cli([*base, "--format", "table"], capsys)
    assert code == 0 and "排行榜" in out and "Old" in out
    out_file = tmp_path / "lb.html"
    code, _, _ = run_cli([*base, "--format", "html", "--out", str(out_file)], capsys)
    assert code == 0 and "Content-Security-Policy" in out_file.read_text(encoding="utf-8")


def test_models_yaml_in_the_working_directory_is_read(lb_db, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "models.yaml").write_text("builtin:guide:\n  name: Guide here\n  licence: closed\n", encoding="utf-8")
    rows = json.loads(run_cli(["leaderboard", "--db", str(lb_db), "--format", "json"], capsys)[1])
    assert rows[0]["name"] == "Guide here" and rows[0]["open"] is False


def test_judge_option(lb_db, capsys):
    code, out, _ = run_cli(["leaderboard", "--db", str(lb_db), "--judge", JUDGE_ID, "--format", "json"], capsys)
    assert code == 0 and len(json.loads(out)) == 3
    code, _, err = run_cli(["leaderboard", "--db", str(lb_db), "--judge", "openai:nobody"], capsys)
    assert code == 2 and "openai:nobody" in err and len(err.strip().splitlines()) == 1
    code, _, err = run_cli(["leaderboard", "guide", "--db", str(lb_db), "--judge", "openai:nobody"], capsys)
    assert code == 2 and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize("content, where", [("a:\n  name: [x\n", ":3"), ("a:\n  colour: red\n", ":1")])
def test_bad_meta_file_exits_2_naming_file_and_line(lb_db, tmp_path, capsys, content, where):
    bad = tmp_path / "bad.yaml"
    bad.write_text(content, encoding="utf-8")
    code, _, err = run_cli(["leaderboard", "--db", str(lb_db), "--meta", str(bad)], capsys)
    lines = err.strip().splitlines()
    assert code == 2 and len(lines) == 1 and f"{bad}{where}" in lines[0] and "Traceback" not in err


def test_bad_inputs_exit_2(lb_db, tmp_path, capsys):
    cases = [["leaderboard", "--db", str(tmp_path / "none.db")],
             ["leaderboard", "--db", str(lb_db), "--meta", str(tmp_path / "missing.yaml")],
             ["leaderboard", "nosuch", "--db", str(lb_db)],
             ["leaderboard", "--db", str(lb_db), "--out", str(tmp_path / "x.txt")],  # table cannot go to a file
             ["leaderboard", "--db", str(lb_db), "--format", "pdf"]]
    for args in cases:
        code, _, err = run_cli(args, capsys)
        assert code == 2, args
        assert len(err.strip().splitlines()) == 1 and "Traceback" not in err, (args, err)


def test_empty_db_is_bad_input(tmp_path, capsys):
    from scsafety.store import Store

    Store(tmp_path / "empty.db").close()
    code, _, err = run_cli(["leaderboard", "--db", str(tmp_path / "empty.db")], capsys)
    assert code == 2 and "no runs" in err
