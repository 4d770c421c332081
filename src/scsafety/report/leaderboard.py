"""The leaderboard: runs of several models ranked by overall score, as SC-Safety's tables read.

A pure function turns run reports (from :func:`scsafety.report.run_report`) and the
user's model metadata (``models.yaml``) into ranked rows; the renderers below print those
rows as a terminal table, Markdown, CSV or JSON (HTML lives in :mod:`scsafety.report.html`).
Metadata is the user's, because nothing in a run says who made a model or under which
licence it is published — and a leaderboard without that reads badly.

``models.yaml`` is keyed by model spec or run id (a run id wins, being more specific)::

    deepseek:deepseek-chat:
      name: DeepSeek-V3
      organisation: 深度求索 DeepSeek
      licence: open          # open / closed, or a licence name such as Apache-2.0
      parameters: 671B
"""

from __future__ import annotations

import csv
import html
import io
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from rich import box
from rich.console import Console
from rich.measure import Measurement
from rich.table import Table

from scsafety.benchmark import taxonomy
from scsafety.errors import BadInput

DEFAULT_META_FILE = "models.yaml"

# Field names in models.yaml, with the spellings people also write.
_FIELD_ALIASES: dict[str, str] = {
    "name": "name", "organisation": "organisation", "organization": "organisation", "org": "organisation",
    "licence": "licence", "license": "licence", "parameters": "parameters", "params": "parameters",
}
_OPEN_WORDS = {"open", "open-source", "open source", "opensource", "open weights", "open-weights", "开源", "开放权重"}
_CLOSED_WORDS = {"closed", "closed-source", "closed source", "proprietary", "commercial", "api", "闭源", "商业"}


@dataclass(frozen=True)
class ModelMeta:
    """What the user knows about a model that a run cannot tell: its name, maker and licence."""

    name: str | None = None
    organisation: str | None = None
    licence: str | None = None
    parameters: str | None = None

    @property
    def open(self) -> bool | None:
        """True for open weights, False for closed; a named licence (Apache-2.0, Llama 2 …) is open."""
        if self.licence is None:
            return None
        word = self.licence.strip().lower()
        if word in _CLOSED_WORDS:
            return False
        return True if word else None

    @property
    def licence_name(self) -> str | None:
        """The licence when it is a name rather than just "open"/"closed"."""
        if self.licence is None:
            return None
        word = self.licence.strip().lower()
        return None if word in _OPEN_WORDS or word in _CLOSED_WORDS or not word else self.licence.strip()


