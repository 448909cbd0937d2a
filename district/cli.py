"""`kiosk-district`: run the reference district server and administer it (kiosks, catalog, stats)."""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
from pathlib import Path

from district.settings import DistrictSettings, default_keys_dir

DEFAULT_DB = "sqlite:///district.db"
SHIPPED_CATALOG = Path(__file__).resolve().parents[1] / "assets" / "catalog" / "catalog.json"


def _keys(args: argparse.Namespace) -> Path:
    return (args.keys or default_keys_dir(args.db)).resolve()


def _engine(url: str):
    from district.database import migrate, open_engine

    engine = open_engine(url)
    migrate(engine)
    return engine


def _fail(message: str, status: int = 2) -> int:
    sys.stderr.write(f"kiosk-district: error: {message}\n")
    return status


def _loopback_host(host: str) -> bool:
    import ipaddress

    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _serve_refusal(args: argparse.Namespace) -> str | None:
    """Why `serve` must not start with these options, or None."""
    if args.demo and not _loopback_host(args.host):
        # Demo data for any identity and token-less enrollment must never be reachable from the network.
        return f"--demo serves demo data and enrolls without tokens: bind it to loopback, not {args.host!r}"
    if bool(args.tls_cert) != bool(args.tls_key):
        return "--tls-cert and --tls-key go together"
    for option, path in (("--tls-cert", args.tls_cert), ("--tls-key", args.tls_key)):
        if path is not None and not path.is_file():
            return f"{option} {path}: no such file"
    return None


def _serve(args: argparse.Namespace) -> int:
    refusal = _serve_refusal(args)
    if refusal is not None:
        return _fail(refusal)

    import uvicorn

    from contract.eventlog import EventLog
    from contract.log_events import Event
    from district.app import create_app
    from district.tuf_repository import OperatorKeys

    keys_dir = _keys(args)
    from district.data_sources.registry import SourcesConfigError

    scheme = "https" if args.tls_cert else "http"
    settings = DistrictSettings(db_url=args.db, demo=args.demo, keys_dir=keys_dir,
                                public_url=args.public_url or f"{scheme}://{args.host}:{args.port}",
                                sources_file=args.sources.resolve() if args.sources else None,
                                public_rate_per_s=args.public_rate, public_rate_burst=args.public_burst,
                                heartbeat_threshold_s=args.heartbeat_threshold, heartbeat_grace_s=args.heartbeat_grace)
    tls = {"ssl_certfile": str(args.tls_cert), "ssl_keyfile": str(args.tls_key)} if args.tls_cert else {}
    log = EventLog(component="district")
    try:
        app = create_app(settings, eventlog=log)
    except SourcesConfigError as exc:
        return _fail(f"--sources: {exc}")
    repository = app.state.repository
    if args.demo and not repository.initialised():
        from sqlalchemy.exc import IntegrityError

        keys = OperatorKeys(keys_dir)
        keys.create_missing()
        try:
            repository.initialise(keys)
            if SHIPPED_CATALOG.exists():
                _publish_file(repository, keys, SHIPPED_CATALOG)
        except IntegrityError:
            pass  # another server process on the same database initialised it first
    stop = threading.Event()
    if keys_dir is not None and (keys_dir / "timestamp.pem").exists():
        from district.online_resigner import run_online_resigner

        threading.Thread(target=run_online_resigner, args=(repository, OperatorKeys(keys_dir), stop, log),
                         daemon=True, name="tuf-resigner").start()
    if app.state.request_submitter is not None:  # retries what failed at ingest time
        from district.citizen_requests import run_request_submitter

        threading.Thread(target=run_request_submitter, args=(app.state.engine, app.state.request_submitter, stop,
                                                             log), daemon=True, name="request-submitter").start()
    log.log(Event.DISTRICT_START, host=args.host, port=args.port, demo=args.demo, workers=args.workers,
            db=args.db.split("@")[-1])
    if args.workers > 1:
        # Each worker is its own process with its own app; they share the database (dedup, nonces, kiosk
        # states, rate-limit buckets, the TUF repository all live there).
        import os

        from district.asgi import ENV, settings_to_env

        os.environ[ENV] = settings_to_env(settings)
        app.state.engine.dispose()
        uvicorn.run("district.asgi:app", factory=True, host=args.host, port=args.port,
                    log_level="warning", workers=args.workers, **tls)
    else:
        uvicorn.run(app, host=args.host, port=args.port, log_level="warning", **tls)
    stop.set()
    return 0


