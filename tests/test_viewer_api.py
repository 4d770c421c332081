"""The viewer's JSON API and defences, without a browser; human verdicts; `judge eval --run`."""

from __future__ import annotations

import http.client
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from conftest import run_cli
from viewer_data import FAILING, IMG, SCRIPT, build_db

from scsafety.errors import BadInput
from scsafety.judges.evaluation import agreement
from scsafety.report import run_report
from scsafety.store import Store, human_judge_id
from scsafety.viewer import create_app
from scsafety.viewer.security import CSP, TOKEN_HEADER, host_allowed
from scsafety.viewer.serve import ViewerThread, bind_warning


@pytest.fixture(scope="module")
def built_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_db(tmp_path_factory.mktemp("viewer"))


@pytest.fixture
def vdb(built_db: Path, tmp_path: Path) -> Path:
    """A private copy: tests that set verdicts do not see each other's."""
    return Path(shutil.copy(built_db, tmp_path / "v.db"))


@pytest.fixture
def viewer(vdb: Path):
    with ViewerThread(vdb) as v:
        yield v


def request(v: ViewerThread, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None,
            raw: bytes | None = None) -> tuple[int, dict[str, str], Any]:
    conn = http.client.HTTPConnection("127.0.0.1", v.port, timeout=10)
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    hdrs = {"Host": f"127.0.0.1:{v.port}", **(headers or {})}
    if data is not None and "Content-Type" not in hdrs:
        hdrs["Content-Type"] = "application/json"
    conn.request(method, path, body=data, headers=hdrs)
    resp = conn.getresponse()
    payload = resp.read()
    conn.close()
    ctype = resp.getheader("Content-Type") or ""
    parsed = json.loads(payload) if "json" in ctype and payload else payload.decode("utf-8", "replace")
    return resp.status, {k.lower(): val for k, val in resp.getheaders()}, parsed


def get(v: ViewerThread, path: str) -> Any:
    status, _, body = request(v, "GET", path)
    assert status == 200, body
    return body


def post_verdict(v: ViewerThread, answer_id: int, body: Any, **headers: str) -> tuple[int, Any]:
    status, _, payload = request(v, "POST", f"/api/answers/{answer_id}/verdict", body,
                                 {TOKEN_HEADER: v.token, **headers})
    return status, payload


def answers(db: Path, run_id: str = "hostile") -> list[Any]:
    with Store(db) as s:
        return s.run_answers(run_id)


# -- runs and conversations ---------------------------------------------------------
def test_runs_and_run_detail(viewer):
    runs = get(viewer, "/api/runs")["runs"]
    assert [r["run_id"] for r in runs] == ["ref", "hostile"]
    ref, hostile = runs
    assert ref["model"] == "builtin:refuse" and ref["judge"].startswith("builtin:")
    with Store(viewer.store_path) as s:
        assert ref["overall"] == run_report(s, "ref")["overall"] and ref["overall"] is not None
    assert hostile["judges"][1] == "openai:J" and hostile["status"] == "done_with_errors"
    assert hostile["n_errors"] == 2 and hostile["human_judges"] == {}
    detail = get(viewer, "/api/runs/hostile")
    assert [c["name"] for c in detail["facets"]["categories"]] == ["traditional_safety", "responsible_ai",
                                                                     "instruction_attack"]
    assert {s["name"] for s in detail["facets"]["subdimensions"]} == {"crime", "mental_health", "goal_hijacking"}
    assert detail["facets"]["rounds"] == [1, 2] and detail["facets"]["judges"] == [*hostile["judges"], "aggregate:majority",
                                                                           "aggregate:mean"]
    assert "违法犯罪" in detail["facets"]["subdimensions"][0]["label"]
    status, _, body = request(viewer, "GET", "/api/runs/nope")
    assert status == 404 and "nope" in body["error"]
    status, _, body = request(viewer, "GET", "/api/nothing")
    assert status == 404 and "error" in body


def test_conversations_carry_rounds_verdicts_and_errors(viewer):
    data = get(viewer, "/api/runs/hostile/conversations")
    builtin = get(viewer, "/api/runs/hostile")["judges"][0]
    assert builtin.startswith("builtin:") and data["total"] == 6 and data["judge"] == builtin
    first = data["conversations"][0]
    assert first["item"]["id"] == "t-000" and len(first["rounds"]) == 2
    r1, r2 = first["rounds"]
    assert SCRIPT in r1["answer"] and IMG in r2["answer"] and "第0号问题" in r1["question"]
    assert set(r1["verdicts"]) == {builtin, "openai:J"}
    assert r1["verdicts"]["openai:J"] == {"score": 2, "reason": "<script>window.__pwned=3</script>理由 reason",
                                          "error": None, "human": False, "confidence": None}
    assert isinstance(r1["answer_id"], int)
    failed = next(c for c in data["conversations"] if FAILING in c["rounds"][0]["question"])
    assert failed["rounds"][0]["answer"] is None and "HTTP 400" in failed["rounds"][0]["error"]
    assert failed["rounds"][0]["verdicts"] == {}


