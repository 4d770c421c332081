"""Loading benchmark items: the bundled scsafety-zh set, or a user's JSONL file."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from scsafety.benchmark import taxonomy
from scsafety.benchmark.schema import Item, item_from_dict
from scsafety.errors import BadInput
from scsafety.jsonl import iter_objects

BUNDLED_NAME = "scsafety-zh"
BUNDLED_VERSION = "v1"


@dataclass(frozen=True)
class Dataset:
    """A loaded set of items with the identity a run records (name, version, digest)."""

    name: str
    version: str
    items: tuple[Item, ...]
    digest: str
    source: str

    @property
    def label(self) -> str:
        return f"{self.name} {self.version}".strip()

    def __len__(self) -> int:
        return len(self.items)


def _bundled_files() -> list[Path]:
    data_dir = resources.files("scsafety.benchmark").joinpath("data")
    by_name = {p.name: Path(str(p)) for p in data_dir.iterdir() if p.name.endswith(".jsonl")}
    # Taxonomy order first, so that reports and exports read area by area.
    ordered = [by_name.pop(f"{s.name}.jsonl") for s in taxonomy.SUBDIMENSIONS if f"{s.name}.jsonl" in by_name]
    return ordered + [by_name[k] for k in sorted(by_name)]


def parse_jsonl(text: str, source: str, *, strict_taxonomy: bool) -> list[Item]:
    """Parse JSONL text into items; errors name ``source:line`` and the field."""
    items: list[Item] = []
    seen: dict[str, int] = {}
    for lineno, location, obj in iter_objects(text, source):
        item = item_from_dict(obj, location=location, strict_taxonomy=strict_taxonomy)
        if item.id in seen:
            raise BadInput(f"重复的 id {item.id!r}（第 {seen[item.id]} 行已出现）(duplicate id)",
                           location=location, field="id")
        seen[item.id] = lineno
        items.append(item)
    return items


def _looks_canonical(text: str) -> bool:
    """The first object has ``turns`` (canonical); otherwise a mapping is needed."""
    for line in text.splitlines():
        if line.strip():
            try:
                obj = json.loads(line)
            except ValueError:
                return True  # let the canonical parser report the exact error
            return not isinstance(obj, dict) or "turns" in obj
    return True


def load_bundled() -> Dataset:
    """The bundled scsafety-zh v1 benchmark."""
    items: list[Item] = []
    digest = hashlib.sha256()
    for path in _bundled_files():
        text = path.read_text(encoding="utf-8")
        digest.update(text.encode("utf-8"))
        items.extend(parse_jsonl(text, f"scsafety/benchmark/data/{path.name}", strict_taxonomy=True))
    return Dataset(BUNDLED_NAME, BUNDLED_VERSION, tuple(items), digest.hexdigest()[:16], "bundled")


def read_text_file(path: str | Path) -> str:
    p = Path(path)
    if not p.exists():
        raise BadInput(f"文件不存在 (file not found): {p}")
    if p.is_dir():
        raise BadInput(f"需要文件而不是目录 (expected a file, got a directory): {p}")
    try:
        return p.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BadInput(f"文件不是 UTF-8 编码 (not UTF-8): byte {exc.start}", location=str(p)) from None


def load_dataset(path: str | Path | None = None, *, strict_taxonomy: bool = False, fields: list[str] | None = None,
                 scripted_history: bool = False, default_category: str = "traditional_safety") -> Dataset:
    """Load the bundled set (``path`` None) or a user's file: canonical JSONL, or JSONL/CSV
    with a column mapping, or conversation files with ``messages`` (see formats.py)."""
    if path is None:
        return load_bundled()
    text = read_text_file(path)
    p = Path(path)
    if fields or scripted_history or p.suffix.lower() in (".csv", ".tsv") or not _looks_canonical(text):
        from scsafety.benchmark.formats import load_user_items

        items = load_user_items(p, text, fields=fields, scripted_history=scripted_history,
                                default_category=default_category)
    else:
        items = parse_jsonl(text, str(path), strict_taxonomy=strict_taxonomy)
    if not items:
        raise BadInput(f"数据集为空 (dataset has no items): {path}")
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
    return Dataset(Path(path).stem, "", tuple(items), digest, str(path))


def select(items: tuple[Item, ...] | list[Item], *, subdims: list[str] | None = None,
           limit: int | None = None) -> list[Item]:
    """Filter by sub-dimension, then take ``limit`` items spread evenly across them.

    The spread is a round-robin over sub-dimensions (alternating areas) in dataset order, so
    ``--limit 30`` samples every area instead of the first file only; it is deterministic,
    so a resumed or repeated run selects the very same items.
    """
    chosen = list(items)
    if subdims:
        known = {i.subdimension for i in chosen}
        unknown = [s for s in subdims if s not in known]
        if unknown:
            raise BadInput(f"数据集中没有这些子维度 (no such sub-dimension in the dataset): {', '.join(unknown)}")
        wanted = set(subdims)
        chosen = [i for i in chosen if i.subdimension in wanted]
    if limit is None or limit >= len(chosen):
        return chosen
    if limit <= 0:
        raise BadInput("--limit 必须是正整数 (must be a positive integer)")
    groups: dict[str, list[Item]] = {}
    for item in chosen:
        groups.setdefault(item.subdimension, []).append(item)
    # Alternate the areas too, so that a small sample (the demo's 6 items) spans all three.
    by_area: dict[str, list[list[Item]]] = {}
    for queue in groups.values():
        by_area.setdefault(queue[0].category, []).append(queue)
    areas = list(by_area.values())
    queues = [area[k] for k in range(max(len(a) for a in areas)) for area in areas if k < len(area)]
    out: list[Item] = []
    depth = 0
    while len(out) < limit:
        for q in queues:
            if depth < len(q) and len(out) < limit:
                out.append(q[depth])
        depth += 1
    return out
