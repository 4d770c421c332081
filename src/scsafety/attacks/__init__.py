"""Attacks: who writes the user's turns (the dataset's fixed follow-ups, or adaptive attackers)."""

from scsafety.attacks.base import Attacker
from scsafety.attacks.fixed import FixedTurns

__all__ = ["Attacker", "FixedTurns"]
