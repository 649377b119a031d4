"""The `caseload` command: a thin shell over the Python API. Builds the parser from one module per
subcommand (`sim.cli.<command>`) and dispatches to it.

Exit status: 0 success, 2 bad input (one line on stderr, no traceback), 1 internal error, 141
(128 + SIGPIPE, as the shell reports a command a closed pipe stopped) when whoever read our output
stopped reading, e.g. `caseload validate f.toml | head -1`.
"""
from __future__ import annotations

import argparse
import os
import signal
import sys

from sim.cli import (
    app,
    backtest,
    baseline,
    compare,
    new_plan,
    plot,
    run,
    schema,
    sensitivity,
    sweep,
    target,
    validate,
)
from sim.cli.common import BadInput, BatchFailed, Interrupted, Parser
from sim.scenario.loading import ScenarioError

SUBCOMMANDS = (run, compare, sweep, sensitivity, baseline, new_plan, target, backtest, plot,
               validate, schema, app)
HANDLERS = {"run": run.cmd_run, "compare": compare.cmd_compare, "sweep": sweep.cmd_sweep,
            "sensitivity": sensitivity.cmd_sensitivity, "baseline": baseline.cmd_baseline,
            "target": target.cmd_target, "plot": plot.cmd_plot, "validate": validate.cmd_validate,
            "schema": schema.cmd_schema, "backtest": backtest.cmd_backtest,
            "new-plan": new_plan.cmd_new_plan, "app": app.cmd_app}


def build_parser() -> argparse.ArgumentParser:
    """The `caseload` parser: one subparser per module of SUBCOMMANDS, in help order."""
    parser = Parser(
        prog="caseload",
        description="Simulate children's social-care caseloads under a council's hiring plan.",
        epilog="Example: " + run.EXAMPLE,
    )
    commands = parser.add_subparsers(dest="command", required=True, parser_class=Parser)
    for module in SUBCOMMANDS:
        module.add_parser(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    from sim.runner.executors import ExecutorUnavailable
    from sim.runner.store import StoreMismatch

    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        args = build_parser().parse_args(argv)
        args.argv = argv
        status = HANDLERS[args.command](args)
        sys.stdout.flush()  # a closed pipe shows here, not in the interpreter's exit
        return status
    except BrokenPipeError:
        return _reader_gone()
    except (BadInput, ScenarioError, ExecutorUnavailable, StoreMismatch) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except Interrupted as message:
        print(message, file=sys.stderr)
        return 130
    except BatchFailed as message:
        print(message, file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


def _reader_gone() -> int:
    """Stop quietly when our standard output's reader has gone (a closed pipe): point stdout at
    devnull so the interpreter's final flush does not fail again, and exit as SIGPIPE would."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    return 128 + signal.SIGPIPE
