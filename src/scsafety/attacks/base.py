"""The attacker interface: who writes user turn k of a conversation.

The fixed attacker replays the dataset's follow-ups; adaptive attackers (LLM or
template-based) write the next turn against the model's own previous answer.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from scsafety.benchmark.schema import Item
from scsafety.models.base import Message


@runtime_checkable
class Attacker(Protocol):
    """``next_turn`` returns user turn ``round`` (1-based) or None to end the conversation.

    ``history`` holds every earlier user and assistant message, so an adaptive attacker
    can react to what the model just said. ``attacker_id`` is recorded with the run.
    """

    attacker_id: str

    async def next_turn(self, item: Item, round: int, history: list[Message]) -> str | None: ...

    def max_rounds(self, item: Item) -> int: ...
