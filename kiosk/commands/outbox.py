"""`kiosk outbox status` and `kiosk outbox export`: the sync backlog, and taking it away from a revoked kiosk."""

from __future__ import annotations

import argparse
import datetime as dt
import json
from pathlib import Path

from kiosk.commands.common import add_config_options, config_from_args, fail, print_json

EXPORT_FORMAT = "kiosk-outbox-export/1"


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("outbox", help="the transactions waiting for the district")
    sub = parser.add_subparsers(dest="outbox_command", metavar="ACTION")
    status = sub.add_parser("status", help="pending, delivered, dead letters, link (online, offline, revoked)")
    add_config_options(status)
    status.add_argument("--json", action="store_true", help="one JSON object")
    status.set_defaults(func=_status)
    export = sub.add_parser(
        "export", help="write the undelivered transactions and dead letters to a JSON file for the operator",
        description="Writes every outbox row not delivered (pending, or undeliverable while the kiosk is revoked) and "
                    "every dead letter, exactly as the outbox holds them: transaction id, sequence, service item and "
                    "module, status, the holder's keyed digest (never the document number), the module's summary, "
                    "a queued request's inputs, tracking number, rating and the kiosk's clock. Nothing is changed: "
                    "rows stay in the outbox and are still sent if the kiosk is re-admitted.")
    add_config_options(export)
    export.add_argument("--out", type=Path, required=True, help="the JSON file to write (0600; refuses to overwrite)")
    export.set_defaults(func=_export)
    parser.set_defaults(func=lambda _a: fail("outbox: give an action (status, export)"))


def _outbox(args: argparse.Namespace):
    from contract.durable_sqlite import open_engine, sqlite_url
    from kiosk.store.database import migrate
    from kiosk.store.outbox import Outbox

    config = config_from_args(args)
    path = config.data_dir / "kiosk.db"
    if not path.exists():
        return config, None
    engine = open_engine(sqlite_url(path))
    migrate(engine)
    return config, Outbox(engine)


def _status(args: argparse.Namespace) -> int:
    config, outbox = _outbox(args)
    if outbox is None:
        return fail(f"no kiosk database at {config.data_dir / 'kiosk.db'}")
    status = outbox.status()
    if args.json:
        print_json(status)
        return 0
    link = status["link"]
    if link == "revoked":
        link = (f"REVOKED by the district since {status['revoked_at']}: out of service, nothing is sent; "
                "export with `kiosk outbox export`")
    print(f"link          {link}")
    print(f"pending       {status['pending']}")
    if status["undeliverable"]:
        print(f"undeliverable {status['undeliverable']}")
    print(f"delivered     {status['delivered']}")
    print(f"dead letters  {status['dead_letter']}")
    age = status["oldest_pending_age_s"]
    print(f"oldest        {'-' if age is None else f'{age:.0f} s'}")
    print(f"last success  {status['last_success'] or 'never'}")
    print(f"last error    {status['last_error'] or '-'}")
    if status.get("kiosk_key") == "lost":
        print("kiosk key     LOST: enrolled but the key file is gone; re-key at the district (operator action)")
    catalog = status.get("catalog") or {}
    if catalog:
        flag = " (EXPIRED metadata: serving last good catalog)" if catalog.get("expired") else ""
        print(f"catalog       v{catalog.get('active_version')} {catalog.get('outcome')}{flag}")
    return 0


def _export(args: argparse.Namespace) -> int:
    from contract.atomic_write import write_atomic

    config, outbox = _outbox(args)
    if outbox is None:
        return fail(f"no kiosk database at {config.data_dir / 'kiosk.db'}")
    if args.out.exists():
        return fail(f"{args.out} exists: give another file (an export is never overwritten)")
    status = outbox.status()
    undelivered = outbox.undeliverable()
    document = {
        "format": EXPORT_FORMAT,
        "kiosk_id": config.terminal.kiosk_id,
        "exported_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "link": status["link"],
        "revoked_at": status["revoked_at"],
        "undelivered": undelivered,
        "dead_letters": outbox.dead_letters(),
    }
    try:
        write_atomic(args.out, json.dumps(document, ensure_ascii=False, indent=1).encode(), mode=0o600)
    except OSError as exc:
        return fail(f"cannot write {args.out}: {exc}")
    print_json({"out": str(args.out), "undelivered": len(undelivered), "dead_letters": len(document["dead_letters"]),
                "link": status["link"]})
    return 0
