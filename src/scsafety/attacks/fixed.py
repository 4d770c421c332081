"""The dataset's own turns: SC-Safety's fixed question and follow-up."""

from __future__ import annotations

from scsafety.benchmark.schema import Item
from scsafety.models.base import Message


class FixedTurns:
    """Replays ``item.turns`` in order; the conversation ends after the last one."""

    attacker_id = "fixed"

    async def next_turn(self, item: Item, round: int, history: list[Message]) -> str | None:
        return item.turns[round - 1] if round <= len(item.turns) else None

    def max_rounds(self, item: Item) -> int:
        return len(item.turns)