# -- models.yaml -------------------------------------------------------------------------
def parse_meta(text: str, source: str) -> dict[str, ModelMeta]:
    """Parse a models.yaml text; every problem is a BadInput naming ``source`` and its line."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        where = f"{source}:{mark.line + 1}" if mark is not None else source
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise BadInput(f"不是合法的 YAML (invalid YAML): {problem}", location=where) from None
    if root is None or data is None:
        return {}
    if not isinstance(root, yaml.MappingNode) or not isinstance(data, dict):
        raise BadInput("顶层应是 模型→字段 的映射 (top level must map model spec or run id to fields)",
                       location=f"{source}:{root.start_mark.line + 1}")
    if set(data) == {"models"} and isinstance(data["models"], dict):  # also accept a `models:` wrapper
        inner = root.value[0][1]
        root, data = inner, data["models"]
    lines: dict[str, int] = {}
    for key_node, _value in root.value:
        key = str(key_node.value)
        line = key_node.start_mark.line + 1
        if key in lines:
            raise BadInput(f"重复的模型 {key!r}（第 {lines[key]} 行已出现）(duplicate key)", location=f"{source}:{line}")
        lines[key] = line
    return {str(k): _entry(str(k), v, f"{source}:{lines.get(str(k), 1)}") for k, v in data.items()}


def _entry(key: str, value: Any, where: str) -> ModelMeta:
    if value is None:
        return ModelMeta()
    if not isinstance(value, dict):
        raise BadInput(f"{key!r} 的值应是字段映射 name/organisation/licence/parameters "
                       f"(expected a mapping of fields)", location=where)
    fields: dict[str, str] = {}
    for raw_field, v in value.items():
        field = _FIELD_ALIASES.get(str(raw_field).strip().lower())
        if field is None:
            raise BadInput(f"{key!r} 有未知字段 (unknown field); 可用 known: name, organisation, licence, parameters",
                           location=where, field=str(raw_field))
        if v is None:
            continue
        if isinstance(v, (dict, list)):
            raise BadInput(f"{key!r} 的字段应是文字或数字 (expected text or a number)", location=where,
                           field=str(raw_field))
        fields[field] = str(v).strip()
    return ModelMeta(**fields)


def load_meta(path: str | Path | None, *, default: str | Path = DEFAULT_META_FILE) -> dict[str, ModelMeta]:
    """Read ``path``, or ``default`` (./models.yaml) when it exists; no file means no metadata."""
    if path is None:
        p = Path(default)
        if not p.is_file():
            return {}
    else:
        p = Path(path)
        if not p.exists():
            raise BadInput(f"模型信息文件不存在 (model metadata file not found): {p}")
        if p.is_dir():
            raise BadInput(f"需要文件而不是目录 (expected a file, got a directory): {p}")
    try:
        text = p.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise BadInput(f"文件不是 UTF-8 编码 (not UTF-8): byte {exc.start}", location=str(p)) from None
    except OSError as exc:
        raise BadInput(f"无法读取 (cannot read): {exc.strerror}", location=str(p)) from None
    return parse_meta(text, str(p))


def meta_for(report: Mapping[str, Any], meta: Mapping[str, ModelMeta]) -> ModelMeta:
    """A run's metadata: by run id first (one run may be special), then by model spec."""
    return meta.get(str(report.get("run_id"))) or meta.get(str(report.get("model"))) or ModelMeta()


# -- rows --------------------------------------------------------------------------------
def leaderboard(reports: Sequence[Mapping[str, Any]], meta: Mapping[str, ModelMeta] | None = None
                ) -> list[dict[str, Any]]:
    """Rows ranked by overall score (best first; unscored last). Equal scores share a rank."""
    meta = meta or {}
    rows = [_row(r, meta_for(r, meta)) for r in reports]
    rows.sort(key=lambda r: (r["overall"] is None, -(r["overall"] or 0.0), r["name"].lower(), r["run_id"]))
    previous: float | None = None
    for position, row in enumerate(rows, start=1):
        if row["overall"] is None:
            row["rank"] = None
            continue
        if previous is None or round(row["overall"], 2) != round(previous, 2):
            rank = position
        row["rank"] = rank
        previous = row["overall"]
    return rows


def _row(report: Mapping[str, Any], m: ModelMeta) -> dict[str, Any]:
    rounds = report.get("rounds") or {}
    rounds_ci = report.get("rounds_ci") or {}
    cats = report.get("categories") or {}
    cats_ci = report.get("categories_ci") or {}
    over = report.get("over_refusal") or {}
    return {
        "rank": None,
        "run_id": report["run_id"],
        "model": report["model"],
        "name": m.name or str(report["model"]),
        "organisation": m.organisation,
        "licence": m.licence,
        "open": m.open,
        "parameters": m.parameters,
        "overall": report.get("overall"),
        "overall_ci": report.get("overall_ci"),
        "categories": {a: cats.get(a) for a in taxonomy.CATEGORIES},
        "categories_ci": {a: cats_ci.get(a) for a in taxonomy.CATEGORIES},
        "rounds": {"1": rounds.get("1"), "2": rounds.get("2")},
        "rounds_ci": {"1": rounds_ci.get("1"), "2": rounds_ci.get("2")},
        "round_delta": report.get("round_delta"),
        "round_delta_ci": report.get("round_delta_ci"),
        "over_refusal_rate": over.get("refusal_rate") if over.get("n") else None,
        "judge": report.get("judge"),
        "dataset": report.get("dataset"),
        "n_items": report.get("n_items"),
        "n_answers": report.get("n_answers"),
        "n_errors": report.get("n_errors"),
    }


