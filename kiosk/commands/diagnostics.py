"""`kiosk diagnostics`: device health checks without the shell (run, history, readiness report).

`run` prints one JSON object per device (`--json`) or a table, records every run in the kiosk's database, and
exits 0 when all pass, 1 when any warns, 2 when any fails (3 for bad arguments or configuration).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from kiosk.commands.common import add_config_options, config_from_args, fail, print_json

DEVICES = ("reader", "camera", "face", "printer", "receipt", "voice", "district", "disk", "clock")


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("diagnostics", help="device health checks, their history, readiness report")
    sub = parser.add_subparsers(dest="diagnostics_command", metavar="ACTION")

    run = sub.add_parser("run", help="check the devices (exit 0 pass, 1 warn, 2 fail)")
    add_config_options(run)
    run.add_argument("--device", action="append", choices=DEVICES, default=None,
                     help="a device to check (repeatable; default: all)")
    run.add_argument("--level", choices=("internal", "external"), default="internal",
                     help="internal: status only; external: test page, receipt, sentence, card read, capture")
    run.add_argument("--json", action="store_true", help="one JSON object per device")
    run.set_defaults(func=_run)

    history = sub.add_parser("history", help="recorded checks, newest first")
    add_config_options(history)
    history.add_argument("--device", choices=DEVICES, default=None)
    history.add_argument("--limit", type=int, default=200)
    history.add_argument("--json", action="store_true", help="one JSON object per recorded check")
    history.set_defaults(func=_history)

    report = sub.add_parser("report", help="the readiness report as a PDF (runs the internal checks first)")
    add_config_options(report)
    report.add_argument("--out", type=Path, required=True, help="the PDF file to write")
    report.set_defaults(func=_report)
    parser.set_defaults(func=lambda _a: fail("diagnostics: give an action (run, history, report)"))


def _config(args: argparse.Namespace):
    from kiosk.errors import ConfigError

    try:
        return config_from_args(args), None
    except ConfigError as exc:
        return None, fail(f"configuration: {exc.detail or exc}", 3)


def _records(config):
    """The kiosk database's diagnostics records; None (and a warning) when the database cannot be opened."""
    from sqlalchemy.exc import SQLAlchemyError

    from contract.durable_sqlite import open_engine, sqlite_url
    from kiosk.store.database import migrate
    from kiosk.store.diagnostics import DiagnosticsRecords

    try:
        config.data_dir.mkdir(parents=True, exist_ok=True)
        engine = open_engine(sqlite_url(config.data_dir / "kiosk.db"))
        migrate(engine)
    except (OSError, SQLAlchemyError) as exc:
        sys.stderr.write(f"kiosk: warning: kiosk database unavailable, checks not recorded: {exc}\n")
        return None, None
    return engine, DiagnosticsRecords(engine)


def _run(args: argparse.Namespace) -> int:
    from sqlalchemy.exc import SQLAlchemyError

    from kiosk.devices.health import Level
    from kiosk.diagnostics.runner import exit_status, record_runs, run_checks, software_version

    config, error = _config(args)
    if config is None:
        return error
    runs = run_checks(config, Level(args.level), args.device)
    for run in runs:
        if args.json:
            print_json(run.as_json())
        else:
            s = run.status
            print(f"{s.device:<9} {s.health.value:<5} {s.status_id:<22} {s.state.value:<6} {s.power.value:<11} "
                  f"{run.ms:7.0f} ms  {s.text}")
            if s.health.value != "pass":
                print(f"{'':<9} fix: {s.fix_en}\n{'':<9} 处理: {s.fix_zh}")
    _, records = _records(config)
    if records is not None:
        try:
            record_runs(records, runs, software_version())
        except SQLAlchemyError as exc:  # a full disk: the checks above already say so
            sys.stderr.write(f"kiosk: warning: checks not recorded: {exc}\n")
    return exit_status(runs)


def _history(args: argparse.Namespace) -> int:
    config, error = _config(args)
    if config is None:
        return error
    if not (config.data_dir / "kiosk.db").exists():
        return fail(f"no kiosk database at {config.data_dir / 'kiosk.db'}")
    _, records = _records(config)
    if records is None:
        return fail("the kiosk database cannot be opened")
    for record in records.history(args.device, max(1, args.limit)):
        if args.json:
            print_json(record.as_json())
        else:
            print(f"{record.id:>6} {record.recorded_at} {record.device:<9} {record.level:<11} {record.health:<5} "
                  f"{record.status_id:<22} {record.text}")
    return 0


def _report(args: argparse.Namespace) -> int:
    from contract.atomic_write import write_atomic
    from kiosk.devices.health import Level
    from kiosk.diagnostics.readiness import gather
    from kiosk.diagnostics.report_pdf import render_readiness_pdf
    from kiosk.diagnostics.runner import record_runs, run_checks, software_version

    config, error = _config(args)
    if config is None:
        return error
    engine, records = _records(config)
    if records is None:
        return fail("the kiosk database cannot be opened: no report without the recorded checks")
    version = software_version()
    runs = run_checks(config, Level.INTERNAL)
    record_runs(records, runs, version)
    pdf = render_readiness_pdf(gather(config, engine, runs, version))
    try:
        write_atomic(args.out, pdf)
    except OSError as exc:
        return fail(f"cannot write {args.out}: {exc}")
    sys.stderr.write(f"kiosk: readiness report written to {args.out}\n")
    return 0
