"""`kiosk-district kiosk group ...` and the staged catalog commands (`catalog stage|promote|halt|status|diff|
prepare|sign|upload`): what the operator sees of district.catalog_rollout and district.catalog_signing.

Exit status: 0 done; 1 refused (invalid catalog, every problem on its own line; version not higher; a rollout
step not possible in the current state; a signature or request that does not hold); 2 usage or trouble.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

from district.catalog_cli import EXIT_REFUSED, EXIT_TROUBLE, add_module_option

EngineOf = Callable[[str], Any]


def _say(message: str) -> None:
    sys.stderr.write(f"kiosk-district: {message}\n")


def _keys_for(args: argparse.Namespace, keys_dir: Path):
    """The server's keys, with the targets key from --targets-key when given (read for this command only)."""
    from district.catalog_signing import SessionKeys, read_key_file
    from district.tuf_repository import OperatorKeys

    online = OperatorKeys(keys_dir)
    if getattr(args, "targets_key", None):
        return SessionKeys(online, read_key_file(args.targets_key))
    return online


def _refusals(run: Callable[[], int], source: str) -> int:
    """Run a publishing step, turning the expected refusals into messages and exit statuses."""
    from contract.catalog.model import CatalogInvalid
    from district.catalog_rollout import RolloutError
    from district.catalog_signing import SigningError
    from district.kiosk_groups import GroupError
    from district.tuf_repository import NotSigned, RepositoryError, VersionNotHigher

    try:
        return run()
    except CatalogInvalid as exc:
        for problem in exc.problems:
            sys.stderr.write(f"{source}: {problem}\n")
        _say(f"error: {source}: not a valid catalog, {len(exc.problems)} problem(s); nothing published")
        return EXIT_REFUSED
    except VersionNotHigher as exc:
        _say(f"error: {source} has version {exc.offered} but version {exc.published} was published already: "
             f"versions only go up, kiosks refuse anything else. Nothing published (--bump publishes it as "
             f"{exc.published + 1}).")
        return EXIT_REFUSED
    except (RolloutError, SigningError, GroupError, NotSigned) as exc:
        _say(f"error: {exc}")
        return EXIT_REFUSED
    except RepositoryError as exc:
        _say(f"error: {exc}")
        return EXIT_TROUBLE


def _modules(args: argparse.Namespace) -> set[str]:
    from district.catalog_publishing import district_fleet_modules

    return district_fleet_modules(args.module)


def _print_new_version(done) -> None:
    print(json.dumps({**asdict(done.rollout), "published": asdict(done.published),
                      "previous_fleet_version": done.previous_fleet_version,
                      **({"rewritten_from": done.rewritten_from} if done.rewritten_from is not None else {})}))


def group_add(args: argparse.Namespace, engine_of: EngineOf) -> int:
    from district.kiosk_groups import GroupError, add_to_group

    try:
        added = add_to_group(engine_of(args.db), args.group, args.kiosks)
    except GroupError as exc:
        _say(f"error: {exc}")
        return EXIT_REFUSED
    print(json.dumps({"group": args.group, "added": added}))
    return 0


def group_remove(args: argparse.Namespace, engine_of: EngineOf) -> int:
    from district.kiosk_groups import remove_from_group

    removed = remove_from_group(engine_of(args.db), args.group, args.kiosks)
    print(json.dumps({"group": args.group, "removed": removed}))
    return 0


def group_list(args: argparse.Namespace, engine_of: EngineOf) -> int:
    from district.kiosk_groups import groups

    found = groups(engine_of(args.db))
    if args.json:
        print(json.dumps(found))
    else:
        for name, kiosks in found.items():
            print(f"{name}: {' '.join(kiosks)}")
    return 0


def stage(args: argparse.Namespace, keys_dir: Path, engine_of: EngineOf) -> int:
    """Validate FILE, sign it and offer it to GROUP's kiosks only."""
    from district.catalog_rollout import publish_version
    from district.tuf_repository import TufRepository

    def run() -> int:
        data = Path(args.file).read_bytes()
        done = publish_version(TufRepository(engine_of(args.db)), _keys_for(args, keys_dir), data, _modules(args),
                               group=args.group, bump=args.bump)
        _say(f"version {done.rollout.version} offered to group {args.group!r} first; the others stay on "
             f"{done.previous_fleet_version}. Watch it with `catalog status`, then `catalog promote "
             f"{done.rollout.version}` or `catalog halt {done.rollout.version}`.")
        _print_new_version(done)
        return 0

    return _file_errors(lambda: _refusals(run, str(args.file)), args.file)


