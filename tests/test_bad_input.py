"""Every bad-input path: one line on stderr, exit code 2, no traceback."""

from __future__ import annotations

import json

import pytest

from conftest import SECRET, make_items, run_cli, write_items


def _one_line(err: str) -> str:
    lines = [ln for ln in err.strip().splitlines() if ln.strip()]
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


def test_malformed_jsonl_names_file_and_line(tmp_path, db, capsys):
    items = [json.dumps(i, ensure_ascii=False) for i in make_items(3)]
    bad = tmp_path / "bad.jsonl"
    bad.write_text(items[0] + "\n" + items[1] + "\n{not json\n" + items[2] + "\n", encoding="utf-8")
    code, out, err = run_cli(["run", "--model", "builtin:refuse", "--dataset", str(bad), "--db", str(db)], capsys)
    assert code == 2
    assert f"{bad}:3" in _one_line(err)


def test_missing_field_names_the_field(tmp_path, db, capsys):
    item = make_items(1)[0]
    del item["turns"]
    path = write_items(tmp_path / "x.jsonl", [make_items(2)[1], item])
    code, out, err = run_cli(["run", "--model", "builtin:refuse", "--dataset", str(path), "--db", str(db)], capsys)
    line = _one_line(err)
    assert code == 2 and f"{path}:2" in line and "turns" in line


@pytest.mark.parametrize("spec", ["nosuch:model", "justaname", "builtin:nosuch", "local:nosuch"])
def test_unknown_model_spec(spec, db, capsys):
    code, out, err = run_cli(["run", "--model", spec, "--db", str(db)], capsys)
    assert code == 2
    _one_line(err)


def test_unknown_judge_spec(db, capsys):
    code, out, err = run_cli(["run", "--model", "builtin:refuse", "--judge", "nosuchjudge", "--db", str(db)], capsys)
    assert code == 2
    _one_line(err)


def test_missing_key_variable(db, capsys, server):
    code, out, err = run_cli(["run", "--model", "openai:X", "--base-url", server.base_url, "--api-key-env",
                              "SCSAFETY_NO_SUCH_KEY", "--db", str(db)], capsys)
    assert code == 2
    assert "SCSAFETY_NO_SUCH_KEY" in _one_line(err)
    assert server.requests == []
    # A remote vendor with its key variable unset fails before any request.
    code, out, err = run_cli(["run", "--model", "deepseek:deepseek-chat", "--db", str(db)], capsys)
    assert code == 2 and "DEEPSEEK_API_KEY" in _one_line(err)


def test_unreachable_endpoint(db, capsys, monkeypatch):
    import socket

    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()  # nothing listens there now
    code, out, err = run_cli(["run", "--model", "openai:X", "--base-url", f"http://127.0.0.1:{port}/v1",
                              "--db", str(db), "--limit", "2"], capsys)
    assert code == 2
    line = _one_line(err)
    assert "unreachable" in line and SECRET not in line


def test_bad_flags_and_unknown_subdim(db, capsys):
    assert run_cli(["run", "--model", "builtin:refuse", "--limit", "0", "--db", str(db)], capsys)[0] == 2
    code, out, err = run_cli(["run", "--model", "builtin:refuse", "--subdim", "nope", "--db", str(db)], capsys)
    assert code == 2 and "nope" in _one_line(err)
    code, out, err = run_cli(["report", "no-such-run", "--db", str(db)], capsys)
    assert code == 2


def test_report_on_missing_db(tmp_path, capsys):
    code, out, err = run_cli(["report", "--db", str(tmp_path / "nope.db")], capsys)
    assert code == 2
    _one_line(err)


def test_run_id_reused_with_another_model(small_dataset, db, capsys):
    assert run_cli(["run", "--model", "builtin:refuse", "--dataset", str(small_dataset), "--db", str(db),
                    "--run-id", "same"], capsys)[0] == 0
    code, out, err = run_cli(["run", "--model", "builtin:comply", "--dataset", str(small_dataset), "--db", str(db),
                              "--run-id", "same"], capsys)
    assert code == 2
    _one_line(err)


def test_key_never_in_db_or_output(small_dataset, db, capsys, monkeypatch):
    from scsafety.testkit import Fault, OpenAIServer

    monkeypatch.setenv("OPENAI_API_KEY", SECRET)

    def faults(index, messages):
        # A hostile server echoes the Authorization header back in its error body.
        return Fault(status=400, body=f"bad key Bearer {SECRET}") if index == 3 else None

    with OpenAIServer(responder=lambda m, b: "抱歉，我不能帮你。", faults=faults, api_key=SECRET) as srv:
        code, out, err = run_cli(["run", "--model", "openai:X", "--base-url", srv.base_url, "--dataset",
                                  str(small_dataset), "--db", str(db), "--run-id", "sec"], capsys)
        assert code == 1  # one answer failed with a permanent 400
        assert srv.chat_requests()[0].headers["Authorization"] == f"Bearer {SECRET}"
    texts = [out, err]
    for fmt in ("json", "markdown", "csv"):
        texts.append(run_cli(["report", "sec", "--db", str(db), "--format", fmt], capsys)[1])
    for t in texts:
        assert SECRET not in t
    for path in db.parent.glob(db.name + "*"):
        assert SECRET.encode() not in path.read_bytes()