def _ids(v: ViewerThread, query: str) -> list[str]:
    return [c["item"]["id"] for c in get(v, "/api/runs/hostile/conversations?" + query)["conversations"]]


def test_filters(viewer, vdb):
    assert _ids(viewer, "category=responsible_ai") == ["t-001", "t-004"]
    assert _ids(viewer, "subdimension=goal_hijacking") == ["t-002", "t-005"]
    assert len(_ids(viewer, "round=2")) == 6  # the failed item has a (failed) round 2 as well
    # Score filters read the chosen judge: openai:J gave 2 to every round-1 answer, 0 to round 2.
    assert _ids(viewer, "judge=openai:J&score=2&round=1") == ["t-000", "t-001", "t-002", "t-003", "t-004"]
    assert _ids(viewer, "judge=openai:J&score=2&round=2") == []
    assert _ids(viewer, "score=error") == ["t-005"]
    data = get(viewer, "/api/runs/hostile/conversations?judge=openai:J&score=0")
    assert all([r["match"] for r in c["rounds"]] == [False, True] for c in data["conversations"])
    # Disagreement: computed independently from the store.
    with Store(vdb) as s:
        verdicts = s.run_verdicts("hostile")
        expected = sorted({a.item_id for a in s.run_answers("hostile")
                           if len({v.score for v in verdicts.get(a.answer_id, {}).values() if v.score is not None}) > 1})
    assert expected and _ids(viewer, "disagree=1") == expected
    assert _ids(viewer, "q=t-003") == ["t-003"]
    page = get(viewer, "/api/runs/hostile/conversations?offset=2&limit=3")
    assert page["total"] == 6 and [c["item"]["id"] for c in page["conversations"]] == ["t-002", "t-003", "t-004"]
    for bad in ("score=3", "round=x", "limit=0", "limit=100000", "offset=-1"):
        status, _, body = request(viewer, "GET", "/api/runs/hostile/conversations?" + bad)
        assert status == 400 and body["error"], bad


def test_least_sure_first(viewer, vdb):
    builtin = get(viewer, "/api/runs/hostile")["judges"][0]
    # Independently from the store: each item's lowest builtin confidence; an item with no judged answer last.
    with Store(vdb) as s:
        verdicts = s.run_verdicts("hostile")
        lowest: dict[str, float] = {}
        for a in s.run_answers("hostile"):
            v = verdicts.get(a.answer_id, {}).get(builtin)
            if a.error is None and v is not None:
                lowest[a.item_id] = min(lowest.get(a.item_id, 3.0), v.confidence)
        items = [i.id for i in s.run_items("hostile")]
    expected = sorted(items, key=lambda i: lowest.get(i, 3.0))
    assert _ids(viewer, "unsure=1") == expected and expected[-1] == "t-005"
    assert _ids(viewer, "unsure=1") != items  # the order really changed
    # a judge without confidences keeps the item order
    assert _ids(viewer, "unsure=1&judge=openai:J") == _ids(viewer, "judge=openai:J") == items


# -- headers and the page -----------------------------------------------------------
def test_security_headers_everywhere(viewer):
    for path in ("/", "/static/app.js", "/static/app.css", "/api/runs", "/api/nothing", "/static/nope.js"):
        _, headers, _ = request(viewer, "GET", path)
        assert headers["content-security-policy"] == CSP, path
        assert headers["x-content-type-options"] == "nosniff", path
        assert headers["x-frame-options"] == "DENY", path
    assert "unsafe-inline" not in CSP and "unsafe-eval" not in CSP and "default-src 'self'" in CSP
    _, headers, _ = request(viewer, "GET", "/static/app.js")
    assert headers["content-type"].startswith("text/javascript")


def test_page_has_no_inline_script_or_external_asset(viewer):
    page = get(viewer, "/")
    assert f'content="{viewer.token}"' in page and viewer.token
    assert page.count("<script") == 1 and '<script src="/static/app.js" defer></script>' in page
    assert "http" not in page.replace('http-equiv', '')  # no CDN, no external URL
    js = get(viewer, "/static/app.js")
    assert "innerHTML" not in js and "outerHTML" not in js and "insertAdjacentHTML" not in js
    assert "document.write" not in js and "eval(" not in js and "http" not in js


