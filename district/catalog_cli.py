"""`kiosk-district catalog publish` and `catalog rollback`: what the operator sees of district.catalog_publishing.

Exit status: 0 published; 1 refused (an invalid catalog, every problem on its own line; a version not higher than
the published one, both named; no such version to roll back to); 2 usage or repository trouble (keys, database).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path

from district.catalog_publishing import MODULES_ENV

EXIT_REFUSED = 1
EXIT_TROUBLE = 2


def add_module_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--module", action="append", default=[], metavar="ID",
                        help="a department service module the fleet's kiosks install, besides the built-in ones "
                             f"(repeatable; also {MODULES_ENV}=id,id)")


def _say(message: str) -> None:
    sys.stderr.write(f"kiosk-district: {message}\n")


def _repository(args: argparse.Namespace, keys_dir: Path, engine_of: Callable[[str], object]):
    from district.tuf_repository import OperatorKeys, TufRepository

    keys = OperatorKeys(keys_dir)
    repository = TufRepository(engine_of(args.db))  # type: ignore[arg-type]
    if not repository.initialised():
        made = keys.create_missing()
        if made:
            _say(f"created operator keys {', '.join(made)} in {keys.folder}")
        repository.initialise(keys)
    if getattr(args, "targets_key", None):
        from district.catalog_signing import SessionKeys, read_key_file

        return SessionKeys(keys, read_key_file(args.targets_key)), repository
    return keys, repository


def _report(publication) -> None:
    out = dict(publication.published.__dict__)
    out["previous_version"] = publication.previous_version
    if publication.rewritten_from is not None:
        out["rewritten_from"] = publication.rewritten_from
    print(json.dumps(out))


def publish_command(args: argparse.Namespace, keys_dir: Path, engine_of: Callable[[str], object]) -> int:
    """Validate FILE as the kiosks will, refuse a version not above the published one, sign and publish."""
    from contract.catalog.model import CatalogInvalid
    from district.catalog_publishing import district_fleet_modules, publish_catalog
    from district.tuf_repository import RepositoryError, VersionNotHigher

    try:
        data = Path(args.file).read_bytes()
    except OSError as exc:
        _say(f"error: {args.file}: {exc.strerror or exc}")
        return EXIT_TROUBLE
    modules = district_fleet_modules(args.module)
    try:
        keys, repository = _repository(args, keys_dir, engine_of)
        publication = publish_catalog(repository, keys, data, modules, bump=args.bump)
    except CatalogInvalid as exc:
        for problem in exc.problems:
            sys.stderr.write(f"{args.file}: {problem}\n")
        _say(f"error: {args.file}: not a valid catalog, {len(exc.problems)} problem(s); nothing published "
             f"(modules known to the fleet: {', '.join(sorted(modules))})")
        return EXIT_REFUSED
    except VersionNotHigher as exc:
        _say(f"error: {args.file} has version {exc.offered} but version {exc.published} is published: versions "
             f"only go up, kiosks refuse anything else. Nothing published. Raise its version, or add --bump to "
             f"publish it as version {exc.published + 1}.")
        return EXIT_REFUSED
    except RepositoryError as exc:
        _say(f"error: {exc}")
        return EXIT_TROUBLE
    if publication.rewritten_from is not None:
        _say(f"--bump: published {args.file} (version {publication.rewritten_from}) as version "
             f"{publication.published.catalog_version}")
    _report(publication)
    return 0


def rollback_command(args: argparse.Namespace, keys_dir: Path, engine_of: Callable[[str], object]) -> int:
    """Republish the content of an earlier version as a new, higher version."""
    from contract.catalog.model import CatalogInvalid
    from district.catalog_publishing import district_fleet_modules, rollback_catalog
    from district.tuf_repository import RepositoryError, VersionNotHigher

    modules = district_fleet_modules(args.module)
    try:
        keys, repository = _repository(args, keys_dir, engine_of)
        publication = rollback_catalog(repository, keys, args.to, modules, group=getattr(args, "group", None))
    except CatalogInvalid as exc:
        for problem in exc.problems:
            sys.stderr.write(f"version {args.to}: {problem}\n")
        _say(f"error: the catalog of version {args.to} is not valid for this fleet any more, "
             f"{len(exc.problems)} problem(s); nothing published")
        return EXIT_REFUSED
    except VersionNotHigher as exc:  # another operator published in between
        _say(f"error: {exc}; nothing published, run the rollback again")
        return EXIT_REFUSED
    except RepositoryError as exc:
        _say(f"error: {exc}")
        return EXIT_REFUSED
    _say(f"published the content of version {args.to} as version {publication.published.catalog_version}")
    _report(publication)
    return 0
