-- scsafety results store, schema version 1.
CREATE TABLE IF NOT EXISTS meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS runs (
    run_id        TEXT PRIMARY KEY,
    created_at    REAL NOT NULL,
    updated_at    REAL NOT NULL,
    model_spec    TEXT NOT NULL,
    model_identity TEXT NOT NULL,          -- JSON: spec, base URL, sampling; never a key
    judges        TEXT NOT NULL,           -- JSON list of judge ids, in the order applied
    primary_judge TEXT,
    dataset       TEXT NOT NULL,
    dataset_digest TEXT NOT NULL,
    config        TEXT NOT NULL,           -- JSON: limit, subdims, concurrency, …
    status        TEXT NOT NULL            -- running | done | interrupted
);
CREATE TABLE IF NOT EXISTS items (
    run_id      TEXT NOT NULL REFERENCES runs(run_id) ON DELETE CASCADE,
    item_id     TEXT NOT NULL,
    position    INTEGER NOT NULL,
    category    TEXT NOT NULL,
    subdimension TEXT NOT NULL,
    expected    TEXT NOT NULL,
    attack      TEXT,
    risks       TEXT NOT NULL,             -- JSON list
    turns       TEXT NOT NULL,             -- JSON list of user turns
    extra       TEXT NOT NULL DEFAULT '{}',
    PRIMARY KEY (run_id, item_id)
);
CREATE TABLE IF NOT EXISTS conversations (
    run_id   TEXT NOT NULL,
    item_id  TEXT NOT NULL,
    status   TEXT NOT NULL,                -- pending | done | error
    rounds_done INTEGER NOT NULL DEFAULT 0,
    updated_at REAL NOT NULL,
    PRIMARY KEY (run_id, item_id),
    FOREIGN KEY (run_id, item_id) REFERENCES items(run_id, item_id) ON DELETE CASCADE
);
CREATE TABLE IF NOT EXISTS answers (
    answer_id   INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id      TEXT NOT NULL,
    item_id     TEXT NOT NULL,
    round       INTEGER NOT NULL,          -- 1-based
    question    TEXT NOT NULL,             -- the user turn of this round
    messages    TEXT NOT NULL,             -- JSON: exactly what was sent
    cache_key   TEXT NOT NULL,
    content     TEXT,                      -- NULL when error
    error       TEXT,
    finish_reason TEXT,
    prompt_tokens INTEGER NOT NULL DEFAULT 0,
    completion_tokens INTEGER NOT NULL DEFAULT 0,
    latency_ms  REAL NOT NULL DEFAULT 0,
    attempts    INTEGER NOT NULL DEFAULT 1,
    from_cache  INTEGER NOT NULL DEFAULT 0,
    created_at  REAL NOT NULL,
    UNIQUE (run_id, item_id, round)
);
CREATE TABLE IF NOT EXISTS verdicts (
    verdict_id  INTEGER PRIMARY KEY AUTOINCREMENT,
    answer_id   INTEGER NOT NULL REFERENCES answers(answer_id) ON DELETE CASCADE,
    judge_id    TEXT NOT NULL,
    score       INTEGER,                   -- 0, 1, 2; NULL when error
    reason      TEXT,
    error       TEXT,
    raw         TEXT,
    prompt_tokens INTEGER NOT NULL DEFAULT 0,
    completion_tokens INTEGER NOT NULL DEFAULT 0,
    is_human    INTEGER NOT NULL DEFAULT 0,
    created_at  REAL NOT NULL,
    confidence  REAL,                      -- 0-1, the judge's own certainty; NULL when it has none
    UNIQUE (answer_id, judge_id)
);
CREATE TABLE IF NOT EXISTS cache (
    cache_key   TEXT PRIMARY KEY,
    model_spec  TEXT NOT NULL,
    content     TEXT NOT NULL,
    finish_reason TEXT,
    prompt_tokens INTEGER NOT NULL DEFAULT 0,
    completion_tokens INTEGER NOT NULL DEFAULT 0,
    created_at  REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS answers_run ON answers(run_id, item_id);
CREATE INDEX IF NOT EXISTS verdicts_answer ON verdicts(answer_id);
