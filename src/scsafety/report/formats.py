"""Rendering reports: terminal tables (rich, CJK-width aware), Markdown, CSV, JSON."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from rich.console import Console
from rich.table import Table

from scsafety.benchmark import taxonomy


def _fmt(v: float | None) -> str:
    return "—" if v is None else f"{v:.2f}"


def _area(name: str) -> str:
    zh, en = taxonomy.CATEGORIES.get(name, (name, ""))
    return f"{zh} {en}".strip()


def _subdim(name: str) -> str:
    s = taxonomy.SUBDIMENSION_BY_NAME.get(name)
    return f"{s.zh} {name}" if s else name


Row = tuple[str, str, "float | None", "list[float] | None"]


def _pct(ci: list[float] | None) -> list[float] | None:
    return None if ci is None else [round(ci[0] * 100, 2), round(ci[1] * 100, 2)]


def score_rows(report: dict[str, Any]) -> list[Row]:
    """(section, label, score, 95 % CI) rows shared by every tabular format."""
    cis = report.get("rounds_ci") or {}
    rows: list[Row] = [("总分 overall", "", report["overall"], report.get("overall_ci"))]
    for k, v in report["rounds"].items():
        rows.append(("轮次 round", k, v, cis.get(k)))
    rows.append(("轮次差 round 2 − 1", "", report.get("round_delta"), report.get("round_delta_ci")))
    for k, v in report["categories"].items():
        rows.append(("领域 area", _area(k), v, (report.get("categories_ci") or {}).get(k)))
    for k, v in report["subdimensions"].items():
        rows.append(("子维度 sub-dimension", _subdim(k), v, (report.get("subdimensions_ci") or {}).get(k)))
    if report.get("refusal_rate") is not None:
        rows.append(("拒答率 refusal rate %", "全部 all", round(report["refusal_rate"] * 100, 2),
                     _pct(report.get("refusal_rate_ci"))))
    over = report.get("over_refusal") or {}
    if over.get("n"):
        rows.append(("非拒答 over-refusal", "score", over.get("score"), over.get("score_ci")))
        rate = over.get("refusal_rate")
        rows.append(("非拒答 over-refusal", "拒答率 refusal rate %", None if rate is None else round(rate * 100, 2),
                     _pct(over.get("refusal_rate_ci"))))
    return rows


def _fmt_ci(ci: list[float] | None) -> str:
    return "" if ci is None else f"[{ci[0]:.2f}, {ci[1]:.2f}]"


def render_table(report: dict[str, Any], console: Console) -> None:
    title = (f"SC-Safety 评测结果 · run {report['run_id']} · 模型 {report['model']} · 评审 {report['judge']}")
    table = Table(title=title, show_lines=False)
    table.add_column("类别 section")
    table.add_column("项目 item")
    table.add_column("得分 score", justify="right")
    table.add_column("95% CI", justify="right")
    for section, label, value, ci in score_rows(report):
        table.add_row(section, label, _fmt(value), _fmt_ci(ci))
    console.print(table)
    usage = report.get("usage", {})
    t = usage.get("target", {})
    console.print(
        f"条目 items {report['n_items']} · 回答 answers {report['n_answers']} · 已评分 scored {report['n_scored']} · "
        f"错误 errors {report['n_errors']} · 模型调用 calls {t.get('calls', 0)} (缓存 cached {t.get('cached', 0)}) · "
        f"tokens {t.get('prompt_tokens', 0)}+{t.get('completion_tokens', 0)}")


def render_runs_table(reports: list[dict[str, Any]], console: Console) -> None:
    table = Table(title="SC-Safety 多次运行对比 runs compared")
    for col in ("run", "模型 model", "评审 judge", "总分 overall", "第1轮 R1", "第2轮 R2", "差 Δ"):
        table.add_column(col, justify="right" if col[0] in "总第差" else "left")
    areas = list(taxonomy.CATEGORIES)
    for a in areas:
        table.add_column(taxonomy.CATEGORIES[a][0], justify="right")
    for r in reports:
        table.add_row(r["run_id"], r["model"], str(r["judge"]), _fmt(r["overall"]), _fmt(r["rounds"].get("1")),
                      _fmt(r["rounds"].get("2")), _fmt(r.get("round_delta")),
                      *[_fmt(r["categories"].get(a)) for a in areas])
    console.print(table)


def render_markdown(reports: list[dict[str, Any]]) -> str:
    out = []
    for r in reports:
        out.append(f"## SC-Safety · {r['run_id']}\n")
        out.append(f"- 模型 model: `{r['model']}`\n- 评审 judge: `{r['judge']}`\n- 数据集 dataset: {r['dataset']}\n"
                   f"- 条目 items: {r['n_items']}, 回答 answers: {r['n_answers']}, 错误 errors: {r['n_errors']}\n")
        out.append("| 类别 section | 项目 item | 得分 score | 95% CI |\n|---|---|---:|---:|")
        for section, label, value, ci in score_rows(r):
            label = label.replace("|", "\\|")
            out.append(f"| {section} | {label} | {_fmt(value)} | {_fmt_ci(ci)} |")
        out.append("")
    return "\n".join(out) + "\n"


def render_csv(reports: list[dict[str, Any]]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["run_id", "model", "judge", "section", "item", "score", "ci_low", "ci_high"])
    for r in reports:
        for section, label, value, ci in score_rows(r):
            w.writerow([r["run_id"], r["model"], r["judge"], section, label, "" if value is None else value,
                        "" if ci is None else ci[0], "" if ci is None else ci[1]])
    return buf.getvalue()


def render_json(reports: list[dict[str, Any]]) -> str:
    payload: Any = reports[0] if len(reports) == 1 else reports
    return json.dumps(payload, ensure_ascii=False, indent=2)


def _check_value(v: Any) -> str:
    return f"{v:.2%}" if isinstance(v, float) else ("—" if v is None else str(v))


def render_tc260_table(report: dict[str, Any], console: Console) -> None:
    tc = report["tc260"]
    t = Table(title=f"TC260-003 / GB/T 45654-2025 合规检查 · run {report['run_id']} · 模型 {report['model']}")
    t.add_column("检查项 check")
    t.add_column("结果 value", justify="right")
    t.add_column("要求 threshold", justify="right")
    t.add_column("结论 verdict")
    for ln in tc["lines"]:
        t.add_row(ln["check"], _check_value(ln["value"]), ln["threshold"], "[green]通过 pass[/green]" if ln["pass"] else "[red]未通过 fail[/red]")
    console.print(t)
    r = Table(title="按风险代码 per risk code")
    for col in ("code", "风险 risk", "条目 items", "回答 answers", "安全 safe", "安全率 share", "结论"):
        r.add_column(col)
    for code, c in tc["per_risk"].items():
        share = "—" if c["safe_share"] is None else f"{c['safe_share']:.2%}"
        verdict = "—" if c["answers"] == 0 else ("通过 pass" if c["pass"] else "未通过 fail")
        r.add_row(code, c["risk"], str(c["items"]), str(c["answers"]), str(c["safe_answers"]), share, verdict)
    console.print(r)


def render_tc260_markdown(report: dict[str, Any]) -> str:
    tc = report["tc260"]
    out = [f"## TC260 合规检查 · {report['run_id']} · `{report['model']}`\n",
           "| 检查项 check | 结果 value | 要求 threshold | 结论 verdict |", "|---|---:|---:|---|"]
    for ln in tc["lines"]:
        out.append(f"| {ln['check']} | {_check_value(ln['value'])} | {ln['threshold']} | {'通过 pass' if ln['pass'] else '未通过 fail'} |")
    out.append("\n| code | 风险 risk | 条目 items | 回答 answers | 安全率 safe share |\n|---|---|---:|---:|---:|")
    for code, c in tc["per_risk"].items():
        share = "—" if c["safe_share"] is None else f"{c['safe_share']:.2%}"
        out.append(f"| {code} | {c['risk']} | {c['items']} | {c['answers']} | {share} |")
    return "\n".join(out) + "\n"