def test_host_header_must_name_this_machine(viewer):
    status, _, body = request(viewer, "GET", "/api/runs", headers={"Host": "evil.example:80"})
    assert status == 421 and "Host" in body["error"]
    assert request(viewer, "GET", "/api/runs", headers={"Host": f"localhost:{viewer.port}"})[0] == 200
    assert host_allowed("[::1]:8787") and host_allowed("192.168.1.5:8787") and not host_allowed("a.b:1")
    assert not host_allowed(None) and host_allowed("myhost:1", extra=["myhost"])


# -- human verdicts -----------------------------------------------------------------
def test_post_needs_token_same_origin_and_json(viewer, vdb):
    aid = answers(vdb)[0].answer_id
    url = f"/api/answers/{aid}/verdict"
    origin = f"http://127.0.0.1:{viewer.port}"
    refused = [
        request(viewer, "POST", url, {"score": 2}),                                          # no token
        request(viewer, "POST", url, {"score": 2}, {TOKEN_HEADER: "wrong"}),                 # wrong token
        request(viewer, "POST", url, {"score": 2}, {TOKEN_HEADER: viewer.token, "Origin": "http://evil.example"}),
        request(viewer, "POST", url, {"score": 2}, {TOKEN_HEADER: viewer.token, "Sec-Fetch-Site": "cross-site"}),
        request(viewer, "POST", url, None, {TOKEN_HEADER: viewer.token, "Content-Type": "text/plain"},
                raw=b'{"score": 2}'),                                                          # a form-like body
        request(viewer, "POST", url, {"score": 2}, {TOKEN_HEADER: viewer.token, "Host": "evil.example"}),
    ]
    assert [r[0] for r in refused] == [403, 403, 403, 403, 403, 421]
    with Store(vdb) as s:
        assert s.human_judges("hostile") == {}
    status, body = post_verdict(viewer, aid, {"score": 2, "reason": " 很好 good "}, Origin=origin,
                                **{"Sec-Fetch-Site": "same-origin"})
    assert status == 200 and body["judge_id"] == "human" and body["verdict"]["score"] == 2
    with Store(vdb) as s:
        v = s.get_verdict(aid, "human")
        assert v is not None and v.score == 2 and v.is_human and v.reason == "很好 good"


def test_post_validation(viewer, vdb):
    rows = answers(vdb)
    ok = rows[0].answer_id
    failed = next(a.answer_id for a in rows if a.error is not None)
    assert post_verdict(viewer, ok, {"score": 3})[0] == 400
    assert post_verdict(viewer, ok, {"score": True})[0] == 400
    assert post_verdict(viewer, ok, {"score": "2"})[0] == 400
    assert post_verdict(viewer, ok, {"score": 1, "rater": "<b>x</b>"})[0] == 400
    assert post_verdict(viewer, ok, {"score": 1, "reason": 5})[0] == 400
    assert post_verdict(viewer, ok, [1])[0] == 400
    assert post_verdict(viewer, failed, {"score": 1})[0] == 400
    assert post_verdict(viewer, 999999, {"score": 1})[0] == 404
    status, _, _ = request(viewer, "POST", f"/api/answers/{ok}/verdict", None, {TOKEN_HEADER: viewer.token},
                           raw=b"{not json")
    assert status == 400
    status, body = post_verdict(viewer, ok, {"score": 0, "rater": "ana"})
    assert status == 200 and body["judge_id"] == "human:ana"
    status, body = post_verdict(viewer, ok, {"score": 1, "rater": "ana"})  # replaces ana's earlier verdict
    with Store(vdb) as s:
        assert s.human_judges("hostile") == {"human:ana": 1} and s.get_verdict(ok, "human:ana").score == 1
    conv = get(viewer, "/api/runs/hostile/conversations?q=t-000")["conversations"][0]
    assert conv["rounds"][0]["verdicts"]["human:ana"]["human"] is True


def test_store_human_verdict_rules(vdb):
    with Store(vdb) as s:
        aid = s.run_answers("ref")[0].answer_id
        with pytest.raises(BadInput):
            s.save_human_verdict(aid, 5, None)
        with pytest.raises(BadInput):
            s.save_human_verdict(aid, 1, "x" * 5000)
        with pytest.raises(BadInput):
            s.save_human_verdict(424242, 1, None)
        v = s.save_human_verdict(aid, 1, "", rater="human:bo")
        assert v.judge_id == "human:bo" and v.reason is None
    assert human_judge_id(None) == human_judge_id("human") == "human" and human_judge_id("bo") == "human:bo"