def _kiosk_add(args: argparse.Namespace) -> int:
    from district.kiosk_registry import add_kiosk

    try:
        token = add_kiosk(_engine(args.db), args.name, replace=args.replace)
    except ValueError as exc:
        return _fail(str(exc))
    print(token)
    return 0


def _kiosk_readmit(args: argparse.Namespace) -> int:
    from district.kiosk_registry import readmit_kiosk

    try:
        token = readmit_kiosk(_engine(args.db), args.name)
    except KeyError:
        return _fail(f"no kiosk named {args.name!r}")
    except ValueError as exc:
        return _fail(str(exc))
    sys.stderr.write(f"kiosk-district: {args.name} re-admitted: enroll it with this one-time token and a new key "
                     "(kiosk enroll --token TOKEN --new-key); its old key stays void\n")
    print(token)
    return 0


def _kiosk_revoke(args: argparse.Namespace) -> int:
    from district.kiosk_registry import revoke_kiosk

    try:
        revoke_kiosk(_engine(args.db), args.name)
    except KeyError:
        return _fail(f"no kiosk named {args.name!r}")
    print(f"revoked {args.name}")
    return 0


def _kiosk_list(args: argparse.Namespace) -> int:
    from district.stats import kiosk_overview

    kiosks = kiosk_overview(_engine(args.db))
    if args.json:
        print(json.dumps(kiosks, ensure_ascii=False))
        return 0
    for name, k in sorted(kiosks.items()):
        print(_kiosk_line(name, k))
    return 0


def _kiosk_line(name: str, k: dict) -> str:
    age = k["last_heartbeat_age_s"]
    seen = "never" if age is None else f"{age:.0f} s ago"
    backlog = "-" if k["backlog"] is None else k["backlog"]
    dead = "-" if k["dead_letters"] is None else k["dead_letters"]
    refusal = f" catalog REFUSED: {k['catalog_refusal']}" if k["catalog_refusal"] else ""
    stopped = f" OUT OF SERVICE: {', '.join(k['out_of_service'])}" if k.get("out_of_service") else ""
    return (f"{name:<24} {k['state']:<8} heartbeat {seen:<12} backlog={backlog} dead={dead} "
            f"help={k['help_requests_open']} sw={k['software_version'] or '-'} "
            f"catalog=v{k['catalog_version'] if k['catalog_version'] is not None else '-'}{refusal}{stopped}")


def _publish_file(repository, keys, path: Path):
    from contract.catalog.model import parse_catalog
    from contract.catalog.modules import fleet_modules

    data = path.read_bytes()
    catalog = parse_catalog(data, fleet_modules())
    return repository.publish(keys, data, catalog.version)


def _catalog_init(args: argparse.Namespace) -> int:
    from district.tuf_repository import OperatorKeys, TufRepository

    keys = OperatorKeys(_keys(args))
    made = keys.create_missing()
    done = TufRepository(_engine(args.db)).initialise(keys)
    print(json.dumps({"keys_created": made, "repository_initialised": done, "keys": str(keys.folder)}))
    return 0


def _catalog_publish(args: argparse.Namespace) -> int:
    from district.catalog_cli import publish_command

    return publish_command(args, _keys(args), _engine)


def _software_publish(args: argparse.Namespace) -> int:
    from district.software_cli import publish_command

    return publish_command(args, _keys(args), _engine)


def _catalog_rollback(args: argparse.Namespace) -> int:
    from district.catalog_cli import rollback_command

    return rollback_command(args, _keys(args), _engine)


def _catalog_refresh(args: argparse.Namespace) -> int:
    from district.tuf_repository import OperatorKeys, RepositoryError, TufRepository

    try:
        snapshot, timestamp = TufRepository(_engine(args.db)).refresh_online(OperatorKeys(_keys(args)))
    except RepositoryError as exc:
        return _fail(str(exc))
    print(json.dumps({"snapshot_version": snapshot, "timestamp_version": timestamp}))
    return 0


