"""Reading JSONL the same way everywhere: one object a line, errors that name file:line."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from scsafety.errors import BadInput


def iter_objects(text: str, source: str) -> Iterator[tuple[int, str, dict[str, Any]]]:
    """(line number, ``source:line``, object) for every non-blank line.

    A line that is not JSON, or not a JSON object, is a :class:`BadInput` naming its line.
    """
    for lineno, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        location = f"{source}:{lineno}"
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise BadInput(f"不是合法的 JSON (invalid JSON): {exc.msg} (column {exc.colno})",
                           location=location) from None
        if not isinstance(obj, dict):
            raise BadInput("每行必须是一个 JSON 对象 (each line must be a JSON object)", location=location)
        yield lineno, location, obj
