"""Bring-your-own data: JSONL or CSV with a column mapping, and multi-turn conversation files.

A user's file is mapped onto the canonical item:

- ``--field turns=prompt`` (one column → one turn), ``--field turns=q1,q2`` (several
  columns → turns in order), ``--field id=qid``, ``--field subdimension=type`` …;
  without a mapping, ``turns``, ``messages``, ``prompt``/``question``/``query``/
  ``instruction`` (+ ``follow_up``) are recognised.
- ``messages`` with roles: the user turns become the conversation's turns; the model
  answers each of them itself. Assistant turns in the file are used only when asked
  (``scripted_history``): then every message before the last user turn is sent as a
  fixed history and only the last user turn is asked — the way multi-turn jailbreak
  transcripts are replayed.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from scsafety.benchmark import taxonomy
from scsafety.benchmark.schema import CANONICAL_FIELDS, Item, item_from_dict
from scsafety.errors import BadInput
from scsafety.jsonl import iter_objects

TURN_COLUMNS = ("prompt", "question", "query", "instruction", "input", "text")
FOLLOW_UP_COLUMNS = ("follow_up", "followup", "follow-up", "second_turn", "追问")


def parse_field_mapping(specs: list[str] | None) -> dict[str, list[str]]:
    """``["turns=q1,q2", "id=qid"]`` → {"turns": ["q1", "q2"], "id": ["qid"]}."""
    mapping: dict[str, list[str]] = {}
    for spec in specs or []:
        name, sep, cols = spec.partition("=")
        name = name.strip()
        if not sep or not name or not cols.strip():
            raise BadInput(f"--field 需写成 名称=列 (expected NAME=COLUMN[,COLUMN…]), 得到 {spec!r}")
        if name not in CANONICAL_FIELDS and name != "messages":
            raise BadInput(f"--field 未知字段 {name!r} (known: {', '.join(CANONICAL_FIELDS)}, messages)")
        mapping[name] = [c.strip() for c in cols.split(",") if c.strip()]
    return mapping


def _rows(path: Path, text: str) -> Iterator[tuple[int, dict[str, Any]]]:
    if path.suffix.lower() in (".csv", ".tsv"):
        delimiter = "\t" if path.suffix.lower() == ".tsv" else ","
        reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
        if not reader.fieldnames:
            raise BadInput("CSV 没有表头 (CSV has no header row)", location=f"{path}:1")
        for row in reader:
            yield reader.line_num, {k: v for k, v in row.items() if k is not None}
        return
    for lineno, _, obj in iter_objects(text, str(path)):
        yield lineno, obj


def _get(row: dict[str, Any], column: str, location: str) -> Any:
    if column not in row:
        raise BadInput(f"没有这一列 (no such column) {column!r}; 有 columns: {', '.join(map(str, row))}",
                       location=location)
    return row[column]


def _as_list(value: Any) -> list[str]:
    if isinstance(value, list):
        return [str(v) for v in value]
    if value is None or value == "":
        return []
    text = str(value).strip()
    if text.startswith("["):
        try:
            parsed = json.loads(text)
            if isinstance(parsed, list):
                return [str(v) for v in parsed]
        except ValueError:
            pass
    return [p.strip() for p in text.replace(";", ",").split(",") if p.strip()]


def _messages(value: Any, location: str) -> list[dict[str, str]]:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            raise BadInput("messages 不是 JSON 列表", location=location, field="messages") from None
    if not isinstance(value, list) or not value:
        raise BadInput("messages 必须是非空的 {role, content} 列表", location=location, field="messages")
    out = []
    for m in value:
        if not (isinstance(m, dict) and m.get("role") in ("system", "user", "assistant")
                and isinstance(m.get("content"), str)):
            raise BadInput("messages 的每一项需要 role (system|user|assistant) 和 content",
                           location=location, field="messages")
        out.append({"role": m["role"], "content": m["content"]})
    return out


def row_to_item(row: dict[str, Any], *, location: str, mapping: dict[str, list[str]], default_id: str,
                scripted_history: bool, default_category: str) -> Item:
    obj: dict[str, Any] = {}
    for name in ("id", "category", "subdimension", "attack", "expected"):
        if name in mapping:
            value = _get(row, mapping[name][0], location)
            if value not in (None, ""):
                obj[name] = value
        elif name in row and row[name] not in (None, ""):
            obj[name] = row[name]
    if "risks" in mapping:
        obj["risks"] = _as_list(_get(row, mapping["risks"][0], location))
    elif "risks" in row:
        obj["risks"] = _as_list(row["risks"])
    messages_col = mapping.get("messages", ["messages"])[0]
    extra: dict[str, Any] = {}
    if "turns" in mapping:
        cols = mapping["turns"]
        values = [_get(row, c, location) for c in cols]
        turns = values[0] if len(cols) == 1 and isinstance(values[0], list) else [v for v in values if v not in (None, "")]
        obj["turns"] = [str(t) for t in turns] if isinstance(turns, list) else [str(turns)]
    elif "turns" in row:
        obj["turns"] = row["turns"] if isinstance(row["turns"], list) else _as_list(row["turns"])
    elif messages_col in row:
        msgs = _messages(row[messages_col], location)
        users = [i for i, m in enumerate(msgs) if m["role"] == "user"]
        if not users:
            raise BadInput("messages 中没有用户消息 (no user message)", location=location, field="messages")
        if scripted_history:
            last = users[-1]
            obj["turns"] = [msgs[last]["content"]]
            extra["scripted_history"] = [m for m in msgs[:last] if m["role"] != "system"]
            extra["round_offset"] = len(users) - 1
        else:
            obj["turns"] = [msgs[i]["content"] for i in users]
        system = [m["content"] for m in msgs if m["role"] == "system"]
        if system:
            extra["system_prompt"] = system[0]
    else:
        first = next((c for c in TURN_COLUMNS if row.get(c) not in (None, "")), None)
        if first is None:
            raise BadInput("找不到问题列 (no question column: turns, messages, prompt, question…; "
                           "use --field turns=COLUMN)", location=location, field="turns")
        obj["turns"] = [str(row[first])]
        follow = next((c for c in FOLLOW_UP_COLUMNS if row.get(c) not in (None, "")), None)
        if follow:
            obj["turns"].append(str(row[follow]))
    obj.setdefault("id", default_id)
    sub = taxonomy.SUBDIMENSION_BY_NAME.get(str(obj.get("subdimension") or ""))
    if "category" not in obj:
        obj["category"] = sub.category if sub else default_category
    obj.setdefault("subdimension", "custom")
    for k, v in row.items():
        if k not in obj and k not in CANONICAL_FIELDS and k != messages_col and isinstance(k, str):
            extra.setdefault(k, v)
    obj.update(extra)
    return item_from_dict(obj, location=location, strict_taxonomy=False)


def load_user_items(path: Path, text: str, *, fields: list[str] | None = None, scripted_history: bool = False,
                    default_category: str = "traditional_safety") -> list[Item]:
    if default_category not in taxonomy.CATEGORIES:
        raise BadInput(f"--default-category 必须是 {'|'.join(taxonomy.CATEGORIES)} 之一")
    mapping = parse_field_mapping(fields)
    items: list[Item] = []
    seen: dict[str, str] = {}
    for lineno, row in _rows(path, text):
        location = f"{path}:{lineno}"
        item = row_to_item(row, location=location, mapping=mapping, default_id=f"{path.stem}-{lineno}",
                           scripted_history=scripted_history, default_category=default_category)
        if item.id in seen:
            raise BadInput(f"重复的 id {item.id!r}（{seen[item.id]} 已出现）(duplicate id)", location=location, field="id")
        seen[item.id] = location
        items.append(item)
    return items