def test_human_verdicts_never_become_the_primary_judge(vdb, capsys):
    with Store(vdb) as s:
        before = run_report(s, "ref")
        rows = s.run_answers("ref")
        for a in rows[:4]:
            s.save_human_verdict(a.answer_id, 2, "helpful enough")
        after = run_report(s, "ref")
        run = s.get_run("ref")
    assert run is not None and "human" not in run.judges and not run.primary_judge.startswith("human")
    assert after["judge"] == before["judge"] and after["overall"] == before["overall"]
    code, out, err = run_cli(["report", "ref", "--db", str(vdb), "--format", "json", "--judge", "human"], capsys)
    assert code == 0, err
    human = json.loads(out)
    assert human["judge"] == "human" and human["n_scored"] == 4 and human["overall"] == 100.0
    assert human["n_errors"] == 0  # answers nobody scored yet are not verdict errors
    code, out, err = run_cli(["report", "ref", "--db", str(vdb), "--judge", "human:nobody"], capsys)
    assert code == 2 and "human:nobody" in err


# -- judge eval --run ---------------------------------------------------------------
def test_judge_eval_run_against_human_verdicts(vdb, capsys):
    code, out, err = run_cli(["judge", "eval", "--run", "hostile", "--db", str(vdb)], capsys)
    assert code == 2 and len(err.strip().splitlines()) == 1 and "human" in err
    gold_scores = [2, 0, 1, 2, 0, 1, 2]
    with Store(vdb) as s:
        scored = [a for a in s.run_answers("hostile") if a.error is None][:len(gold_scores)]
        for a, g in zip(scored, gold_scores):
            s.save_human_verdict(a.answer_id, g, "人工")
        verdicts = s.run_verdicts("hostile")
    code, out, err = run_cli(["judge", "eval", "--run", "hostile", "--db", str(vdb), "--json"], capsys)
    assert code == 0, err
    results = json.loads(out)
    assert [r["judge"] for r in results][1:] == ["openai:J"] and results[0]["judge"].startswith("builtin:")
    # the stored confidence of the builtin judge's verdicts is there to rank them; the LLM judge has none
    assert results[0]["review"]["shares"][0]["share"] == 0.1 and results[1]["review"] is None
    by_answer = {a.answer_id: g for a, g in zip(scored, gold_scores)}
    for r in results:
        # Independently: the same pairs through agreement().
        ordered = sorted(by_answer, key=lambda aid: [a.answer_id for a in scored].index(aid))
        ag = agreement([str(by_answer[a]) for a in ordered],
                       [str(verdicts[a][r["judge"]].score) for a in ordered], ["0", "1", "2"])
        assert r["n"] == len(gold_scores) and r["run_id"] == "hostile" and r["gold"] == "human"
        assert (r["accuracy"], r["macro_f1"], r["kappa"]) == (ag.accuracy, ag.macro_f1, ag.kappa)
        assert r["confusion"] == ag.confusion and r["labels"] == ["0", "1", "2"]
    code, out, err = run_cli(["judge", "eval", "--run", "hostile", "--db", str(vdb), "--judge", "openai:J",
                              "--json"], capsys)
    assert code == 0 and json.loads(out)["judge"] == "openai:J"
    code, out, err = run_cli(["judge", "eval", "--run", "hostile", "--db", str(vdb)], capsys)
    assert code == 0 and "openai:J" in out and "κ" in out
    # A second rater makes the choice explicit.
    with Store(vdb) as s:
        s.save_human_verdict(scored[0].answer_id, 1, None, rater="bo")
    code, out, err = run_cli(["judge", "eval", "--run", "hostile", "--db", str(vdb)], capsys)
    assert code == 2 and "--human" in err
    code, out, err = run_cli(["judge", "eval", "--run", "hostile", "--db", str(vdb), "--human", "bo", "--json"],
                             capsys)
    assert code == 0 and all(r["n"] == 1 and r["gold"] == "human:bo" for r in json.loads(out))


def test_judge_eval_needs_exactly_one_source(vdb, tmp_path, capsys):
    gold = tmp_path / "g.jsonl"
    gold.write_text('{"prompt": "q", "response": "抱歉，我不能。", "score": 1}\n', encoding="utf-8")
    for args in ([], ["--gold", str(gold), "--run", "hostile"]):
        code, _, err = run_cli(["judge", "eval", "--db", str(vdb), *args], capsys)
        assert code == 2 and "--gold" in err and "--run" in err and len(err.strip().splitlines()) == 1
    code, _, err = run_cli(["judge", "eval", "--run", "nope", "--db", str(vdb)], capsys)
    assert code == 2 and "nope" in err
    code, _, err = run_cli(["judge", "eval", "--run", "hostile", "--db", str(tmp_path / "missing.db")], capsys)
    assert code == 2
    assert run_cli(["judge", "eval", "--gold", str(gold), "--json"], capsys)[0] == 0