def _file_errors(run: Callable[[], int], path: Path) -> int:
    try:
        return run()
    except OSError as exc:
        _say(f"error: {path}: {exc.strerror or exc}")
        return EXIT_TROUBLE


def promote(args: argparse.Namespace, engine_of: EngineOf) -> int:
    from district.catalog_rollout import promote as promote_version

    def run() -> int:
        done = promote_version(engine_of(args.db), args.version)
        print(json.dumps(asdict(done)))
        return 0

    return _refusals(run, f"version {args.version}")


def halt(args: argparse.Namespace, engine_of: EngineOf) -> int:
    from district.catalog_rollout import halt as halt_version

    def run() -> int:
        done = halt_version(engine_of(args.db), args.version, args.reason)
        _say(f"version {args.version} is offered to no one now; kiosks that applied it keep it until a higher "
             f"version reaches them (catalog rollback --to VERSION)")
        print(json.dumps(asdict(done)))
        return 0

    return _refusals(run, f"version {args.version}")


def status(args: argparse.Namespace, engine_of: EngineOf) -> int:
    from district.catalog_rollout import rollout_status
    from district.tuf_repository import TufRepository

    engine = engine_of(args.db)
    state = rollout_status(engine, TufRepository(engine))
    if args.json:
        print(json.dumps(state))
        return 0
    fleet = state["fleet"]
    print(f"fleet: version {fleet['version'] if fleet else '-'}")
    for v in state["versions"]:
        print(f"v{v['version']:<6} {v['state']:<10} {('group ' + v['group']) if v['group'] else 'all':<16}"
              f" applied {v['applied']}/{v['audience']}  {v['note']}")
    return 0


def diff(args: argparse.Namespace, engine_of: EngineOf) -> int:
    from district.catalog_diff import diff_catalogs
    from district.catalog_rollout import fleet_offer
    from district.tuf_repository import TufRepository

    def run() -> int:
        from contract.catalog.model import parse_catalog

        data = Path(args.file).read_bytes()
        parse_catalog(data, _modules(args))
        repository = TufRepository(engine_of(args.db))
        if args.against is not None:
            old = repository.published_contents(args.against)
            if old is None:
                _say(f"error: no catalog was published as version {args.against}")
                return EXIT_REFUSED
        else:
            with repository.session() as s:
                offer = fleet_offer(s, repository)
            old = repository.published_contents(offer.version) if offer else None
        found = diff_catalogs(old, data)
        print(json.dumps(found.as_json(), ensure_ascii=False) if args.json else "\n".join(found.lines()))
        return 0

    return _file_errors(lambda: _refusals(run, str(args.file)), args.file)


def prepare(args: argparse.Namespace, engine_of: EngineOf) -> int:
    from district.catalog_signing import prepare as prepare_request
    from district.tuf_repository import TufRepository

    def run() -> int:
        from contract.atomic_write import write_atomic

        request = prepare_request(TufRepository(engine_of(args.db)), Path(args.file).read_bytes(),
                                  _modules(args), group=args.group, bump=args.bump)
        write_atomic(args.out, request.to_json())
        _say(f"signing request {request.id} for catalog version {request.catalog_version} written to {args.out}: "
             f"sign it on the offline machine (kiosk-district catalog sign {args.out.name} --targets-key KEY "
             f"--out SIGNED.json), then catalog upload SIGNED.json here")
        return 0

    return _file_errors(lambda: _refusals(run, str(args.file)), args.file)


def sign(args: argparse.Namespace) -> int:
    """On the offline machine: no database, no server; the request file and the targets key file only."""
    from district.catalog_signing import SigningRequest, describe, read_key_file, sign_request

    def run() -> int:
        from contract.atomic_write import write_atomic

        request = SigningRequest.from_json(Path(args.request).read_bytes())
        for line in describe(request):
            _say(line)
        signed = sign_request(request, read_key_file(args.targets_key), _modules(args))
        write_atomic(args.out, signed)
        _say(f"signed; carry {args.out} to the server: kiosk-district catalog upload {args.out.name}")
        return 0

    return _file_errors(lambda: _refusals(run, str(args.request)), args.request)