def _catalog_rotate(args: argparse.Namespace) -> int:
    from district.tuf_repository import OperatorKeys, RepositoryError, TufRepository

    try:
        version = TufRepository(_engine(args.db)).rotate_key(OperatorKeys(_keys(args)), args.role)
    except RepositoryError as exc:
        return _fail(str(exc))
    print(json.dumps({"role": args.role, "root_version": version}))
    return 0


def _document_list(args: argparse.Namespace) -> int:
    from district.document_register import list_documents

    docs = list_documents(_engine(args.db), kiosk=args.kiosk, status=args.status)
    if args.json:
        print(json.dumps([d.as_json(with_content=False) for d in docs], ensure_ascii=False))
    else:
        for d in docs:
            print(f"{d.serial}\t{d.kiosk}\t{d.item}\t{d.issued_on}\t{d.status}")
    return 0


def _document_show(args: argparse.Namespace) -> int:
    from district.document_register import find_document

    doc = find_document(_engine(args.db), args.serial)
    if doc is None:
        return _fail(f"no document with serial {args.serial!r} in the register", 1)
    record = doc.as_json()
    if args.json:
        print(json.dumps(record, ensure_ascii=False))
    else:
        for key, value in record.items():
            if key != "content":
                print(f"{key}: {value}")
    return 0


def _document_revoke(args: argparse.Namespace) -> int:
    from district.document_register import revoke_document, revoke_kiosk_documents

    if (args.serial is None) == (args.kiosk is None):
        return _fail("give a SERIAL or --kiosk ID (every valid document of that kiosk)")
    if not args.reason.strip():
        return _fail("--reason must say why")
    engine = _engine(args.db)
    if args.kiosk is not None:
        revoked = revoke_kiosk_documents(engine, args.kiosk, args.reason.strip())
        print(json.dumps({"kiosk": args.kiosk, "revoked": revoked}, ensure_ascii=False))
        return 0
    try:
        changed = revoke_document(engine, args.serial, args.reason.strip())
    except KeyError:
        return _fail(f"no document with serial {args.serial!r} in the register", 1)
    print(json.dumps({"revoked": [args.serial] if changed else [], "already_revoked": [] if changed else
                      [args.serial]}))
    return 0


def _document_rotate_key(args: argparse.Namespace) -> int:
    from district.document_keys import document_key_path, rotate_signing_key

    path = document_key_path(DistrictSettings(db_url=args.db, keys_dir=_keys(args)))
    old, new = rotate_signing_key(path)
    print(json.dumps({"retired_key_id": old, "key_id": new, "key": str(path)}))
    sys.stderr.write("kiosk-district: restart the server to sign with the new key; the retired key still verifies "
                     "what it signed\n")
    return 0


def _stats(args: argparse.Namespace) -> int:
    from district.stats import district_stats

    stats = district_stats(_engine(args.db))
    if args.json:
        print(json.dumps(stats, ensure_ascii=False))
    else:
        for name, k in sorted(stats["kiosks"].items()):
            print(f"{_kiosk_line(name, k)} tx={k['transactions']} dup={k['duplicates_refused']}")
        print(f"total transactions: {stats['transactions']}; reported backlog: {stats['backlog_reported']}; "
              f"reported dead letters: {stats['dead_letters_reported']}; open help requests: "
              f"{stats['help_requests_open']}")
    return 0


def _help_list(args: argparse.Namespace) -> int:
    from district.assisted_verification import list_requests

    requests = list_requests(_engine(args.db), only_open=args.open)
    if args.json:
        print(json.dumps(requests, ensure_ascii=False))
        return 0
    for r in requests:
        who = f" by {r['decided_by']}" if r["decided_by"] else ""
        print(f"{r['id']:>6}  {r['kiosk']:<24} {r['kind']:<22} {r['state']:<9}{who}  "
              f"{r['masked_document'] or ''}  {time.time() - r['received_at']:.0f} s ago")
    return 0


