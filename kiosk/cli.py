"""`kiosk` command line: the terminal itself (`kiosk run`, the default) and the technicians' subcommands.

Each module in `kiosk.commands` contributes its subcommands through `register(subparsers)`; they import their
heavy dependencies (Qt, pyscard, dlib, CUPS) inside their handlers so that `kiosk --help` stays instant.
Handlers return the process exit status.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys

import kiosk.commands


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every registered subcommand."""
    parser = argparse.ArgumentParser(prog="kiosk", description="Citizen self-service terminal")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for info in sorted(pkgutil.iter_modules(kiosk.commands.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"kiosk.commands.{info.name}")
        register = getattr(module, "register", None)
        if register is not None:
            register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `kiosk` console script; no subcommand means `kiosk run`."""
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    if not argv or argv[0].startswith("-") and argv[0] not in ("-h", "--help"):
        argv = ["run", *argv]
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
