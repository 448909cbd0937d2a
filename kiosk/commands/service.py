"""`kiosk service run`: run one catalog item headless, with the same code as the shell (kiosk.services.runner).

Writes the documents and the receipt (as PDF) to --out and prints the transaction as one JSON object. With
--record the transaction and its outbox row are stored in the kiosk's database as a citizen's would be.
Exit status: 0 done (completed or queued), 1 service error, 2 usage or bad input, 3 district unreachable (for
items whose module may queue: re-run with --queue-offline, which is what the citizen accepts in the shell).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from kiosk.commands.common import add_config_options, config_from_args, fail, print_json


def register(subparsers: argparse._SubParsersAction) -> None:
    service = subparsers.add_parser("service", help="run service modules headless")
    sub = service.add_subparsers(dest="service_command", metavar="ACTION")
    run = sub.add_parser("run", help="run one catalog item for an identity and write its documents")
    add_config_options(run)
    run.add_argument("item_id")
    run.add_argument("--identity", type=Path, required=True,
                     help="JSON with the fields `kiosk card read --json` prints")
    run.add_argument("--input", action="append", default=[], metavar="KEY=VALUE", help="a form input (repeat)")
    run.add_argument("--out", type=Path, required=True, help="folder for the documents and the receipt")
    run.add_argument("--record", action="store_true", help="store the transaction and its outbox row")
    run.add_argument("--face-verified", action="store_true",
                     help="the citizen's face check matched (needed by document+face items)")
    run.add_argument("--queue-offline", action="store_true",
                     help="when the district is unreachable, queue the request (items that allow it)")
    run.set_defaults(func=_run)
    service.set_defaults(func=lambda _args: (service.print_help(), 2)[1])


def _run(args: argparse.Namespace) -> int:
    import datetime as dt

    from contract.catalog.model import CatalogInvalid
    from contract.eventlog import NullEventLog
    from kiosk.assembly import district_client, open_store
    from kiosk.catalog.source import CatalogSource
    from kiosk.core.identity import identity_from_fields
    from kiosk.devices.printer.receipt_pdf import render_receipt_pdf
    from kiosk.errors import DistrictUnavailable, InputInvalid, KioskError
    from kiosk.services.api import OfflinePolicy
    from kiosk.services.registry import ModuleRegistry
    from kiosk.services.runner import ServiceRunner

    config = config_from_args(args)
    try:
        identity = identity_from_fields(json.loads(args.identity.read_text(encoding="utf-8")))
    except (OSError, ValueError) as exc:
        return fail(f"--identity {args.identity}: {exc}")
    inputs: dict[str, str] = {}
    for pair in args.input:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            return fail(f"--input {pair!r}: expected KEY=VALUE")
        inputs[key] = value
    registry = ModuleRegistry.discover()
    try:
        catalog = CatalogSource(config.data_dir, NullEventLog(), registry.ids(), override=config.catalog.path).catalog
    except CatalogInvalid as exc:
        return fail(f"catalog: {exc}", 1)
    item = catalog.get(args.item_id)
    if item is None:
        return fail(f"no catalog item {args.item_id!r} (see `kiosk catalog list`)")
    store = open_store(config) if args.record else None
    runner = ServiceRunner(registry=registry, district=district_client(config), kiosk_id=config.terminal.kiosk_id,
                           office_name=config.terminal.office_name, district_name=config.terminal.district_name,
                           clock=lambda: dt.datetime.now().astimezone(), store=store,
                           language=config.terminal.language)
    try:
        try:
            outcome = runner.run(item, identity, inputs, face_verified=args.face_verified)
        except DistrictUnavailable as exc:
            if runner.offline_policy(item) is not OfflinePolicy.QUEUE:
                return fail(f"district unreachable ({exc.detail}); {item.id} cannot be queued", 3)
            if not args.queue_offline:
                return fail(f"district unreachable ({exc.detail}); re-run with --queue-offline to queue it", 3)
            outcome = runner.run(item, identity, inputs, face_verified=args.face_verified, queue_offline=True)
    except InputInvalid as exc:
        return fail(f"input {exc.field}: {exc.detail}", 2)
    except KioskError as exc:
        return fail(f"{type(exc).__name__}: {exc.detail}", 1)
    finally:
        identity.wipe()
    args.out.mkdir(parents=True, exist_ok=True)
    files = []
    for n, document in enumerate(outcome.result.documents, 1):
        path = args.out / f"{n:02d}-{document.kind}-{document.serial or item.id}.pdf"
        path.write_bytes(document.pdf)
        files.append(str(path))
    if outcome.receipt is not None:
        path = args.out / f"receipt-{outcome.tracking_number or item.id}.pdf"
        path.write_bytes(render_receipt_pdf(outcome.receipt, f"{config.terminal.office_name} · "
                                                            f"{config.terminal.kiosk_id}"))
        files.append(str(path))
    print_json({**outcome.as_json(), "files": files, "recorded": store is not None})
    sys.stdout.flush()
    return 0
