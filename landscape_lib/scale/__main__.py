"""``python -m landscape_lib.scale run CONFIG --out DIR [...]`` and ``python -m landscape_lib.scale status DIR``."""

from __future__ import annotations

import argparse
import sys

from .results import sweep_status
from .runner import BACKENDS, run_sweep


def main(argv: list[str] | None = None) -> int:
    """Parse the command line, run or inspect a sweep; exit status 0 iff every task is done."""
    parser = argparse.ArgumentParser(prog="python -m landscape_lib.scale",
                                     description="Run DSS / energy-gap sweeps (Freeman & Bruna 2017) resumably, on Ray or locally.")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="run (or resume) a sweep")
    run.add_argument("config", help="a .toml/.json file (FILE.toml:NAME picks one sweep) or a bundled name, e.g. lecture05_small")
    run.add_argument("--out", required=True, help="results folder (rerun the same command to resume)")
    run.add_argument("--address", default=None, help="Ray cluster address, e.g. ray://head:10001 or auto")
    run.add_argument("--workers", type=int, default=None, help="tasks in flight (default: all CPUs)")
    run.add_argument("--backend", choices=BACKENDS, default="auto")
    run.add_argument("--max-retries", type=int, default=1)
    status = sub.add_parser("status", help="tasks done / failed / missing of a results folder")
    status.add_argument("out", help="results folder")
    args = parser.parse_args(argv)
    try:
        if args.command == "run":
            report = run_sweep(args.config, args.out, address=args.address, backend=args.backend,
                               workers=args.workers, max_retries=args.max_retries, progress=True)
            print(f"{report.backend}: ran {len(report.executed)} tasks ({len(report.failed)} failed), skipped "
                  f"{len(report.skipped)} already done, in {report.seconds:.1f} s")
        state = sweep_status(args.out)
    except (ValueError, TypeError, FileNotFoundError, ImportError) as error:  # a bad argument: no traceback
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(state.format())
    return 0 if state.complete else 1


if __name__ == "__main__":
    sys.exit(main())
