"""`kiosk run` (the default command): the citizen terminal's fullscreen shell."""

from __future__ import annotations

import argparse

from contract.errors import ContractError
from kiosk.commands.common import add_config_options, config_from_args, fail


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("run", help="run the terminal (the default command)")
    add_config_options(p)
    p.add_argument("--windowed", action="store_true", help="a normal window instead of locked fullscreen")
    p.add_argument("--quit-after", type=float, default=0.0, help=argparse.SUPPRESS)  # benchmarks
    p.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    import os

    from kiosk.supervision.notify import Supervision

    try:
        config = config_from_args(args)
        supervision = Supervision.from_environment(os.environ, os.getpid())
    except ContractError as exc:
        return fail(str(exc))
    from kiosk.ui.app import run_shell

    return run_shell(config, windowed=args.windowed, quit_after_s=args.quit_after, supervision=supervision)