# -- the command --------------------------------------------------------------------
def _listening_addresses(port: int) -> set[str]:
    """Local addresses of sockets listening on ``port``, from /proc/net/tcp{,6} (Linux)."""
    out: set[str] = set()
    for name in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(name).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            local, state = line.split()[1], line.split()[3]
            addr, hexport = local.split(":")
            if state == "0A" and int(hexport, 16) == port:
                out.add(addr)
    return out


def test_view_command_binds_loopback_by_default(vdb):
    proc = subprocess.Popen([sys.executable, "-m", "scsafety", "view", "--db", str(vdb), "--port", "0",
                             "--no-browser"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        url = proc.stdout.readline().strip() if proc.stdout else ""
        assert url.startswith("http://127.0.0.1:"), proc.stderr.read() if proc.stderr else ""
        port = int(url.rsplit(":", 1)[1].strip("/"))
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.request("GET", "/api/runs")
        assert conn.getresponse().status == 200
        conn.close()
        if Path("/proc/net/tcp").exists():
            assert _listening_addresses(port) == {"0100007F"}  # 127.0.0.1 only
    finally:
        proc.terminate()
        proc.wait(10)


def test_view_command_bad_input(tmp_path, capsys):
    code, _, err = run_cli(["view", "--db", str(tmp_path / "none.db"), "--no-browser"], capsys)
    assert code == 2 and len(err.strip().splitlines()) == 1
    assert run_cli(["view", "--port", "70000", "--no-browser"], capsys)[0] == 2
    with pytest.raises(BadInput):
        create_app(tmp_path / "none.db")
    assert bind_warning("127.0.0.1") is None and bind_warning("::1") is None and bind_warning("localhost") is None
    warning = bind_warning("0.0.0.0")
    assert warning and "0.0.0.0" in warning and "Warning" in warning


def test_view_port_in_use_is_bad_input(vdb, capsys):
    with ViewerThread(vdb) as v:
        started = time.perf_counter()
        code, _, err = run_cli(["view", "--db", str(vdb), "--port", str(v.port), "--no-browser"], capsys)
        assert code == 2 and str(v.port) in err and time.perf_counter() - started < 10


def test_aggregate_primary_is_derived_in_the_viewer_and_in_judge_eval(vdb, capsys):
    assert run_cli(["judge", "hostile", "--aggregate", "majority", "--db", str(vdb)], capsys)[0] == 0
    with Store(vdb) as s:
        builtin = s.require_run("hostile").judges[0]
        verdicts = s.run_verdicts("hostile")
        # Two judges: the majority is their common score, or the lower one on a tie.
        majority = {(a.item_id, a.round): min(verdicts[a.answer_id][builtin].score, verdicts[a.answer_id]["openai:J"].score)
                    for a in s.run_answers("hostile") if a.error is None}
    with ViewerThread(vdb) as v:
        detail = get(v, "/api/runs/hostile")
        assert detail["judge"] == "aggregate:majority" and "aggregate:majority" in detail["facets"]["judges"]
        data = get(v, "/api/runs/hostile/conversations?q=t-000")
        assert data["judge"] == "aggregate:majority"
        r1, r2 = data["conversations"][0]["rounds"]
        agg = r1["verdicts"]["aggregate:majority"]
        assert agg["score"] == majority[("t-000", 1)] and agg["derived"] and builtin in agg["reason"]
        assert r2["verdicts"]["aggregate:majority"]["score"] == majority[("t-000", 2)]
        for score in ("0", "1", "2"):
            expected = sorted(i for (i, rnd), m in majority.items() if rnd == 1 and str(m) == score)
            assert _ids(v, f"score={score}&round=1") == expected
        status, _, body = request(v, "GET", "/api/runs/hostile/conversations?judge=aggregate:nope&score=1")
        assert status == 400 and "aggregate" in body["error"]
    with Store(vdb) as s:
        first = [a for a in s.run_answers("hostile") if a.error is None][:2]
        s.save_human_verdict(first[0].answer_id, 1, None)
        s.save_human_verdict(first[1].answer_id, 0, None)
    code, out, err = run_cli(["judge", "eval", "--run", "hostile", "--db", str(vdb), "--json"], capsys)
    assert code == 0, err
    results = {r["judge"]: r for r in json.loads(out)}
    assert set(results) == {builtin, "openai:J", "aggregate:majority"}
    assert results["aggregate:majority"]["n"] == 2
