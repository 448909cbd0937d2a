"""`kiosk card trust`: the CSCA trust store passive authentication uses (import master lists, CSCAs, CRLs; list).

Exit status: 0 done, 2 bad arguments or a refused file (the store is unchanged), 3 no trust store configured.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from kiosk.commands.common import add_config_options, config_from_args, fail, print_json


def register(subparsers: argparse._SubParsersAction) -> None:
    trust = subparsers.add_parser("trust", help="the CSCA trust store: master lists, CSCA certificates, CRLs")
    sub = trust.add_subparsers(dest="trust_command", metavar="ACTION")
    imp = sub.add_parser("import", help="check a master list (.ml), CSCA certificate or CRL and add it")
    add_config_options(imp)
    imp.add_argument("file", type=Path)
    imp.add_argument("--trust-store", type=Path, default=None, help="trust store folder (default: the config's)")
    imp.add_argument("--json", action="store_true", help="print one JSON object")
    imp.set_defaults(func=_import)
    lst = sub.add_parser("list", help="the trusted CSCAs and CRLs, with where each came from")
    add_config_options(lst)
    lst.add_argument("--trust-store", type=Path, default=None, help="trust store folder (default: the config's)")
    lst.add_argument("--json", action="store_true", help="print one JSON object")
    lst.set_defaults(func=_list)
    trust.set_defaults(func=lambda _args: (trust.print_help(), 2)[1])


def _folder(args: argparse.Namespace) -> Path | None:
    return args.trust_store if args.trust_store is not None else config_from_args(args).document.trust_store


def _import(args: argparse.Namespace) -> int:
    from kiosk.devices.document.trust_import import import_trust_file
    from kiosk.errors import TrustMaterialRejected

    folder = _folder(args)
    if folder is None:
        return fail("no trust store: set [document] trust_store or give --trust-store", 3)
    try:
        done = import_trust_file(folder, args.file)
    except TrustMaterialRejected as exc:
        return fail(f"refused, trust store unchanged: {exc.detail}")
    out = {"kind": done.kind, "file": done.file, "certificates": done.certificates, "replaced": done.replaced,
           "trust_store": str(folder)}
    if args.json:
        print_json(out)
    else:
        print(f"imported {done.kind} {done.file} ({done.certificates} CSCA certificates) into {folder}")
    return 0


def _country(name) -> str:
    from cryptography.x509.oid import NameOID

    values = name.get_attributes_for_oid(NameOID.COUNTRY_NAME)
    return str(values[0].value) if values else ""


def _list(args: argparse.Namespace) -> int:
    from kiosk.devices.document.trust_store import TrustStore

    folder = _folder(args)
    if folder is None:
        return fail("no trust store: set [document] trust_store or give --trust-store", 3)
    store = TrustStore.load(folder)
    cscas = [{"subject": c.subject.rfc4514_string(), "country": _country(c.subject),
              "not_after": c.not_valid_after_utc.isoformat(), "source": store.source_of(c)}
             for c in store.certificates]
    crls = [{"issuer": item.crl.issuer.rfc4514_string(), "country": _country(item.crl.issuer),
             "this_update": item.crl.last_update_utc.isoformat(),
             "next_update": item.crl.next_update_utc.isoformat() if item.crl.next_update_utc else None,
             "revoked": len(item.crl), "source": item.source} for item in store.crls]
    if args.json:
        print_json({"trust_store": str(folder), "cscas": cscas, "crls": crls, "problems": store.problems})
    else:
        for c in cscas:
            print(f"CSCA {c['country'] or '--'}  {c['subject']}  until {c['not_after'][:10]}  ({c['source']})")
        for r in crls:
            print(f"CRL  {r['country'] or '--'}  {r['issuer']}  {r['revoked']} revoked  ({r['source']})")
        for problem in store.problems:
            print(f"problem: {problem}")
    return 0
