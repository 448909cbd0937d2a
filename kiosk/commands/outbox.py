"""`kiosk outbox status`: the sync backlog as the shell's indicator and diagnostics see it."""

from __future__ import annotations

import argparse

from kiosk.commands.common import add_config_options, config_from_args, fail, print_json


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("outbox", help="the transactions waiting for the district")
    sub = parser.add_subparsers(dest="outbox_command", metavar="ACTION")
    status = sub.add_parser("status", help="pending, delivered, dead letters, last success and error")
    add_config_options(status)
    status.add_argument("--json", action="store_true", help="one JSON object")
    status.set_defaults(func=_status)
    parser.set_defaults(func=lambda _a: fail("outbox: give an action (status)"))


def _status(args: argparse.Namespace) -> int:
    from contract.durable_sqlite import open_engine, sqlite_url
    from kiosk.store.database import migrate
    from kiosk.store.outbox import Outbox

    config = config_from_args(args)
    path = config.data_dir / "kiosk.db"
    if not path.exists():
        return fail(f"no kiosk database at {path}")
    engine = open_engine(sqlite_url(path))
    migrate(engine)
    status = Outbox(engine).status()
    if args.json:
        print_json(status)
        return 0
    print(f"pending       {status['pending']}")
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
