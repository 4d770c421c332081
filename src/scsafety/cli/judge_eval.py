"""`scsafety judge eval` and `scsafety judge agree` (see the judge issue)."""

from __future__ import annotations

import argparse

SUBCOMMANDS = ("eval", "agree")


def parse(argv: list[str]) -> argparse.Namespace:
    raise NotImplementedError("judge eval / agree are not implemented yet")
