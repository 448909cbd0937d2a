"""`python -m kiosk.update apply|recover|status`: the root side of an update (deploy/updates.md).

- `apply`: install the package the sync daemon left verified in the updates folder, restart the shell's unit
  and keep the new version only if the unit reaches READY=1 within --timeout; else the previous version goes
  live again by itself. Run by deploy/systemd/kiosk-update.service when the shell asks between sessions.
- `recover`: at boot, before the shell: an update interrupted during its trial is undone.
- `status`: the live and previous versions and the last update's state, as JSON.
Exit status: 0 confirmed / nothing to do, 3 rolled back, 4 refused.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from contract.eventlog import EventLog
from kiosk.update.incoming import APPLY_REQUEST, READY_FILE, verified_package
from kiosk.update.installer import UpdateState, install, recover
from kiosk.update.ready_gate import SystemdUnitGate
from kiosk.update.releases import Releases

EXIT = {"confirmed": 0, "current": 0, "rolled-back": 3, "refused": 4}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="kiosk-update", description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=Path("/opt/kiosk-releases"), help="the versions folder")
    parser.add_argument("--live", type=Path, default=Path("/opt/kiosk"), help="the symlink the units start")
    parser.add_argument("--log", type=Path, default=Path("/var/log/kiosk-update.jsonl"))
    sub = parser.add_subparsers(dest="command", required=True)
    apply = sub.add_parser("apply", help="install the verified package and gate it")
    apply.add_argument("--incoming", type=Path, default=Path("/var/lib/kiosk/updates"))
    apply.add_argument("--unit", default="kiosk-shell.service", help="the unit whose READY=1 confirms")
    apply.add_argument("--timeout", type=float, default=180.0, help="seconds the new version has for READY=1")
    sub.add_parser("recover", help="undo an update interrupted before READY=1")
    sub.add_parser("status", help="versions and the last update's state as JSON")
    args = parser.parse_args(argv)
    releases = Releases(args.root, args.live)
    if args.command == "status":
        current, previous = releases.current(), releases.previous()
        print(json.dumps({"live": current.version if current else None,
                          "previous": previous.version if previous else None,
                          "state": UpdateState(args.root).read()}, indent=2))
        return 0
    log = EventLog(stream=sys.stderr, path=args.log, component="kiosk-update")
    if args.command == "recover":
        restored = recover(releases, log)
        print(f"restored {restored}" if restored else "nothing to recover")
        return 0
    (args.incoming / APPLY_REQUEST).unlink(missing_ok=True)  # the request is taken, whatever comes of it
    found = verified_package(args.incoming)
    if found is None:
        print(f"no verified package in {args.incoming} ({READY_FILE} absent or the file does not match it)",
              file=sys.stderr)
        return EXIT["refused"] if (args.incoming / READY_FILE).exists() else 0
    _version, package = found
    outcome = install(releases, package, lambda _release: SystemdUnitGate(args.unit), args.timeout, log)
    (args.incoming / READY_FILE).unlink(missing_ok=True)
    package.unlink(missing_ok=True)
    print(json.dumps({"outcome": outcome.outcome, "version": outcome.version, "live": outcome.live,
                      "detail": outcome.detail}))
    return EXIT[outcome.outcome]
