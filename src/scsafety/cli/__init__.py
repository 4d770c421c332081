"""The `scsafety` command line. Thin: parse, call the library, print.

Exit codes: 0 ok · 1 finished, but with errors (stored, not scored) · 2 bad input.
"""

from __future__ import annotations

import argparse
import sys
import traceback
from collections.abc import Sequence

from scsafety import __version__
from scsafety.cli import compare, data, judge, leaderboard, report, run, view
from scsafety.cli.common import EXIT_BAD_INPUT, Io, debug_enabled
from scsafety.errors import BadInput, ScSafetyError


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line on stderr and exit code 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        sys.stderr.write(f"scsafety: 参数错误 usage error: {message} (see `{self.prog} --help`)\n")
        raise SystemExit(EXIT_BAD_INPUT)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="scsafety", description="SC-Safety：中文大模型多轮对抗安全评测 "
                                                  "(multi-round adversarial safety evaluation of Chinese LLMs)")
    parser.add_argument("--version", action="version", version=f"scsafety {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND", parser_class=_Parser)
    run.register(sub)
    report.register(sub)
    leaderboard.register(sub)
    compare.register(sub)
    data.register(sub)
    view.register(sub)
    sub.add_parser("judge", help="重新评分 re-judge a run · judge eval · judge agree · judge review", add_help=False)
    return parser


def _dispatch_judge(argv: list[str]) -> argparse.Namespace:
    from scsafety.cli import judge_eval

    if argv and argv[0] in judge_eval.SUBCOMMANDS:
        return judge_eval.parse(argv)
    p = judge.build_rejudge_parser()
    p.__class__ = _Parser
    return p.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    io = Io.default()
    try:
        if args_list and args_list[0] == "judge":
            args = _dispatch_judge(args_list[1:])
        else:
            args = build_parser().parse_args(args_list)
        return int(args.func(args, io) or 0)
    except SystemExit as exc:
        return int(exc.code) if isinstance(exc.code, int) else EXIT_BAD_INPUT
    except BadInput as exc:
        sys.stderr.write(f"scsafety: 错误 error: {exc}\n")
        return EXIT_BAD_INPUT
    except ScSafetyError as exc:
        sys.stderr.write(f"scsafety: 错误 error: {exc}\n")
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        sys.stderr.write("scsafety: 已中断 interrupted\n")
        return 130
    except Exception as exc:  # noqa: BLE001 - never show a traceback to a user by default
        if debug_enabled():
            traceback.print_exc()
        sys.stderr.write(f"scsafety: 内部错误 internal error: {type(exc).__name__}: {exc} "
                         "(set SCSAFETY_DEBUG=1 for details)\n")
        return 3


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
