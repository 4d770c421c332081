"""Arguments and helpers shared by the command modules."""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console

from scsafety.errors import BadInput
from scsafety.judges import CascadeJudge, Judge, JudgeOptions, create_judge
from scsafety.models import ModelOptions
from scsafety.store import Store, default_db_path

EXIT_OK, EXIT_ERRORS, EXIT_BAD_INPUT = 0, 1, 2


@dataclass
class Io:
    """Where a command writes: results to ``out`` (stdout), progress and notes to ``err``."""

    out: Console
    err: Console

    @classmethod
    def default(cls) -> Io:
        return cls(Console(soft_wrap=True), Console(stderr=True, soft_wrap=True))


def add_db(p: argparse.ArgumentParser) -> None:
    p.add_argument("--db", help=f"结果库路径 results database (default: $SCSAFETY_DB or {default_db_path()})")


def open_store(args: argparse.Namespace, *, create: bool = True) -> Store:
    return Store(args.db or default_db_path(), create=create)


def positive_int(text: str) -> int:
    try:
        v = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"需要正整数 (expected a positive integer): {text!r}") from None
    if v <= 0:
        raise argparse.ArgumentTypeError(f"需要正整数 (expected a positive integer): {text!r}")
    return v


def positive_float(text: str) -> float:
    try:
        v = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"需要正数 (expected a positive number): {text!r}") from None
    if v <= 0:
        raise argparse.ArgumentTypeError(f"需要正数 (expected a positive number): {text!r}")
    return v


def unit_interval(text: str) -> float:
    try:
        v = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"需要 0 到 1 之间的数 (expected a number in (0, 1]): {text!r}") from None
    if not 0 < v <= 1:
        raise argparse.ArgumentTypeError(f"需要 0 到 1 之间的数 (expected a number in (0, 1]): {text!r}")
    return v


def non_negative_float(text: str) -> float:
    try:
        v = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"需要非负数 (expected a number >= 0): {text!r}") from None
    if v < 0:
        raise argparse.ArgumentTypeError(f"需要非负数 (expected a number >= 0): {text!r}")
    return v


def add_judge_args(p: argparse.ArgumentParser, *, default_builtin: bool, aggregate: bool = False) -> None:
    p.add_argument("--judge", action="append", metavar="SPEC",
                   help="评审 judge: builtin (默认 default)、provider:model、llamaguard:/qwen3guard:/shieldlm:<model>，"
                        "可重复 (repeatable)"
                   if default_builtin else "评审 judge spec: builtin, provider:model, llamaguard:/qwen3guard:/"
                                           "shieldlm:<model>")
    p.add_argument("--judge-base-url", help="LLM / 守卫评审的端点 base URL of an LLM or guard judge")
    p.add_argument("--judge-api-key-env", help="LLM 评审 API key 的环境变量名 env var holding the judge's key")
    p.add_argument("--judge-max-tokens", type=positive_int, default=512, help="LLM 评审的 max_tokens")
    p.add_argument("--judge-concurrency", type=positive_int, default=16, help="评审并发数 judge concurrency")
    p.add_argument("--judge-samples", type=positive_int, default=1, metavar="N",
                   help="自洽：每个回答问 LLM/守卫评审 N 次取多数 (self-consistency: majority of N samples; "
                        "judge id gains #n=N)")
    p.add_argument("--judge-temperature", type=non_negative_float, metavar="T",
                   help="评审采样温度 judge sampling temperature (default 0, or 0.7 when --judge-samples > 1)")
    p.add_argument("--cascade", type=unit_interval, metavar="T",
                   help="两个 --judge 串联：第一个评审把握度低于 T 的回答才交给第二个（如 builtin 之后 LLM）"
                        "(cascade two --judge: the second judges only answers the first is less sure of than T)")
    if aggregate:
        p.add_argument("--aggregate", choices=["majority", "mean"],
                       help="多个评审的聚合作为主评审 make aggregate:majority|mean of all the run's judges its "
                            "primary score (majority: ties → lower; mean: half rounds down)")


def build_judges(args: argparse.Namespace, timeout: float = 120.0) -> list[Judge]:
    specs = args.judge or ["builtin"]
    options = JudgeOptions(model=ModelOptions(base_url=args.judge_base_url, api_key_env=args.judge_api_key_env,
                                              max_tokens=args.judge_max_tokens, timeout=timeout,
                                              concurrency=args.judge_concurrency,
                                              temperature=getattr(args, "judge_temperature", None)),
                           samples=getattr(args, "judge_samples", 1))
    judges = [create_judge(s, options) for s in specs]
    cascade = getattr(args, "cascade", None)
    if cascade is not None:
        if len(judges) != 2:
            raise BadInput(f"--cascade 需要正好两个 --judge（先快后慢）(--cascade needs exactly two --judge, the fast "
                           f"one first), got {len(judges)}")
        judges = [CascadeJudge(judges[0], judges[1], cascade)]
    ids = [j.judge_id for j in judges]
    if len(set(ids)) != len(ids):
        raise BadInput(f"重复的评审 (duplicate judges): {', '.join(ids)}")
    return judges


def default_run_id(model_spec: str) -> str:
    name = re.sub(r"[^A-Za-z0-9._-]+", "-", model_spec).strip("-")[:40]
    return f"{name}-{time.strftime('%Y%m%d-%H%M%S')}"


def write_output(text: str, out_path: str | None, io: Io) -> None:
    if out_path:
        path = Path(out_path)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise BadInput(f"无法写入 (cannot write) {path}: {exc.strerror}") from None
        io.err.print(f"已写入 written: {path}")
    else:
        sys.stdout.write(text)
        if not text.endswith("\n"):
            sys.stdout.write("\n")
        sys.stdout.flush()


def debug_enabled() -> bool:
    return os.environ.get("SCSAFETY_DEBUG", "") not in ("", "0")
