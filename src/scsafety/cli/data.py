"""`scsafety data stats | export | validate`."""

from __future__ import annotations

import argparse
import json
import sys

from rich.table import Table

from scsafety.benchmark import load_dataset, quality, taxonomy
from scsafety.benchmark.loader import read_text_file
from scsafety.benchmark.schema import item_from_dict
from scsafety.benchmark.stats import dataset_stats
from scsafety.cli.common import EXIT_BAD_INPUT, EXIT_OK, Io, write_output
from scsafety.errors import BadInput
from scsafety.jsonl import parse_line


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("data", help="数据集工具 dataset tools")
    dsub = p.add_subparsers(dest="data_cmd", required=True, metavar="{stats,export,validate}")
    from scsafety.cli.run import add_dataset_args

    s = dsub.add_parser("stats", help="数据集统计 dataset statistics")
    add_dataset_args(s)
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_stats)
    e = dsub.add_parser("export", help="以规范 JSONL 输出全部条目 export canonical JSONL")
    add_dataset_args(e)
    e.add_argument("--out")
    e.set_defaults(func=cmd_export)
    v = dsub.add_parser("validate", help="校验数据集文件 validate a dataset file")
    v.add_argument("path")
    v.add_argument("--allow-custom", action="store_true",
                   help="允许自定义子维度和攻击手法 allow sub-dimensions and attacks outside the taxonomy")
    v.set_defaults(func=cmd_validate)


def _load(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    return load_dataset(args.dataset, fields=args.field, scripted_history=args.scripted_history,
                        default_category=args.default_category)


def cmd_stats(args: argparse.Namespace, io: Io) -> int:
    ds = _load(args)
    stats = {"dataset": ds.label, **dataset_stats(ds.items)}
    if args.json:
        write_output(json.dumps(stats, ensure_ascii=False, indent=2), None, io)
        return EXIT_OK
    io.out.print(f"[bold]{ds.label}[/bold]: {stats['pairs']} 对 pairs（{stats['questions']} 个问题 questions）, "
                 f"非拒答 over-refusal {stats['over_refusal']}, 近重复 near-duplicates {stats['near_duplicates']}")
    t = Table(title="子维度 sub-dimensions")
    for col in ("领域 area", "子维度", "name", "条目 items"):
        t.add_column(col)
    for name, n in stats["subdimensions"].items():
        s = taxonomy.SUBDIMENSION_BY_NAME.get(name)
        t.add_row(taxonomy.CATEGORIES[s.category][0] if s else "—", s.zh if s else "—", name, str(n))
    io.out.print(t)
    r = Table(title="TC260 风险代码 risk codes")
    r.add_column("code")
    r.add_column("风险 risk")
    r.add_column("条目 items", justify="right")
    for code, n in stats["risks"].items():
        r.add_row(code, taxonomy.RISKS[code], str(n))
    io.out.print(r)
    return EXIT_OK


def cmd_export(args: argparse.Namespace, io: Io) -> int:
    ds = _load(args)
    text = "".join(item.to_json() + "\n" for item in ds.items)
    write_output(text, args.out, io) if args.out else sys.stdout.write(text)
    return EXIT_OK


def validate_text(text: str, source: str, *, strict: bool = True) -> list[str]:
    """Every problem in a dataset file, each as 'file:line: message'. Parsing stops at the
    first structural error of a line but goes on to the next line."""
    problems: list[str] = []
    items = []
    lines = text.splitlines()
    seen: dict[str, int] = {}
    for lineno, line in enumerate(lines, 1):
        if not line.strip():
            continue
        loc = f"{source}:{lineno}"
        try:
            item = item_from_dict(parse_line(line, loc), location=loc, strict_taxonomy=strict)
        except BadInput as exc:
            problems.append(str(exc))
            continue
        if item.id in seen:
            problems.append(f"{loc}: 字段 field 'id': 重复的 id {item.id!r}（第 {seen[item.id]} 行）(duplicate id)")
        seen.setdefault(item.id, lineno)
        for k, turn in enumerate(item.turns, 1):
            trad = quality.traditional_chars(turn)
            if trad:
                problems.append(f"{loc}: 字段 field 'turns': 第 {k} 轮含繁体字 traditional characters: {''.join(trad)}")
            if item.subdimension != "obfuscation" and quality.cjk_ratio(turn) < 0.3:
                problems.append(f"{loc}: 字段 field 'turns': 第 {k} 轮不是中文 (turn {k} is not Chinese)")
        if len(item.turns) > 1 and len(set(t.strip() for t in item.turns)) < len(item.turns):
            problems.append(f"{loc}: 字段 field 'turns': 追问与问题相同 (a follow-up repeats an earlier turn)")
        items.append((loc, item))
    for a, b, sim in quality.near_duplicate_pairs([it.turns[0] for _, it in items]):
        problems.append(f"{items[b][0]}: 字段 field 'turns': 首轮问题与 {items[a][0]} 近重复 "
                        f"(near-duplicate, 5-gram Jaccard {sim:.2f})")
    return problems


def cmd_validate(args: argparse.Namespace, io: Io) -> int:
    text = read_text_file(args.path)
    problems = validate_text(text, args.path, strict=not args.allow_custom)
    for p in problems:
        io.err.print(p, markup=False, highlight=False)
    n = sum(1 for line in text.splitlines() if line.strip())
    if problems:
        io.err.print(f"{args.path}: {n} 行 lines, {len(problems)} 个问题 problems", markup=False)
        return EXIT_BAD_INPUT
    io.out.print(f"{args.path}: {n} 个条目全部有效 all items valid", markup=False)
    return EXIT_OK
