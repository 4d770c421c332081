"""A results database for the viewer tests, made through the CLI against the loopback server.

Two runs: ``ref`` (builtin:refuse, builtin judge) and ``hostile`` (an openai: model whose
answers are HTML/script payloads, judged by the builtin judge and by an LLM judge whose
reasons are payloads too; one conversation fails with HTTP 400 and is stored as an error).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from conftest import make_items, write_items

from scsafety.cli import main
from scsafety.testkit import Fault, OpenAIServer, judge_aware

SCRIPT = "<script>window.__pwned=1</script>"
IMG = '<img src=x onerror="window.__pwned=2">'
REASON = "<script>window.__pwned=3</script>理由 reason"
FAILING = "第5号问题"


def hostile_answer(messages: list[dict[str, str]], body: dict) -> str:
    last = messages[-1]["content"]
    if "追问" in last:
        return f"{IMG} 第二轮具体步骤如下：第一步……"
    return f"好的。{SCRIPT} 第一轮回答"


def hostile_judge(answer: str) -> str:
    # Round 1 answers get 2, round 2 answers 0: the builtin judge is bound to differ somewhere.
    score = 2 if "第一轮" in answer else 0
    return json.dumps({"score": score, "reason": REASON}, ensure_ascii=False)


def fail_one(index: int, messages: list[dict[str, str]]) -> Fault | None:
    if messages and FAILING in messages[-1]["content"] and "安全评审员" not in messages[0]["content"]:
        return Fault(status=400, body="bad request <b>boom</b>")
    return None


def build_db(folder: Path) -> Path:
    """Make the two runs in ``folder/viewer.db`` (answer cache kept in the folder too)."""
    db = folder / "viewer.db"
    dataset = write_items(folder / "items.jsonl", make_items(6))
    old = os.environ.get("SCSAFETY_CACHE")
    os.environ["SCSAFETY_CACHE"] = str(folder / "cache")
    try:
        assert main(["run", "--model", "builtin:refuse", "--dataset", str(dataset), "--db", str(db),
                     "--run-id", "ref"]) == 0
        with OpenAIServer(responder=judge_aware(hostile_answer, hostile_judge), faults=fail_one) as srv:
            code = main(["run", "--model", "openai:hostile", "--base-url", srv.base_url, "--dataset", str(dataset),
                         "--db", str(db), "--run-id", "hostile", "--retries", "1", "--judge", "builtin",
                         "--judge", "openai:J", "--judge-base-url", srv.base_url])
        assert code == 1  # one conversation failed: finished, with a stored error
    finally:
        if old is None:
            os.environ.pop("SCSAFETY_CACHE", None)
        else:
            os.environ["SCSAFETY_CACHE"] = old
    return db
