"""The SQLite results store: the single source of truth for runs, answers and verdicts.

Every answer and verdict is committed as soon as it exists (WAL mode), so a run that is
killed loses at most the calls in flight, and a resumed run asks nothing twice.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from scsafety.benchmark.schema import Item
from scsafety.errors import BadInput, StoreError

SCHEMA_VERSION = 2
DEFAULT_DB = Path("scsafety_runs") / "scsafety.db"
HUMAN = "human"
MAX_HUMAN_REASON = 4000
_RATER_NAME = re.compile(r"^[\w.@-]{1,64}$")


def human_judge_id(rater: str | None = None) -> str:
    """``human`` or ``human:<name>``: the judge id under which a person's verdicts are stored.

    Every human id starts with ``human`` so that it can never be mistaken for (or
    overwrite) a machine judge's verdicts, and a name is a short word so that it reads
    well in a table and cannot smuggle markup into a report.
    """
    name = (rater or "").strip()
    if name.startswith(HUMAN + ":"):
        name = name[len(HUMAN) + 1:]
    if name in ("", HUMAN):
        return HUMAN
    if not _RATER_NAME.match(name):
        raise BadInput(f"评分人名字只能是 1–64 个字母、数字或 ._@- (rater name must be a short word): {name!r}")
    return f"{HUMAN}:{name}"


def is_human_judge(judge_id: str | None) -> bool:
    return judge_id == HUMAN or (judge_id or "").startswith(HUMAN + ":")


def default_db_path() -> Path:
    env = os.environ.get("SCSAFETY_DB")
    return Path(env) if env else DEFAULT_DB


@dataclass(frozen=True)
class RunRecord:
    run_id: str
    created_at: float
    updated_at: float
    model_spec: str
    model_identity: dict[str, Any]
    judges: list[str]
    primary_judge: str | None
    dataset: str
    dataset_digest: str
    config: dict[str, Any]
    status: str


@dataclass(frozen=True)
class AnswerRecord:
    answer_id: int
    run_id: str
    item_id: str
    round: int
    question: str
    messages: list[dict[str, str]]
    content: str | None
    error: str | None
    finish_reason: str | None
    prompt_tokens: int
    completion_tokens: int
    latency_ms: float
    from_cache: bool


@dataclass(frozen=True)
class VerdictRecord:
    answer_id: int
    judge_id: str
    score: int | None
    reason: str | None
    error: str | None
    prompt_tokens: int = 0
    completion_tokens: int = 0
    is_human: bool = False
    confidence: float | None = None


class Store:
    """A connection to one results database. Use as a context manager or call close()."""

    def __init__(self, path: str | Path | None = None, *, create: bool = True):
        self.path = Path(path) if path is not None else default_db_path()
        if not create and not self.path.exists():
            raise BadInput(f"结果库不存在 (results database not found): {self.path}; 先运行 scsafety run")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.conn = sqlite3.connect(self.path, timeout=30.0, isolation_level=None)
        except (OSError, sqlite3.Error) as exc:
            raise BadInput(f"无法打开结果库 (cannot open database) {self.path}: {exc}") from None
        self.conn.row_factory = sqlite3.Row
        try:
            self.conn.execute("PRAGMA journal_mode=WAL")
            self.conn.execute("PRAGMA synchronous=NORMAL")
            self.conn.execute("PRAGMA foreign_keys=ON")
            self._migrate()
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path} 不是有效的 scsafety 结果库 (not a valid database): {exc}") from None

    # -- schema ---------------------------------------------------------------------
    def _migrate(self) -> None:
        self.conn.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        row = self.conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
        version = int(row["value"]) if row else 0
        if version > SCHEMA_VERSION:
            raise StoreError(f"{self.path} 的结构版本 {version} 比本程序新 (newer schema than this scsafety)")
        if version < 1:
            sql = resources.files("scsafety.store").joinpath("schema.sql").read_text(encoding="utf-8")
            self.conn.executescript(sql)
        elif version < 2:  # a database from before verdicts had a confidence: its verdicts keep NULL
            columns = {r["name"] for r in self.conn.execute("PRAGMA table_info(verdicts)")}
            if "confidence" not in columns:  # another process may have just added it
                self.conn.execute("ALTER TABLE verdicts ADD COLUMN confidence REAL")
        if version < SCHEMA_VERSION:
            self.conn.execute("INSERT OR REPLACE INTO meta(key, value) VALUES ('schema_version', ?)",
                              (str(SCHEMA_VERSION),))

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- runs -----------------------------------------------------------------------
    def start_run(self, run_id: str, *, model_spec: str, model_identity: dict[str, Any], judges: list[str],
                  dataset: str, dataset_digest: str, config: dict[str, Any], items: Iterable[Item]) -> bool:
        """Create the run, or reopen it for resuming. Returns True when it already existed.

        Resuming with another model under the same run id would mix two models' answers
        in one score, so it is refused.
        """
        now = time.time()
        existing = self.get_run(run_id)
        if existing is not None:
            if existing.model_identity != model_identity:
                raise BadInput(f"运行 {run_id} 已存在且使用了不同的模型或参数 ({existing.model_spec}); "
                               f"换一个 --run-id (run id exists with another model or settings)")
            merged = list(dict.fromkeys([*existing.judges, *judges]))
            self.conn.execute("UPDATE runs SET updated_at=?, judges=?, primary_judge=?, status='running' "
                              "WHERE run_id=?", (now, json.dumps(merged), judges[0] if judges else
                                                 existing.primary_judge, run_id))
        else:
            self.conn.execute(
                "INSERT INTO runs VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                (run_id, now, now, model_spec, json.dumps(model_identity, ensure_ascii=False, sort_keys=True),
                 json.dumps(judges), judges[0] if judges else None, dataset, dataset_digest,
                 json.dumps(config, ensure_ascii=False), "running"))
        self.conn.execute("BEGIN")
        try:
            start = self.conn.execute("SELECT COALESCE(MAX(position), -1) + 1 FROM items WHERE run_id=?",
                                      (run_id,)).fetchone()[0]
            for offset, item in enumerate(items):
                cur = self.conn.execute(
                    "INSERT OR IGNORE INTO items VALUES (?,?,?,?,?,?,?,?,?,?)",
                    (run_id, item.id, start + offset, item.category, item.subdimension, item.expected,
                     item.attack, json.dumps(list(item.risks)), json.dumps(list(item.turns), ensure_ascii=False),
                     json.dumps(item.extra, ensure_ascii=False)))
                if cur.rowcount:
                    self.conn.execute("INSERT OR IGNORE INTO conversations VALUES (?,?,?,?,?)",
                                      (run_id, item.id, "pending", 0, now))
            self.conn.execute("COMMIT")
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        return existing is not None

    def finish_run(self, run_id: str, status: str) -> None:
        self.conn.execute("UPDATE runs SET status=?, updated_at=? WHERE run_id=?", (status, time.time(), run_id))

    def add_judge(self, run_id: str, judge_id: str, *, primary: bool = True) -> None:
        run = self.require_run(run_id)
        judges = list(dict.fromkeys([*run.judges, judge_id]))
        self.conn.execute("UPDATE runs SET judges=?, primary_judge=?, updated_at=? WHERE run_id=?",
                          (json.dumps(judges), judge_id if primary else run.primary_judge, time.time(), run_id))

    def set_primary_judge(self, run_id: str, judge_id: str) -> None:
        """Make ``judge_id`` the run's default for reports without listing it as a judge:
        used for derived judges (``aggregate:majority``) that have no stored verdicts."""
        self.require_run(run_id)
        self.conn.execute("UPDATE runs SET primary_judge=?, updated_at=? WHERE run_id=?",
                          (judge_id, time.time(), run_id))

    def get_run(self, run_id: str) -> RunRecord | None:
        row = self.conn.execute("SELECT * FROM runs WHERE run_id=?", (run_id,)).fetchone()
        return _run(row) if row else None

    def require_run(self, run_id: str) -> RunRecord:
        run = self.get_run(run_id)
        if run is None:
            raise BadInput(f"没有这个运行 (no such run): {run_id!r}; 用 `scsafety runs` 查看 ({self.path})")
        return run

    def list_runs(self) -> list[RunRecord]:
        return [_run(r) for r in self.conn.execute("SELECT * FROM runs ORDER BY created_at")]

    def latest_run_id(self) -> str | None:
        row = self.conn.execute("SELECT run_id FROM runs ORDER BY updated_at DESC LIMIT 1").fetchone()
        return row["run_id"] if row else None

    # -- items and conversations -----------------------------------------------------
    def run_items(self, run_id: str) -> list[Item]:
        rows = self.conn.execute("SELECT * FROM items WHERE run_id=? ORDER BY position", (run_id,))
        return [Item(id=r["item_id"], category=r["category"], subdimension=r["subdimension"],
                     turns=tuple(json.loads(r["turns"])), attack=r["attack"], risks=tuple(json.loads(r["risks"])),
                     expected=r["expected"], extra=json.loads(r["extra"])) for r in rows]

    def set_conversation(self, run_id: str, item_id: str, status: str, rounds_done: int) -> None:
        self.conn.execute("UPDATE conversations SET status=?, rounds_done=?, updated_at=? WHERE run_id=? AND item_id=?",
                          (status, rounds_done, time.time(), run_id, item_id))

    def conversation_counts(self, run_id: str) -> dict[str, int]:
        rows = self.conn.execute("SELECT status, COUNT(*) n FROM conversations WHERE run_id=? GROUP BY status",
                                 (run_id,))
        return {r["status"]: r["n"] for r in rows}

    # -- answers --------------------------------------------------------------------
    def get_answer(self, run_id: str, item_id: str, round_: int) -> AnswerRecord | None:
        row = self.conn.execute("SELECT * FROM answers WHERE run_id=? AND item_id=? AND round=?",
                                (run_id, item_id, round_)).fetchone()
        return _answer(row) if row else None

    def save_answer(self, run_id: str, item_id: str, round_: int, *, question: str,
                    messages: list[dict[str, str]], cache_key: str, content: str | None, error: str | None,
                    finish_reason: str | None = None, prompt_tokens: int = 0, completion_tokens: int = 0,
                    latency_ms: float = 0.0, attempts: int = 1, from_cache: bool = False) -> int:
        """Insert or replace this round's answer; a replaced answer loses its verdicts."""
        old = self.conn.execute("SELECT answer_id FROM answers WHERE run_id=? AND item_id=? AND round=?",
                                (run_id, item_id, round_)).fetchone()
        if old is not None:
            self.conn.execute("DELETE FROM answers WHERE answer_id=?", (old["answer_id"],))
        cur = self.conn.execute(
            "INSERT INTO answers (run_id, item_id, round, question, messages, cache_key, content, error, "
            "finish_reason, prompt_tokens, completion_tokens, latency_ms, attempts, from_cache, created_at) "
            "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (run_id, item_id, round_, question, json.dumps(messages, ensure_ascii=False), cache_key, content, error,
             finish_reason, prompt_tokens, completion_tokens, latency_ms, attempts, int(from_cache), time.time()))
        return int(cur.lastrowid or 0)

    def run_answers(self, run_id: str) -> list[AnswerRecord]:
        rows = self.conn.execute(
            "SELECT a.* FROM answers a JOIN items i ON i.run_id=a.run_id AND i.item_id=a.item_id "
            "WHERE a.run_id=? ORDER BY i.position, a.round", (run_id,))
        return [_answer(r) for r in rows]

    # -- cache ----------------------------------------------------------------------
    def cache_get(self, key: str) -> sqlite3.Row | None:
        return self.conn.execute("SELECT * FROM cache WHERE cache_key=?", (key,)).fetchone()

    def cache_put(self, key: str, model_spec: str, content: str, finish_reason: str | None,
                  prompt_tokens: int, completion_tokens: int) -> None:
        self.conn.execute("INSERT OR REPLACE INTO cache VALUES (?,?,?,?,?,?,?)",
                          (key, model_spec, content, finish_reason, prompt_tokens, completion_tokens, time.time()))

    # -- verdicts -------------------------------------------------------------------
    def save_verdict(self, v: VerdictRecord, raw: str | None = None) -> None:
        self.conn.execute(
            "INSERT OR REPLACE INTO verdicts (answer_id, judge_id, score, reason, error, raw, prompt_tokens, "
            "completion_tokens, is_human, created_at, confidence) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            (v.answer_id, v.judge_id, v.score, v.reason, v.error, raw, v.prompt_tokens, v.completion_tokens,
             int(v.is_human), time.time(), v.confidence))

    def save_human_verdict(self, answer_id: int, score: int, reason: str | None = None,
                           rater: str | None = HUMAN) -> VerdictRecord:
        """Store a person's 0/1/2 for one answer (judge id ``human`` or ``human:<rater>``, is_human=1).

        It is not added to the run's judges, so a human verdict never becomes the primary
        judge of a run's scores; ``report --judge human`` reads it on purpose. Setting it
        again replaces the same rater's earlier verdict.
        """
        if isinstance(score, bool) or score not in (0, 1, 2):
            raise BadInput(f"人工评分必须是 0、1 或 2 (human score must be 0, 1 or 2), got {score!r}")
        note = (reason or "").strip()
        if len(note) > MAX_HUMAN_REASON:
            raise BadInput(f"备注太长 (note too long): {len(note)} > {MAX_HUMAN_REASON} 字符 characters")
        judge_id = human_judge_id(rater)
        row = self.conn.execute("SELECT error FROM answers WHERE answer_id=?", (answer_id,)).fetchone()
        if row is None:
            raise BadInput(f"没有这个回答 (no such answer): {answer_id}")
        if row["error"] is not None:
            raise BadInput(f"回答 {answer_id} 是一次失败的调用，不能评分 (a failed call has no answer to score)")
        v = VerdictRecord(answer_id, judge_id, score, note or None, None, is_human=True)
        self.save_verdict(v)
        return v

    def human_judges(self, run_id: str) -> dict[str, int]:
        """The human judge ids that have verdicts on this run, with how many answers each scored."""
        rows = self.conn.execute(
            "SELECT v.judge_id, COUNT(*) n FROM verdicts v JOIN answers a ON a.answer_id=v.answer_id "
            "WHERE a.run_id=? AND v.is_human=1 AND v.score IS NOT NULL GROUP BY v.judge_id ORDER BY v.judge_id",
            (run_id,))
        return {r["judge_id"]: r["n"] for r in rows}

    def get_verdict(self, answer_id: int, judge_id: str) -> VerdictRecord | None:
        row = self.conn.execute("SELECT * FROM verdicts WHERE answer_id=? AND judge_id=?",
                                (answer_id, judge_id)).fetchone()
        return _verdict(row) if row else None

    def run_verdicts(self, run_id: str) -> dict[int, dict[str, VerdictRecord]]:
        """answer_id → judge_id → verdict, for every answer of the run."""
        out: dict[int, dict[str, VerdictRecord]] = {}
        rows = self.conn.execute("SELECT v.* FROM verdicts v JOIN answers a ON a.answer_id=v.answer_id "
                                 "WHERE a.run_id=?", (run_id,))
        for r in rows:
            out.setdefault(r["answer_id"], {})[r["judge_id"]] = _verdict(r)
        return out

    def usage(self, run_id: str) -> dict[str, dict[str, int]]:
        """Token accounting per stage: target (model under test, cached calls excluded) and judge."""
        t = self.conn.execute(
            "SELECT COUNT(*) calls, COALESCE(SUM(prompt_tokens),0) p, COALESCE(SUM(completion_tokens),0) c "
            "FROM answers WHERE run_id=? AND from_cache=0 AND error IS NULL", (run_id,)).fetchone()
        j = self.conn.execute(
            "SELECT COUNT(*) calls, COALESCE(SUM(v.prompt_tokens),0) p, COALESCE(SUM(v.completion_tokens),0) c "
            "FROM verdicts v JOIN answers a ON a.answer_id=v.answer_id WHERE a.run_id=? AND v.is_human=0",
            (run_id,)).fetchone()
        cached = self.conn.execute("SELECT COUNT(*) FROM answers WHERE run_id=? AND from_cache=1",
                                   (run_id,)).fetchone()[0]
        return {
            "target": {"calls": t["calls"], "cached": cached, "prompt_tokens": t["p"], "completion_tokens": t["c"]},
            "judge": {"verdicts": j["calls"], "prompt_tokens": j["p"], "completion_tokens": j["c"]},
        }

    def iter_rows(self, sql: str, params: tuple[Any, ...] = ()) -> Iterator[sqlite3.Row]:
        yield from self.conn.execute(sql, params)


