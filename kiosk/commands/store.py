"""`kiosk store check` and `kiosk store salvage`: the technician's tools for a damaged terminal database.

The shell and the daemon only ever report a damaged file (out of service, `db-corrupt`); replacing it is a
technician's decision, taken here. The damaged file is moved aside, never deleted: it is the only copy of whatever
the salvage could not read, for the vendor or a later, better tool.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
from pathlib import Path

from kiosk.commands.common import add_config_options, config_from_args, fail, print_json

DAMAGED_FOLDER = "damaged"


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("store", help="the terminal's database: check it, salvage a damaged one")
    sub = parser.add_subparsers(dest="store_command", metavar="ACTION")
    check = sub.add_parser("check", help="SQLite's quick check of the database (exit 0 sound, 1 damaged)")
    add_config_options(check)
    check.add_argument("--json", action="store_true", help="one JSON object")
    check.set_defaults(func=_check)
    salvage = sub.add_parser(
        "salvage", help="copy every readable row of a damaged database into a fresh one and put it in place",
        description="For a database whose quick check fails (the terminal shows out of service, database-corrupt). "
                    "Every row still readable is copied into a new file; transactions not yet delivered are kept "
                    "and queued (one whose row was lost is rebuilt from its outbox entry, and the reverse); the "
                    "sequence continues past every number seen. The damaged file and its WAL are moved to "
                    f"<data>/{DAMAGED_FOLDER}/<time>/ (never deleted) and the new file takes its place; a running "
                    "shell notices within [service] database_check_s and serves again. Stop kiosk-sync first.")
    add_config_options(salvage)
    salvage.add_argument("--json", action="store_true", help="the report as one JSON object")
    salvage.set_defaults(func=_salvage)
    parser.set_defaults(func=lambda _a: fail("store: give an action (check, salvage)"))


def _database(args: argparse.Namespace) -> Path:
    return config_from_args(args).data_dir / "kiosk.db"


def _check(args: argparse.Namespace) -> int:
    from kiosk.terminal.database_watch import look_at

    path = _database(args)
    finding = look_at(path)
    if args.json:
        print_json({"database": str(path), "sound": finding is None, "problem": finding.detail if finding else None})
    elif finding is None:
        print(f"{path}: sound (SQLite quick check: ok)")
    else:
        print(f"{path}: DAMAGED: {finding.detail}")
        print("  salvage the readable rows with `kiosk store salvage`, or put a good copy in its place")
    return 0 if finding is None else 1


def _salvage(args: argparse.Namespace) -> int:
    from contract.atomic_write import fsync_folder
    from contract.eventlog import EventLog
    from contract.log_events import Event
    from kiosk.store.data_folder import secure_data_folder, secure_database_file
    from kiosk.store.salvage import SalvageFailed, salvage
    from kiosk.terminal.database_watch import look_at

    path = _database(args)
    if not path.exists():
        return fail(f"no kiosk database at {path}")
    finding = look_at(path)
    if finding is None:
        return fail(f"{path} passes SQLite's quick check: nothing to salvage", status=1)
    sides = [path.with_name(path.name + s) for s in ("-wal", "-shm")]
    needed = sum(p.stat().st_size for p in (path, *sides) if p.exists()) * 2  # a scratch copy and the new file
    free = os.statvfs(path.parent)
    if free.f_bavail * free.f_frsize < needed:
        return fail(f"{path.parent} has {free.f_bavail * free.f_frsize // 2**20} MB free; salvage needs about "
                    f"{needed // 2**20 + 1} MB (free some, or copy the folder to a larger disk and use --data)")
    fresh = path.with_name(path.name + ".salvaged")
    for leftover in (fresh, *(fresh.with_name(fresh.name + s) for s in ("-wal", "-shm"))):
        leftover.unlink(missing_ok=True)  # an earlier salvage that was interrupted
    log = EventLog(path=path.parent / "logs" / "kiosk.jsonl", component="kiosk")
    try:
        report = salvage(path, fresh)
    except SalvageFailed as exc:
        log.log(Event.DB_SALVAGED, outcome="failed", problem=str(exc))
        return fail(f"{exc}; the damaged file is unchanged", status=1)
    secure_database_file(fresh)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    aside = secure_data_folder(path.parent / DAMAGED_FOLDER) / stamp
    aside.mkdir(mode=0o700)
    for original in (path, *sides):
        if original.exists():
            os.replace(original, aside / original.name)
    os.replace(fresh, path)  # the new file appears whole, under the name the shell watches
    fsync_folder(path.parent)
    fsync_folder(aside)
    log.log(Event.DB_SALVAGED, outcome="replaced", problem=finding.detail, kept=str(aside), **report.as_dict())
    log.close()
    if args.json:
        print_json({"database": str(path), "damaged_copy": str(aside), **report.as_dict()})
        return 0
    print(f"{path}: replaced by a salvaged copy (was: {finding.detail})")
    for table in report.tables:
        note = " UNREADABLE" if table.unreadable else (
            f", {len(table.skipped)} damaged stretch(es) skipped" if table.skipped else "")
        print(f"  {table.name:<17} {table.rows:>7} rows{note}")
    print(f"  rebuilt           {report.rebuilt_transactions} transaction row(s) from their outbox entries, "
          f"{report.requeued_transactions} outbox entr(ies) from their transactions")
    print(f"  waiting to send   {report.pending} (kiosk-sync sends them; the district drops what it holds)")
    print(f"  next sequence     {report.next_seq}")
    print(f"  damaged copy      {aside} (personal data: delete it once the district has the backlog)")
    return 0

