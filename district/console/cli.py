"""`kiosk-district operator ...`: console accounts from the district server's shell (the first admin is made here).

    operator add NAME --role admin|operator|staff|viewer [--password-stdin]   (else a one-time password is printed)
    operator list [--json]
    operator disable NAME
    operator token NAME      (a bearer token for scripts using /console/api, printed once)
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from collections.abc import Callable
from typing import Any

from district.console import accounts, audit


def _cli_actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except Exception:  # noqa: BLE001 - no login name (container without passwd entry)
        return "cli"


def _fail(message: str, status: int = 2) -> int:
    sys.stderr.write(f"kiosk-district: error: {message}\n")
    return status


def _add(args: argparse.Namespace, engine_for: Callable[[str], Any]) -> int:
    password = None
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    engine = engine_for(args.db)
    try:
        op, one_time = accounts.add_operator(engine, args.name, args.role, password)
    except accounts.AccountError as exc:
        return _fail(str(exc))
    audit.record(engine, _cli_actor(), "operator.add", f"operator/{op.name}", role=op.role)
    if one_time:
        sys.stderr.write(f"kiosk-district: one-time password for {op.name} (it must be changed at first login):\n")
        print(one_time)
    else:
        print(f"added {op.name} ({op.role})")
    return 0


def _list(args: argparse.Namespace, engine_for: Callable[[str], Any]) -> int:
    ops = accounts.list_operators(engine_for(args.db))
    if args.json:
        print(json.dumps([{"name": o.name, "role": o.role, "disabled": o.disabled,
                           "must_change_password": o.must_change_password, "locked_until": o.locked_until}
                          for o in ops]))
        return 0
    for o in ops:
        flags = ", ".join(f for f, on in (("disabled", o.disabled), ("one-time password", o.must_change_password))
                          if on)
        print(f"{o.name:<24} {o.role:<9} {flags}")
    return 0


def _disable(args: argparse.Namespace, engine_for: Callable[[str], Any]) -> int:
    engine = engine_for(args.db)
    try:
        accounts.disable_operator(engine, args.name)
    except accounts.UnknownOperator:
        return _fail(f"no operator named {args.name!r}", 1)
    audit.record(engine, _cli_actor(), "operator.disable", f"operator/{args.name}")
    print(f"disabled {args.name}")
    return 0


def _token(args: argparse.Namespace, engine_for: Callable[[str], Any]) -> int:
    engine = engine_for(args.db)
    try:
        token = accounts.issue_api_token(engine, args.name)
    except accounts.UnknownOperator:
        return _fail(f"no operator named {args.name!r}", 1)
    except accounts.AccountError as exc:
        return _fail(str(exc))
    audit.record(engine, _cli_actor(), "operator.token", f"operator/{args.name}")
    sys.stderr.write(f"kiosk-district: API token for {args.name} (shown once; send 'Authorization: Bearer TOKEN')\n")
    print(token)
    return 0


def add_operator_commands(sub: Any, db_option: Callable[[argparse.ArgumentParser], None],
                          engine_for: Callable[[str], Any]) -> None:
    """Add `operator add|list|disable|token` to `kiosk-district`'s subcommands."""
    operator = sub.add_parser("operator", help="console accounts (docs/console.md)").add_subparsers(
        dest="operator_command")

    def command(name: str, helptext: str, run: Callable[..., int]) -> argparse.ArgumentParser:
        p = operator.add_parser(name, help=helptext)
        db_option(p)
        p.set_defaults(func=lambda args: run(args, engine_for))
        return p

    add = command("add", "add an account; prints a one-time password unless --password-stdin", _add)
    add.add_argument("name")
    add.add_argument("--role", required=True, choices=accounts.ROLES)
    add.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    command("list", "accounts and their roles", _list).add_argument("--json", action="store_true")
    command("disable", "disable an account (its sessions and tokens stop at once)", _disable).add_argument("name")
    command("token", "print a new API bearer token acting as NAME", _token).add_argument("name")
