"""Reading JSONL the same way everywhere: one object a line, errors that name file:line."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from scsafety.errors import BadInput


def parse_line(line: str, location: str) -> dict[str, Any]:
    """One JSONL line as an object; anything else is a :class:`BadInput` naming ``location``."""
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as exc:
        raise BadInput(f"不是合法的 JSON (invalid JSON): {exc.msg} (column {exc.colno})", location=location) from None
    if not isinstance(obj, dict):
        raise BadInput("每行必须是一个 JSON 对象 (each line must be a JSON object)", location=location)
    return obj


def iter_objects(text: str, source: str) -> Iterator[tuple[int, str, dict[str, Any]]]:
    """(line number, ``source:line``, object) for every non-blank line; stops at the first bad line."""
    for lineno, line in enumerate(text.splitlines(), 1):
        if line.strip():
            location = f"{source}:{lineno}"
            yield lineno, location, parse_line(line, location)
