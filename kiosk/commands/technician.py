"""`kiosk technician set-pin|check-pin|status`: the technicians' PIN of this kiosk (see kiosk.technician_pin).

The PIN is read from standard input (one line), never from the command line, where it would stay in the shell's
history and in the process list. On a terminal it is asked twice without echo.
"""

from __future__ import annotations

import argparse
import sys

from kiosk.commands.common import add_config_options, config_from_args, fail, print_json

# check-pin's exit status by outcome, for scripts (the technicians' mode calls the Python API instead)
CHECK_STATUS = {"accepted": 0, "rejected": 1, "locked-out": 3, "not-provisioned": 4}


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("technician", help="the technicians' PIN of this kiosk")
    tsub = p.add_subparsers(dest="technician_command", metavar="ACTION")
    s = tsub.add_parser("set-pin", help="set this kiosk's PIN (6-12 digits, read from standard input)")
    add_config_options(s)
    s.set_defaults(func=_set_pin)
    c = tsub.add_parser("check-pin", help="try a PIN read from standard input (counts towards the lockout)")
    add_config_options(c)
    c.add_argument("--json", action="store_true", help="print the verdict as JSON")
    c.set_defaults(func=_check_pin)
    st = tsub.add_parser("status", help="whether a PIN is set, failures, lockout (JSON)")
    add_config_options(st)
    st.set_defaults(func=_status)


def _pins(args: argparse.Namespace):
    from contract.eventlog import EventLog
    from kiosk.technician_pin import TechnicianPin

    config = config_from_args(args)
    log = EventLog(path=config.data_dir / "logs" / "kiosk.jsonl", component="kiosk")
    return TechnicianPin(config.data_dir, log=log)


def _read_pin(confirm: bool) -> str | None:
    if sys.stdin.isatty():
        import getpass

        pin = getpass.getpass("PIN: ")
        if confirm and getpass.getpass("PIN again: ") != pin:
            return None
        return pin
    return sys.stdin.readline().rstrip("\r\n")


def _set_pin(args: argparse.Namespace) -> int:
    from kiosk.errors import KioskError

    pin = _read_pin(confirm=True)
    if pin is None:
        return fail("the two PINs differ: nothing was changed")
    try:
        _pins(args).set_pin(pin)
    except KioskError as exc:
        return fail(f"{exc.detail}: nothing was changed")
    print("technician PIN set")
    return 0


def _check_pin(args: argparse.Namespace) -> int:
    from kiosk.errors import KioskError

    pin = _read_pin(confirm=False) or ""
    try:
        verdict = _pins(args).verify(pin)
    except KioskError as exc:
        return fail(exc.detail)
    if args.json:
        print_json({"outcome": verdict.outcome.value, "failures": verdict.failures,
                    "retry_after_s": round(verdict.retry_after_s, 1)})
    else:
        print(verdict.outcome.value)
    return CHECK_STATUS[verdict.outcome.value]


def _status(args: argparse.Namespace) -> int:
    from kiosk.errors import KioskError

    try:
        print_json(_pins(args).status())
    except KioskError as exc:
        return fail(exc.detail)
    return 0
