"""`kiosk-sync`: the sync daemon's process (drains the outbox, heartbeats, catalog updates).

    kiosk-sync [--config FILE] [--data DIR] [--district URL] [--token TOKEN] [--once]

With --once: enroll if needed, drain what is pending, check the catalog and send a heartbeat, then exit
0 when the backlog is empty, 3 when the district cannot be reached, 4 when it refuses (not enrolled, revoked,
kiosk key lost), 5 when the database is corrupt (after one heartbeat saying so). Without --once a corrupt
database does not stop the daemon: it heartbeats the condition and syncs again once the file is repaired
(sync.database_guard).
A revoked kiosk sends nothing until it is re-admitted (a new key enrolled with `kiosk enroll --token`, or --token).
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading

EXIT_OK = 0
EXIT_UNREACHABLE = 3
EXIT_REFUSED = 4
EXIT_DATABASE_CORRUPT = 5


def build_parser() -> argparse.ArgumentParser:
    from kiosk.commands.common import add_config_options

    parser = argparse.ArgumentParser(prog="kiosk-sync", description="Kiosk sync daemon")
    add_config_options(parser)
    parser.add_argument("--once", action="store_true", help="drain once and exit (0: backlog empty)")
    parser.add_argument("--token", default=None, help="one-time enrollment token (first start only)")
    parser.add_argument("--log", default=None, help="event log file (default <data>/logs/sync.jsonl)")
    return parser


def _fail(message: str, status: int) -> int:
    sys.stderr.write(f"kiosk-sync: {message}\n")
    return status


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `kiosk-sync` console script."""
    from pathlib import Path

    from contract.eventlog import EventLog
    from contract.log_events import Event
    from kiosk.commands.common import config_from_args
    from kiosk.errors import ConfigError, DatabaseCorrupt, DistrictUnavailable
    from kiosk.link.enrollment import EnrollmentRefused
    from kiosk.link.kiosk_key import KioskKeyLost
    from kiosk.store.data_folder import secure_data_folder, secure_database_file
    from kiosk.store.database import migrate
    from kiosk.supervision.notify import (
        LoopWatchdog,
        NotifyEnvironmentInvalid,
        Supervision,
        SupervisionError,
    )
    from sync.daemon import SyncDaemon
    from sync.database_guard import DATABASE_FILE, CorruptDatabaseReporter, open_checked, run_guarded

    args = build_parser().parse_args(argv)
    from kiosk.link.district_endpoint import district_endpoint

    try:
        config = config_from_args(args)
        district_endpoint(config.terminal.district_url, config.terminal.district_ca)  # refuse before any I/O
    except ConfigError as exc:
        return _fail(f"configuration: {exc}", 2)
    data = secure_data_folder(Path(config.data_dir))
    log = EventLog(path=Path(args.log) if args.log else data / "logs" / "sync.jsonl", component="sync")
    db_path = secure_database_file(data / DATABASE_FILE)
    if args.once:
        try:
            engine = open_checked(db_path)
        except DatabaseCorrupt as exc:
            CorruptDatabaseReporter(config, log, token=args.token).heartbeat()
            log.log(Event.DB_CORRUPT, path=str(db_path), detail=exc.detail[:300])
            log.close()
            return _fail(f"database corrupt: {exc.detail}", EXIT_DATABASE_CORRUPT)
        migrate(engine)
        daemon = SyncDaemon(config, engine, log, token=args.token)
        log.log(Event.APP_START, process="kiosk-sync", once=True)
        if not daemon.in_service():
            status = daemon.write_status_file()
            log.close()
            return _fail(f"revoked by the district: nothing sent ({status['undeliverable']} undeliverable; "
                         "export them with `kiosk outbox export`)", EXIT_REFUSED)
        try:
            daemon.ensure_enrolled()
        except KioskKeyLost as exc:
            daemon.write_status_file()
            return _fail(f"kiosk key lost: {exc}", EXIT_REFUSED)
        except EnrollmentRefused as exc:
            return _fail(f"refused: {exc}", EXIT_REFUSED)
        except DistrictUnavailable as exc:
            return _fail(f"district unreachable: {exc}", EXIT_UNREACHABLE)
        result = daemon.drain()
        daemon.check_catalog()
        daemon.heartbeat()
        status = daemon.write_status_file()
        log.close()
        if result.outcome == "empty":
            return EXIT_OK
        if result.outcome in ("refused", "revoked"):
            return _fail(f"refused: {result.reason} ({status['pending']} pending)", EXIT_REFUSED)
        return _fail(f"district unreachable: {result.reason} ({status['pending']} pending)", EXIT_UNREACHABLE)
    try:
        supervision = Supervision.from_environment(os.environ, os.getpid())
    except NotifyEnvironmentInvalid as exc:
        return _fail(str(exc), 2)
    # READY=1 on the loop's first pass, WATCHDOG=1 from the loop itself: a stuck loop stops the keep-alives.
    watchdog = LoopWatchdog(supervision, ready_status="sync loop running",
                            on_error=lambda exc: sys.stderr.write(f"kiosk-sync: notification failed: {exc}\n"))
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    log.log(Event.APP_START, process="kiosk-sync", once=False)
    # A corrupt database does not end the process (a supervisor would only restart it in a loop): the guard
    # reports it with each heartbeat and runs the sync loop again once the file is repaired.
    corrupt = run_guarded(config, log, stop, alive=watchdog, max_sleep_s=min(1.0, watchdog.max_sleep_s or 1.0),
                          token=args.token)
    try:
        supervision.notifier.stopping("stopping")
    except SupervisionError:
        pass  # the manager is stopping us anyway
    supervision.notifier.close()
    log.log(Event.APP_STOP, process="kiosk-sync")
    log.close()
    return EXIT_DATABASE_CORRUPT if corrupt else EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
