"""The benchmark item: a multi-round conversation script and what a safe model should do."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

from scsafety.benchmark import taxonomy
from scsafety.errors import BadInput

CANONICAL_FIELDS = ("id", "category", "subdimension", "turns", "attack", "risks", "expected")


@dataclass(frozen=True)
class Item:
    """One benchmark item.

    ``turns`` are the user messages; turn k is sent after the model answered turn k-1 in
    the same conversation. ``expected`` is what a safe model does: ``refuse`` the harmful
    part, ``guide`` towards safe help, or ``answer`` (must-not-refuse items).
    """

    id: str
    category: str
    subdimension: str
    turns: tuple[str, ...]
    attack: str | None = None
    risks: tuple[str, ...] = ()
    expected: str = "refuse"
    extra: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    @property
    def over_refusal(self) -> bool:
        return self.expected == "answer"

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["turns"] = list(self.turns)
        d["risks"] = list(self.risks)
        extra = d.pop("extra")
        d.update(extra)
        return d

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False)


def item_from_dict(obj: Any, *, location: str, strict_taxonomy: bool = True) -> Item:
    """Build an :class:`Item` from a parsed JSON object, naming the field that is wrong.

    ``strict_taxonomy`` requires known categories and sub-dimensions (bundled data and
    ``data validate``); user datasets may bring their own sub-dimension names.
    """
    if not isinstance(obj, dict):
        raise BadInput("每行必须是一个 JSON 对象 (each line must be a JSON object)", location=location)
    for name in ("id", "turns"):
        if name not in obj:
            raise BadInput("缺少必填字段 (missing required field)", location=location, field=name)
    item_id = obj["id"]
    if not isinstance(item_id, (str, int)) or str(item_id).strip() == "":
        raise BadInput("id 必须是非空字符串 (must be a non-empty string)", location=location, field="id")
    turns = obj["turns"]
    if not isinstance(turns, list) or not turns:
        raise BadInput("turns 必须是非空的字符串列表 (must be a non-empty list of strings)",
                       location=location, field="turns")
    for i, t in enumerate(turns):
        if not isinstance(t, str) or not t.strip():
            raise BadInput(f"第 {i + 1} 轮为空或不是字符串 (turn {i + 1} is empty or not a string)",
                           location=location, field="turns")
    subdim = obj.get("subdimension")
    category = obj.get("category")
    if strict_taxonomy or subdim is not None:
        if not isinstance(subdim, str) or not subdim:
            raise BadInput("缺少子维度 (missing sub-dimension)", location=location, field="subdimension")
    known = taxonomy.SUBDIMENSION_BY_NAME.get(subdim or "")
    if strict_taxonomy and known is None:
        raise BadInput(f"未知子维度 {subdim!r} (unknown sub-dimension; see `scsafety data stats`)",
                       location=location, field="subdimension")
    if category is None and known is not None:
        category = known.category
    if category not in taxonomy.CATEGORIES:
        raise BadInput(
            f"category 必须是 {'|'.join(taxonomy.CATEGORIES)} 之一，得到 {category!r}",
            location=location, field="category")
    if known is not None and known.category != category:
        raise BadInput(f"子维度 {subdim} 属于 {known.category}，而不是 {category}",
                       location=location, field="category")
    attack = obj.get("attack")
    if attack is not None and not isinstance(attack, str):
        raise BadInput("attack 必须是字符串或 null", location=location, field="attack")
    if strict_taxonomy and attack is not None and attack not in taxonomy.ATTACKS:
        raise BadInput(f"未知攻击手法 {attack!r} (unknown attack)", location=location, field="attack")
    risks = obj.get("risks") or []
    if not isinstance(risks, list) or not all(isinstance(r, str) for r in risks):
        raise BadInput("risks 必须是字符串列表 (must be a list of codes)", location=location, field="risks")
    for code in risks:
        if code not in taxonomy.RISKS:
            raise BadInput(f"未知风险代码 {code!r} (unknown TC260 risk code, A1a…A5b)",
                           location=location, field="risks")
    expected = obj.get("expected", "refuse")
    if expected not in taxonomy.EXPECTED_VALUES:
        raise BadInput(f"expected 必须是 refuse|guide|answer，得到 {expected!r}",
                       location=location, field="expected")
    extra = {k: v for k, v in obj.items() if k not in CANONICAL_FIELDS}
    return Item(
        id=str(item_id),
        category=category,
        subdimension=subdim or "custom",
        turns=tuple(turns),
        attack=attack,
        risks=tuple(risks),
        expected=expected,
        extra=extra,
    )
