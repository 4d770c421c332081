"""Keeping secrets out of text that reaches a user, a log, the store or a report."""

from __future__ import annotations

import re
from collections.abc import Iterable

_BEARER = re.compile(r"(Bearer\s+)[A-Za-z0-9._\-]{8,}")
_KEYLIKE = re.compile(r"\b(sk-[A-Za-z0-9_\-]{8,})")


class Redactor:
    """Replaces known secrets, bearer tokens and ``sk-…`` keys with ``***``."""

    def __init__(self, secrets: Iterable[str] = ()):
        self.secrets = sorted({s for s in secrets if s and len(s) >= 4}, key=len, reverse=True)

    def __call__(self, text: str) -> str:
        for s in self.secrets:
            text = text.replace(s, "***")
        text = _BEARER.sub(r"\1***", text)
        return _KEYLIKE.sub("sk-***", text)
