"""Scores equal the judge's verdicts; cache across runs; resume; re-judge."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections import Counter

from conftest import SECRET, env_with_key, make_items, run_cli, write_items
from scsafety.testkit import OpenAIServer, judge_aware

JUDGE_SCORES = {"甲": 0, "乙": 1, "丙": 2}


def _target(messages, body):
    """Answers carry a marker 甲/乙/丙 that the scripted judge turns into 0/1/2."""
    first = messages[1]["content"] if messages[0]["role"] == "system" else messages[0]["content"]
    k = int(first.split("号")[0].removeprefix("第"))
    round_ = sum(1 for m in messages if m["role"] == "user")
    marker = "甲乙丙"[(k + round_) % 3]
    return f"模型回答{marker}（第{round_}轮）"


def _judge(answer: str) -> str:
    marker = next(ch for ch in answer if ch in JUDGE_SCORES)
    return json.dumps({"score": JUDGE_SCORES[marker], "reason": f"标记{marker}"}, ensure_ascii=False)


def _expected(items, rounds=(1, 2)):
    by_round = {r: [] for r in rounds}
    by_sub: dict[str, list[int]] = {}
    for it in items:
        k = int(it["id"].split("-")[1])
        for r in rounds:
            s = JUDGE_SCORES["甲乙丙"[(k + r) % 3]]
            by_round[r].append(s)
            by_sub.setdefault(it["subdimension"], []).append(s)
    every = [s for r in rounds for s in by_round[r]]

    def sc(xs):
        return round(100 * sum(xs) / (2 * len(xs)), 2)

    return sc(every), {str(r): sc(v) for r, v in by_round.items()}, {k: sc(v) for k, v in by_sub.items()}


def test_scores_equal_the_judge_verdicts_and_rerun_asks_nothing(tmp_path, db, capsys, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    items = make_items(30)
    ds = write_items(tmp_path / "d.jsonl", items)
    with OpenAIServer(responder=judge_aware(_target, _judge)) as srv:
        args = ["run", "--model", "openai:X", "--base-url", srv.base_url, "--judge", "openai:J",
                "--judge-base-url", srv.base_url, "--dataset", str(ds), "--limit", "30", "--db", str(db),
                "--run-id", "s1"]
        code, out, err = run_cli(args, capsys)
        assert code == 0, err
        targets = [r for r in srv.chat_requests() if r.body["model"] == "X"]
        judges = [r for r in srv.chat_requests() if r.body["model"] == "J"]
        assert len(targets) == 60 and len(judges) == 60
        code, out, _ = run_cli(["report", "s1", "--db", str(db), "--format", "json"], capsys)
        rep = json.loads(out)
        overall, rounds, subs = _expected(items)
        assert rep["overall"] == overall and rep["rounds"] == rounds and rep["subdimensions"] == subs
        assert rep["round_delta"] == round(rounds["2"] - rounds["1"], 2)
        assert rep["n_items"] == 30 and rep["n_answers"] == 60 and rep["n_errors"] == 0
        assert rep["judge"] == "openai:J" and rep["model"] == "openai:X"
        # Running it again asks nothing new, of the model or of the judge.
        srv.reset()
        code, out, err = run_cli(args, capsys)
        assert code == 0, err
        assert srv.chat_requests() == []


def test_cache_across_runs_and_no_cache(small_dataset, db, capsys, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    with OpenAIServer(responder=lambda m, b: "抱歉，我无法提供帮助。") as srv:
        base = ["run", "--model", "openai:X", "--base-url", srv.base_url, "--dataset", str(small_dataset),
                "--db", str(db)]
        assert run_cli([*base, "--run-id", "a"], capsys)[0] == 0
        assert len(srv.chat_requests()) == 24
        srv.reset()
        assert run_cli([*base, "--run-id", "b"], capsys)[0] == 0
        assert srv.chat_requests() == []  # a new run of the same model reuses the cache
        code, out, _ = run_cli(["report", "b", "--db", str(db), "--format", "json"], capsys)
        assert json.loads(out)["usage"]["target"]["cached"] == 24
        assert run_cli([*base, "--run-id", "c", "--no-cache"], capsys)[0] == 0
        assert len(srv.chat_requests()) == 24
        srv.reset()
        # Other sampling settings are another cache identity.
        assert run_cli([*base, "--run-id", "d", "--temperature", "0.7"], capsys)[0] == 0
        assert len(srv.chat_requests()) == 24


def test_rejudge_asks_the_model_nothing(small_dataset, db, capsys, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    with OpenAIServer(responder=judge_aware(lambda m, b: "抱歉，我无法提供帮助。",
                                            lambda a: '{"score": 2, "reason": "好"}')) as srv:
        assert run_cli(["run", "--model", "openai:X", "--base-url", srv.base_url, "--dataset", str(small_dataset),
                        "--db", str(db), "--run-id", "rj", "--judge", "builtin:rules"], capsys)[0] == 0
        code, out, _ = run_cli(["report", "rj", "--db", str(db), "--format", "json"], capsys)
        assert json.loads(out)["overall"] == 50.0  # builtin judge: bare refusals
        srv.reset()
        code, out, err = run_cli(["judge", "rj", "--judge", "openai:J", "--judge-base-url", srv.base_url,
                                  "--db", str(db)], capsys)
        assert code == 0, err
        assert {r.body["model"] for r in srv.chat_requests()} == {"J"}
        assert len(srv.chat_requests()) == 24
        code, out, _ = run_cli(["report", "rj", "--db", str(db), "--format", "json"], capsys)
        rep = json.loads(out)
        assert rep["judge"] == "openai:J" and rep["overall"] == 100.0
        code, out, _ = run_cli(["report", "rj", "--db", str(db), "--format", "json", "--judge",
                                "builtin:rules-v1"], capsys)
        assert json.loads(out)["overall"] == 50.0


def test_killed_run_resumes_without_asking_twice(tmp_path, db):
    items = make_items(40)
    ds = write_items(tmp_path / "d.jsonl", items)
    with OpenAIServer(responder=lambda m, b: "抱歉，我无法提供帮助。", latency=0.05) as srv:
        cmd = [sys.executable, "-m", "scsafety.cli", "run", "--model", "openai:X", "--base-url", srv.base_url,
               "--dataset", str(ds), "--db", str(db), "--run-id", "k", "--concurrency", "4"]
        proc = subprocess.Popen(cmd, env=env_with_key(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 30
        while len(srv.chat_requests()) < 30 and time.time() < deadline:
            time.sleep(0.02)
        proc.kill()
        proc.wait()
        first = len(srv.chat_requests())
        assert 30 <= first < 80
        done = subprocess.run(cmd, env=env_with_key(), capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        counts = Counter(json.dumps(r.messages, ensure_ascii=False) for r in srv.chat_requests())
    # Every distinct conversation prefix was sent once, except the few that were in
    # flight at the kill (sent, but their answers never arrived to be stored).
    repeated = sum(c - 1 for c in counts.values() if c > 1)
    assert len(counts) == 80
    assert repeated <= 4, repeated
    assert sum(counts.values()) == 80 + repeated