def _help_decide(args: argparse.Namespace) -> int:
    import getpass

    from contract.assisted_verification import Verdict
    from contract.eventlog import EventLog
    from contract.log_events import Event
    from district.assisted_verification import DecisionError, decide, load_or_create_key

    verdict = Verdict.APPROVED if args.help_command == "approve" else Verdict.DENIED
    staff = args.staff or getpass.getuser()
    try:
        signed = decide(_engine(args.db), load_or_create_key(_keys(args)), args.id, verdict, staff,
                        valid_s=args.valid_for)
    except DecisionError as exc:
        return _fail(str(exc), 3 if exc.status == 404 else 4)
    except ValueError as exc:
        return _fail(str(exc))
    decision = signed.decision
    # The audit line names who decided; the kiosk gets the signed decision without it.
    EventLog(component="district").log(Event.HELP_DECIDED, request=decision.request_id, kiosk=decision.kiosk,
                                       verdict=decision.verdict.value, decided_by=staff,
                                       expires_at=round(decision.expires_at, 3))
    print(json.dumps({"id": decision.request_id, "kiosk": decision.kiosk, "verdict": decision.verdict.value,
                      "decided_by": staff, "expires_at": decision.expires_at}))
    return 0


def _requests_list(args: argparse.Namespace) -> int:
    from district.citizen_requests import list_requests

    rows = list_requests(_engine(args.db), kiosk=args.kiosk, status=args.status)
    if args.json:
        print(json.dumps(rows, ensure_ascii=False))
    else:
        for r in rows:
            when = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(r["received_at"]))
            print(f"{r['id']}  {r['kiosk']:<16} {r['item']:<28} {r['status']:<9} {r['tracking_number']:<14} "
                  f"{r['reference'] or '-':<20} {when}")
        print(f"{len(rows)} request(s)")
    return 0


def _backup(args: argparse.Namespace) -> int:
    from district.backup import BackupError, backup

    try:
        manifest = backup(args.db, args.out, _keys(args), include_keys=args.include_keys)
    except BackupError as exc:
        return _fail(str(exc))
    print(json.dumps({"backup": str(args.out), "dialect": manifest.dialect, "schema": manifest.schema_revision,
                      "keys_included": manifest.keys_included, "key_files": len(manifest.key_files)}))
    if not manifest.keys_included:
        sys.stderr.write(f"kiosk-district: the keys folder ({_keys(args)}) is not in this backup; keep its offline "
                         "keys apart, or give --include-keys\n")
    return 0


def _restore(args: argparse.Namespace) -> int:
    from district.backup import BackupError, restore

    try:
        manifest = restore(args.db, args.source, _keys(args), include_keys=args.include_keys)
    except BackupError as exc:
        return _fail(str(exc))
    print(json.dumps({"restored": str(args.source), "dialect": manifest.dialect, "schema": manifest.schema_revision,
                      "keys_restored": args.include_keys}))
    return 0


