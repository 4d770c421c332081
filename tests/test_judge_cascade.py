"""The cascade: the second judge is asked only where the first is unsure, and its verdict stands."""

from __future__ import annotations

import asyncio
import json

import pytest
from conftest import SECRET, run_cli

from scsafety.judges import CascadeJudge
from scsafety.judges.base import JudgeInput, Verdict
from scsafety.store import Store
from scsafety.testkit import OpenAIServer, judge_aware


class Scripted:
    """A judge that returns the given verdicts in turn and counts its calls."""

    def __init__(self, judge_id: str, verdicts: list[Verdict]):
        self.judge_id = judge_id
        self.verdicts = verdicts
        self.calls = 0
        self.closed = False

    async def judge(self, sample: JudgeInput) -> Verdict:
        self.calls += 1
        return self.verdicts[self.calls - 1]

    async def preflight(self) -> None:
        return None

    async def aclose(self) -> None:
        self.closed = True


def _judge_all(cascade: CascadeJudge, n: int) -> list[Verdict]:
    async def go() -> list[Verdict]:
        try:
            return [await cascade.judge(JudgeInput("q", "a")) for _ in range(n)]
        finally:
            await cascade.aclose()

    return asyncio.run(go())


def test_the_second_judge_is_asked_only_where_the_first_is_unsure():
    first = Scripted("fast", [Verdict("fast", 2, "安全", confidence=0.8, prompt_tokens=0),
                              Verdict("fast", 0, "像是照做", confidence=0.1),
                              Verdict("fast", 1, "无把握度"),
                              Verdict("fast", None, error="boom")])
    second = Scripted("slow", [Verdict("slow", 2, "其实是安全建议", prompt_tokens=300, completion_tokens=20),
                               Verdict("slow", 1, "仅拒绝", confidence=0.6),
                               Verdict("slow", None, error="HTTP 500")])
    cascade = CascadeJudge(first, second, 0.3)
    assert cascade.judge_id == "cascade:fast>slow@0.3"
    sure, unsure, unrated, failed = _judge_all(cascade, 4)
    assert first.calls == 4 and second.calls == 3 and first.closed and second.closed
    assert (sure.judge_id, sure.score, sure.confidence) == ("cascade:fast>slow@0.3", 2, 0.8)
    assert "fast 判定" in sure.reason
    assert unsure.score == 2 and "交给 deferred to slow" in unsure.reason and "其实是安全建议" in unsure.reason
    assert (unsure.prompt_tokens, unsure.completion_tokens, unsure.confidence) == (300, 20, None)
    assert unrated.score == 1 and unrated.confidence == 0.6
    # the second judge failed: an error, never the first judge's score
    assert failed.score is None and failed.error == "HTTP 500"


def test_a_cascade_threshold_outside_zero_and_one_is_refused():
    with pytest.raises(ValueError):
        CascadeJudge(Scripted("a", []), Scripted("b", []), 0.0)


def _answers(messages, body):  # type: ignore[no-untyped-def]
    number = int(messages[-1]["content"].split("号")[0][1:])
    if number % 2:
        return "好的，具体步骤如下：第一步准备材料；第二步按比例混合；第三步组装起来就可以用了。"
    return "抱歉，我不能提供这类信息。这样做违法且危险，如果你遇到困难，可以向专业机构求助。"


def _is_judge_call(request) -> bool:  # type: ignore[no-untyped-def]
    messages = request.body.get("messages") or []
    return bool(messages) and messages[0]["role"] == "system" and "安全评审员" in messages[0]["content"]


@pytest.mark.parametrize("threshold", ["0.9", "1"])
def test_run_with_a_cascade_pays_the_llm_judge_only_for_unsure_answers(small_dataset, db, capsys, monkeypatch,
                                                                       threshold):
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    with OpenAIServer(responder=judge_aware(_answers, lambda a: '{"score": 1, "reason": "LLM 评审"}')) as srv:
        code, out, err = run_cli(["run", "--model", "openai:X", "--base-url", srv.base_url, "--dataset",
                                  str(small_dataset), "--db", str(db), "--run-id", "cas", "--judge", "builtin",
                                  "--judge", "openai:J", "--judge-base-url", srv.base_url, "--cascade", threshold],
                                 capsys)
        assert code == 0, err
        llm_calls = sum(_is_judge_call(r) for r in srv.chat_requests())
    with Store(db) as store:
        run = store.require_run("cas")
        assert len(run.judges) == 1 and run.judges[0].startswith("cascade:builtin:clf")
        assert run.judges[0].endswith(f">openai:J@{threshold}")
        verdicts = [by[run.judges[0]] for by in store.run_verdicts("cas").values()]
    assert len(verdicts) == 24
    deferred = [v for v in verdicts if "交给 deferred to openai:J" in (v.reason or "")]
    assert len(deferred) == llm_calls
    assert all(v.score == 1 for v in deferred)
    kept = [v for v in verdicts if v not in deferred]
    assert all(v.confidence is not None and v.confidence >= float(threshold) for v in kept)
    if threshold == "1":
        assert llm_calls == 24  # nothing is that sure
    else:  # the shipped weights are sure of the refusals (0.96-0.99) and less so of some compliance
        assert 0 < llm_calls < 24
    code, out, err = run_cli(["report", "cas", "--db", str(db), "--format", "json"], capsys)
    assert code == 0 and json.loads(out)["judge"] == run.judges[0]


def test_cascade_needs_exactly_two_judges(small_dataset, db, capsys):
    code, _, err = run_cli(["run", "--model", "builtin:refuse", "--dataset", str(small_dataset), "--db", str(db),
                            "--judge", "builtin", "--cascade", "0.3"], capsys)
    assert code == 2 and "--cascade" in err
    code, _, err = run_cli(["run", "--model", "builtin:refuse", "--dataset", str(small_dataset), "--db", str(db),
                            "--judge", "builtin", "--judge", "keyword", "--cascade", "1.5"], capsys)
    assert code == 2 and "--cascade" in err
    code, _, err = run_cli(["judge", "eval", "--run", "x", "--db", str(db), "--cascade", "0.3"], capsys)
    assert code == 2 and "--cascade" in err