def upload(args: argparse.Namespace, keys_dir: Path, engine_of: EngineOf) -> int:
    from district.catalog_signing import upload as upload_signed
    from district.tuf_repository import OperatorKeys, TufRepository

    def run() -> int:
        done = upload_signed(TufRepository(engine_of(args.db)), OperatorKeys(keys_dir), Path(args.file).read_bytes())
        _print_new_version(done)
        return 0

    return _file_errors(lambda: _refusals(run, str(args.file)), args.file)


def register(kiosk_sub: Any, catalog_sub: Any, db_option: Callable, keys_option: Callable,
             keys_of: Callable[[argparse.Namespace], Path], engine_of: EngineOf) -> None:
    """Add the group and staged-catalog subcommands to `kiosk-district kiosk` and `kiosk-district catalog`."""
    group = kiosk_sub.add_parser("group", help="named groups of kiosks (catalog rollouts go to a group first)")
    gsub = group.add_subparsers(dest="group_command")
    for verb, func, text in (("add", group_add, "put kiosks into a group (created on first use)"),
                             ("remove", group_remove, "take kiosks out of a group")):
        p = gsub.add_parser(verb, help=text)
        p.add_argument("group")
        p.add_argument("kiosks", nargs="+", metavar="KIOSK")
        db_option(p)
        p.set_defaults(func=lambda a, f=func: f(a, engine_of))
    lst = gsub.add_parser("list", help="groups and their kiosks")
    lst.add_argument("--json", action="store_true")
    db_option(lst)
    lst.set_defaults(func=lambda a: group_list(a, engine_of))

    def targets_key_option(p: argparse.ArgumentParser) -> None:
        p.add_argument("--targets-key", type=Path, default=None, metavar="PEM",
                       help="the offline targets key, read for this command only (e.g. from a USB stick); "
                            "default: targets.pem in --keys")

    st = catalog_sub.add_parser("stage", help="validate, sign and offer a new catalog version to a group first")
    st.add_argument("file", type=Path)
    st.add_argument("--group", required=True)
    st.add_argument("--bump", action="store_true", help="publish it as the highest version so far + 1")
    add_module_option(st)
    targets_key_option(st)
    db_option(st)
    keys_option(st)
    st.set_defaults(func=lambda a: stage(a, keys_of(a), engine_of))
    pr = catalog_sub.add_parser("promote", help="offer the staged version to every kiosk (no key needed)")
    pr.add_argument("version", type=int)
    db_option(pr)
    pr.set_defaults(func=lambda a: promote(a, engine_of))
    ha = catalog_sub.add_parser("halt", help="stop offering the staged version (kiosks that applied it keep it)")
    ha.add_argument("version", type=int)
    ha.add_argument("--reason", default="halted by an operator")
    db_option(ha)
    ha.set_defaults(func=lambda a: halt(a, engine_of))
    stt = catalog_sub.add_parser("status", help="published versions, the open stage, applied counts per version")
    stt.add_argument("--json", action="store_true")
    db_option(stt)
    stt.set_defaults(func=lambda a: status(a, engine_of))
    di = catalog_sub.add_parser("diff", help="item-level changes of FILE against the published catalog")
    di.add_argument("file", type=Path)
    di.add_argument("--against", type=int, default=None, metavar="VERSION")
    di.add_argument("--json", action="store_true")
    add_module_option(di)
    db_option(di)
    di.set_defaults(func=lambda a: diff(a, engine_of))
    pp = catalog_sub.add_parser("prepare", help="validate FILE and write a signing request for the offline key")
    pp.add_argument("file", type=Path)
    pp.add_argument("--group", default=None, help="stage it for this group (default: every kiosk)")
    pp.add_argument("--bump", action="store_true")
    pp.add_argument("--out", type=Path, required=True)
    add_module_option(pp)
    db_option(pp)
    pp.set_defaults(func=lambda a: prepare(a, engine_of))
    sg = catalog_sub.add_parser("sign", help="(offline machine) validate and sign a signing request")
    sg.add_argument("request", type=Path)
    sg.add_argument("--targets-key", type=Path, required=True, metavar="PEM")
    sg.add_argument("--out", type=Path, required=True)
    add_module_option(sg)
    sg.set_defaults(func=sign)
    up = catalog_sub.add_parser("upload", help="publish a signing request signed offline")
    up.add_argument("file", type=Path)
    db_option(up)
    keys_option(up)
    up.set_defaults(func=lambda a: upload(a, keys_of(a), engine_of))
