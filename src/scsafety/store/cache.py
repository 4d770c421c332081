"""Cache keys: what makes two model calls the same call."""

from __future__ import annotations

import hashlib
import json
from typing import Any


def answer_cache_key(model_identity: dict[str, Any], messages: list[dict[str, str]]) -> str:
    """sha256 over the model's identity (spec, endpoint, sampling) and the exact messages.

    Round 2's messages contain the model's own round-1 answer, so a cached round 2 is
    only reused after the very same round 1.
    """
    payload = json.dumps({"model": model_identity, "messages": messages}, ensure_ascii=False,
                         sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()