def review_queue(verdicts: dict[int, dict[str, VerdictRecord]], judge_id: str, *,
                 include_reviewed: bool = False) -> list[tuple[int, VerdictRecord]]:
    """(answer id, verdict) of ``judge_id`` from ``Store.run_verdicts``, in the order a person
    should check them: failed verdicts, then by confidence, lowest first. Answers a person has
    already scored are left out unless ``include_reviewed``."""
    from scsafety.judges.base import review_rank  # here: importing scsafety.judges registers every judge

    queue = []
    for answer_id, by_judge in verdicts.items():
        v = by_judge.get(judge_id)
        if v is None:
            continue
        if not include_reviewed and any(h.is_human and h.score is not None for h in by_judge.values()):
            continue
        queue.append((answer_id, v))
    queue.sort(key=lambda av: (review_rank(av[1]), av[0]))
    return queue


def _run(r: sqlite3.Row) -> RunRecord:
    return RunRecord(r["run_id"], r["created_at"], r["updated_at"], r["model_spec"], json.loads(r["model_identity"]),
                     json.loads(r["judges"]), r["primary_judge"], r["dataset"], r["dataset_digest"],
                     json.loads(r["config"]), r["status"])


def _answer(r: sqlite3.Row) -> AnswerRecord:
    return AnswerRecord(r["answer_id"], r["run_id"], r["item_id"], r["round"], r["question"],
                        json.loads(r["messages"]), r["content"], r["error"], r["finish_reason"], r["prompt_tokens"],
                        r["completion_tokens"], r["latency_ms"], bool(r["from_cache"]))


def _verdict(r: sqlite3.Row) -> VerdictRecord:
    return VerdictRecord(r["answer_id"], r["judge_id"], r["score"], r["reason"], r["error"], r["prompt_tokens"],
                         r["completion_tokens"], bool(r["is_human"]), r["confidence"])