def build_parser() -> argparse.ArgumentParser:
    from district.catalog_cli import add_module_option

    parser = argparse.ArgumentParser(prog="kiosk-district", description="Reference district server")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def db_option(p: argparse.ArgumentParser) -> None:
        p.add_argument("--db", default=DEFAULT_DB, help="SQLAlchemy URL (sqlite or postgresql)")

    def keys_option(p: argparse.ArgumentParser) -> None:
        p.add_argument("--keys", type=Path, default=None,
                       help="operators' signing keys folder (default: beside a SQLite database, else "
                            "$XDG_DATA_HOME/kiosk-district/keys)")

    serve = sub.add_parser("serve", help="run the HTTP API")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8470)
    db_option(serve)
    keys_option(serve)
    serve.add_argument("--demo", action="store_true",
                       help="serve demo data; enroll loopback kiosks freely (loopback --host only)")
    serve.add_argument("--tls-cert", type=Path, default=None, help="serve HTTPS: the server certificate chain (PEM)")
    serve.add_argument("--tls-key", type=Path, default=None, help="the server certificate's private key (PEM)")
    serve.add_argument("--public-rate", type=float, default=DistrictSettings.public_rate_per_s, metavar="PER_S",
                       help="unauthenticated requests (enroll, health, keys, verification page) per second per source "
                            "address (default %(default)s)")
    serve.add_argument("--public-burst", type=int, default=DistrictSettings.public_rate_burst, metavar="N",
                       help="burst allowance of that limit (default %(default)s)")
    serve.add_argument("--sources", type=Path, default=None, metavar="FILE",
                       help="departments' citizen-data sources (TOML, see docs/data-sources.md)")
    serve.add_argument("--public-url", default="", help="base URL printed in verification QR codes")
    serve.add_argument("--workers", type=int, default=1, help="server processes sharing the database")
    serve.add_argument("--heartbeat-threshold", type=float, default=DistrictSettings.heartbeat_threshold_s,
                       metavar="S", help="console: a kiosk is green while its last heartbeat is this recent "
                                         "(default %(default)s)")
    serve.add_argument("--heartbeat-grace", type=float, default=DistrictSettings.heartbeat_grace_s, metavar="S",
                       help="console: then amber for this long, then red (default %(default)s)")
    serve.set_defaults(func=_serve)

    kiosk = sub.add_parser("kiosk", help="enroll and revoke kiosks").add_subparsers(dest="kiosk_command")
    add = kiosk.add_parser("add", help="register a kiosk and print its one-time enrollment token")
    add.add_argument("name")
    add.add_argument("--replace", action="store_true",
                     help="the name exists: issue a new token and void its old token and key")
    db_option(add)
    add.set_defaults(func=_kiosk_add)
    revoke = kiosk.add_parser("revoke", help="revoke a kiosk (effective at its next request)")
    revoke.add_argument("name")
    db_option(revoke)
    revoke.set_defaults(func=_kiosk_revoke)
    readmit = kiosk.add_parser("readmit", help="re-admit a revoked (repaired) kiosk: print a new one-time token; "
                                               "its old key stays void")
    readmit.add_argument("name")
    db_option(readmit)
    readmit.set_defaults(func=_kiosk_readmit)
    lst = kiosk.add_parser("list", help="kiosks: state, last heartbeat, backlog, versions, devices, help requests")
    lst.add_argument("--json", action="store_true")
    db_option(lst)
    lst.set_defaults(func=_kiosk_list)

    software = sub.add_parser("software", help="signed kiosk software packages (deploy/updates.md)") \
        .add_subparsers(dest="software_command")
    software_publish = software.add_parser("publish", help="sign and publish a kiosk release package")
    software_publish.add_argument("file", type=Path)
    software_publish.add_argument("--version", required=True, help="the release version, above the published one")
    db_option(software_publish)
    keys_option(software_publish)
    software_publish.set_defaults(func=_software_publish)

    catalog = sub.add_parser("catalog", help="the signed service catalog").add_subparsers(dest="catalog_command")
    init = catalog.add_parser("init", help="create operator keys and the TUF repository")
    db_option(init)
    keys_option(init)
    init.set_defaults(func=_catalog_init)
    publish = catalog.add_parser("publish", help="validate, sign and publish a catalog file (its version must be "
                                                 "higher than the published one)")
    publish.add_argument("file", type=Path)
    publish.add_argument("--bump", action="store_true", help="publish it as the published version + 1")
    add_module_option(publish)
    db_option(publish)
    keys_option(publish)
    publish.set_defaults(func=_catalog_publish)
    rollback = catalog.add_parser("rollback", help="republish an earlier version's content as a new, higher version")
    rollback.add_argument("--to", type=int, required=True, metavar="VERSION")
    add_module_option(rollback)
    db_option(rollback)
    keys_option(rollback)
    rollback.set_defaults(func=_catalog_rollback)
    refresh = catalog.add_parser("refresh", help="re-sign snapshot and timestamp (online keys) before expiry")
    db_option(refresh)
    keys_option(refresh)
    refresh.set_defaults(func=_catalog_refresh)

    rotate = catalog.add_parser("rotate-key", help="replace a role's key (new root version announces it)")
    rotate.add_argument("role", choices=("root", "targets", "snapshot", "timestamp"))
    db_option(rotate)
    keys_option(rotate)
    rotate.set_defaults(func=_catalog_rotate)
    for staged_key in (publish, rollback):
        staged_key.add_argument("--targets-key", type=Path, default=None, metavar="PEM",
                                help="the offline targets key, read for this command only (default: targets.pem "
                                     "in --keys)")
    rollback.add_argument("--group", default=None, help="offer the rollback to this group first")
    from district.rollout_cli import register as register_rollout

    register_rollout(kiosk, catalog, db_option, keys_option, _keys, _engine)

    document = sub.add_parser("document", help="the certificate register").add_subparsers(dest="document_command")
    dlist = document.add_parser("list", help="registered documents (no personal data but the masked name)")
    dlist.add_argument("--kiosk", default=None, help="only the documents this kiosk issued")
    dlist.add_argument("--status", choices=("valid", "revoked"), default=None)
    dlist.add_argument("--json", action="store_true")
    db_option(dlist)
    dlist.set_defaults(func=_document_list)
    show = document.add_parser("show", help="one registered document with its content")
    show.add_argument("serial")
    show.add_argument("--json", action="store_true")
    db_option(show)
    show.set_defaults(func=_document_show)
    drevoke = document.add_parser("revoke", help="revoke a document, or every valid document of a kiosk")
    drevoke.add_argument("serial", nargs="?", default=None)
    drevoke.add_argument("--kiosk", default=None, help="revoke every valid document this kiosk issued")
    drevoke.add_argument("--reason", required=True)
    db_option(drevoke)
    drevoke.set_defaults(func=_document_revoke)
    rotate_doc = document.add_parser("rotate-key", help="retire the document signing key (it keeps verifying "
                                                        "what it signed) and create a new one")
    db_option(rotate_doc)
    keys_option(rotate_doc)
    rotate_doc.set_defaults(func=_document_rotate_key)
    helpq = sub.add_parser("help", help="the staff queue: calls for help and assisted verifications")
    help_sub = helpq.add_subparsers(dest="help_command")
    hlist = help_sub.add_parser("list", help="help requests, oldest first, with who decided")
    hlist.add_argument("--json", action="store_true")
    hlist.add_argument("--open", action="store_true", help="only requests nobody has decided on yet")
    db_option(hlist)
    hlist.set_defaults(func=_help_list)
    for verb, text in (("approve", "you checked the citizen's document in person: let the session continue"),
                       ("deny", "the citizen could not be verified: end the session kindly")):
        decide_cmd = help_sub.add_parser(verb, help=text)
        decide_cmd.add_argument("id", type=int)
        decide_cmd.add_argument("--staff", default="", help="who decides (default: the login name)")
        decide_cmd.add_argument("--valid-for", type=float, default=180.0, metavar="SECONDS",
                                help="how long the kiosk may act on the decision (default 180, at most 900)")
        db_option(decide_cmd)
        keys_option(decide_cmd)
        decide_cmd.set_defaults(func=_help_decide)
    requests = sub.add_parser("requests", help="citizen requests queued at kiosks") \
        .add_subparsers(dest="requests_command")
    rlist = requests.add_parser("list", help="queued requests: id, item, kiosk, status, tracking number, received")
    db_option(rlist)
    rlist.add_argument("--kiosk", default=None, help="only this kiosk's requests")
    rlist.add_argument("--status", choices=("received", "submitted"), default=None)
    rlist.add_argument("--json", action="store_true")
    rlist.set_defaults(func=_requests_list)

    backup = sub.add_parser("backup", help="back up the database (pg_dump / SQLite online backup) into a new folder; "
                                           "the keys only with --include-keys")
    backup.add_argument("out", type=Path, help="the new (or empty) folder to write")
    backup.add_argument("--include-keys", action="store_true",
                        help="also copy the operators' keys folder (TUF, document-signing, assisted-verification keys)")
    db_option(backup)
    keys_option(backup)
    backup.set_defaults(func=_backup)
    restore = sub.add_parser("restore", help="replace the database's content with a backup (stop the servers first)")
    restore.add_argument("source", type=Path, help="a folder written by `kiosk-district backup`")
    restore.add_argument("--include-keys", action="store_true", help="also restore the keys the backup holds")
    db_option(restore)
    keys_option(restore)
    restore.set_defaults(func=_restore)

    stats = sub.add_parser("stats", help="transactions per kiosk, duplicates refused, last heartbeats")
    db_option(stats)
    stats.add_argument("--json", action="store_true")
    stats.set_defaults(func=_stats)
    from district.console.cli import add_operator_commands

    add_operator_commands(sub, db_option, _engine)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `kiosk-district` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