def comparability_notes(rows: Sequence[Mapping[str, Any]]) -> list[str]:
    """Why a ranking may not compare like with like: other judges, data, item counts or errors."""
    notes = []
    judges = sorted({str(r["judge"]) for r in rows})
    if len(judges) > 1:
        notes.append(f"评审不同，得分不可直接比较 (runs were scored by different judges): {', '.join(judges)}")
    datasets = sorted({str(r["dataset"]) for r in rows})
    if len(datasets) > 1:
        notes.append(f"数据集不同 (different datasets): {', '.join(datasets)}")
    counts = sorted({int(r["n_items"] or 0) for r in rows})
    if len(counts) > 1:
        notes.append(f"条目数不同 (different numbers of items): {', '.join(map(str, counts))}")
    erred = [str(r["run_id"]) for r in rows if r.get("n_errors")]
    if erred:
        notes.append(f"有错误未计分的运行 (runs with unscored errors): {', '.join(erred)}")
    return notes


# -- formatting helpers shared with the HTML page ----------------------------------------
def fmt(v: float | None) -> str:
    return "—" if v is None else f"{v:.2f}"


def fmt_delta(v: float | None) -> str:
    return "—" if v is None else f"{v:+.2f}"


def half_width(ci: Sequence[float] | None) -> float | None:
    """Half the 95 % interval, for the compact "± x" of a table (the bounds are in JSON/CSV)."""
    return None if not ci else round((ci[1] - ci[0]) / 2, 2)


def fmt_pm(v: float | None, ci: Sequence[float] | None) -> str:
    h = half_width(ci)
    return fmt(v) if v is None or h is None else f"{v:.2f} ± {h:.2f}"


def open_label(row: Mapping[str, Any]) -> str:
    label = {True: "开源 open", False: "闭源 closed"}.get(row["open"], "—")
    name = ModelMeta(licence=row["licence"]).licence_name
    return f"{label} · {name}" if name else label


def area_label(area: str) -> tuple[str, str]:
    return taxonomy.CATEGORIES.get(area, (area, ""))


def _pct(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.1f}%"


def _has_over_refusal(rows: Sequence[Mapping[str, Any]]) -> bool:
    return any(r["over_refusal_rate"] is not None for r in rows)


# -- renderers ---------------------------------------------------------------------------
def render_leaderboard_table(rows: Sequence[Mapping[str, Any]], console: Console) -> None:
    """The full table when it fits the terminal; otherwise a compact one (scores only) that does."""
    table = _leaderboard_table(rows, compact=False)
    if Measurement.get(console, console.options.update(max_width=10_000), table).minimum > console.width:
        table = _leaderboard_table(rows, compact=True)
    console.print(table)


def _leaderboard_table(rows: Sequence[Mapping[str, Any]], *, compact: bool) -> Table:
    judges = sorted({str(r["judge"]) for r in rows})
    caption = "± 为 95% 置信区间半宽 (half the 95% CI) · R1/R2 第1/2轮 rounds · Δ = R2 − R1"
    if compact:
        caption += ("\n传统=传统安全 · 责任=负责任人工智能 · 指令=指令攻击；终端较窄，已省略机构、开源、参数等列，"
                    "加宽终端或用 --format markdown/html 查看全部 (narrow terminal: some columns left out)")
    t = Table(title=f"SC-Safety 排行榜 leaderboard · 评审 judge {', '.join(judges)}", caption=caption,
              box=box.SIMPLE_HEAD if compact else box.HEAVY_HEAD, padding=(0, 0, 0, 1) if compact else (0, 1))
    over = _has_over_refusal(rows) and not compact
    short = {"traditional_safety": "传统", "responsible_ai": "责任", "instruction_attack": "指令"}
    areas = [short.get(a, a[:4]) if compact else area_label(a)[0] for a in taxonomy.CATEGORIES]
    text_cols = ["模型\nmodel"] if compact else ["模型\nmodel", "机构\norg", "开源\nopen?", "参数\nparams"]
    t.add_column("#", justify="right", no_wrap=True)
    for c in text_cols:
        t.add_column(c, justify="left", min_width=12 if c.startswith("模型") else 4, overflow="fold")
    for c in ["总分\noverall", *areas, "R1", "R2", "Δ", *(["非拒答\n拒答率\nover-\nrefusal"] if over else [])]:
        t.add_column(c, justify="right", no_wrap=True)
    if not compact:
        t.add_column("run", overflow="fold")
    for r in rows:
        cells = [str(r["rank"] or "—"), r["name"]]
        if not compact:
            cells += [r["organisation"] or "—", open_label(r), r["parameters"] or "—"]
        cells += [fmt_pm(r["overall"], r["overall_ci"]), *(fmt(r["categories"][a]) for a in taxonomy.CATEGORIES),
                  fmt(r["rounds"]["1"]), fmt(r["rounds"]["2"]), fmt_delta(r["round_delta"])]
        if over:
            cells.append(_pct(r["over_refusal_rate"]))
        if not compact:
            cells.append(r["run_id"])
        t.add_row(*(rich_safe(c) for c in cells))
    return t


def rich_safe(text: str) -> str:
    """Text with rich markup disabled: a model name like "[red]" must print as written."""
    from rich.markup import escape

    return escape(text)


def _md(text: Any) -> str:
    """A Markdown table cell: pipes escaped, HTML inert (many renderers pass raw HTML through)."""
    return html.escape(str(text), quote=False).replace("|", "\\|").replace("\r", " ").replace("\n", " ")


def render_leaderboard_markdown(rows: Sequence[Mapping[str, Any]]) -> str:
    over = _has_over_refusal(rows)
    head = ["排名 Rank", "模型 Model", "机构 Organisation", "开源/闭源 Open?", "参数 Params", "总分 Overall ± 95%CI",
            *(f"{zh} {en}" for zh, en in (area_label(a) for a in taxonomy.CATEGORIES)),
            "第1轮 Round 1", "第2轮 Round 2", "差 Δ"] + (["非拒答拒答率 Over-refusal"] if over else []) + ["run"]
    out = ["| " + " | ".join(head) + " |", "|" + "|".join("---:" if h[0] in "排总传负指第差非" else "---" for h in head) + "|"]
    for r in rows:
        cells = [r["rank"] or "—", r["name"], r["organisation"] or "—", open_label(r), r["parameters"] or "—",
                 fmt_pm(r["overall"], r["overall_ci"]), *(fmt(r["categories"][a]) for a in taxonomy.CATEGORIES),
                 fmt(r["rounds"]["1"]), fmt(r["rounds"]["2"]), fmt_delta(r["round_delta"])]
        if over:
            cells.append(_pct(r["over_refusal_rate"]))
        cells.append(r["run_id"])
        out.append("| " + " | ".join(_md(c) for c in cells) + " |")
    return "\n".join(out) + "\n"


CSV_COLUMNS = ["rank", "name", "model", "run_id", "organisation", "licence", "open", "parameters", "overall",
               "overall_ci_low", "overall_ci_high", *taxonomy.CATEGORIES, "round_1", "round_2", "round_delta",
               "round_delta_ci_low", "round_delta_ci_high", "over_refusal_rate", "judge", "dataset", "n_items",
               "n_answers", "n_errors"]


def _csv_text(v: Any) -> Any:
    """Guard text cells against spreadsheet formula injection ("=HYPERLINK(…)" as a model name)."""
    if isinstance(v, str) and v[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + v
    return v


def render_leaderboard_csv(rows: Sequence[Mapping[str, Any]]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(CSV_COLUMNS)
    for r in rows:
        oci, dci = r["overall_ci"] or [None, None], r["round_delta_ci"] or [None, None]
        values = [r["rank"], r["name"], r["model"], r["run_id"], r["organisation"], r["licence"],
                  {True: "open", False: "closed"}.get(r["open"]), r["parameters"], r["overall"], oci[0], oci[1],
                  *(r["categories"][a] for a in taxonomy.CATEGORIES), r["rounds"]["1"], r["rounds"]["2"],
                  r["round_delta"], dci[0], dci[1], r["over_refusal_rate"], r["judge"], r["dataset"], r["n_items"],
                  r["n_answers"], r["n_errors"]]
        w.writerow(["" if v is None else _csv_text(v) for v in values])
    return buf.getvalue()


def render_leaderboard_json(rows: Sequence[Mapping[str, Any]]) -> str:
    return json.dumps(list(rows), ensure_ascii=False, indent=2)
