"""`kiosk-district software publish PACKAGE --version V`: sign a kiosk release package into the TUF repository.

The package is checked before signing as the kiosk's installer will check it (kiosk-release.json names the same
version; no member outside its folder), so a mistake is refused here rather than on every kiosk. Imports nothing
of the kiosk: the check reads the tar itself.
"""

from __future__ import annotations

import argparse
import json
import sys
import tarfile
from collections.abc import Callable
from pathlib import PurePosixPath

MANIFEST = "kiosk-release.json"  # kiosk/update/releases.py reads the same file


def check_package(data_path: str, version: str) -> str:
    """Why the package cannot be published, or "" when it can."""
    try:
        with tarfile.open(data_path, "r:gz") as tar:
            members = {m.name.removeprefix("./"): m for m in tar.getmembers()}
            names = list(members)
            for name in names:
                p = PurePosixPath(name)
                if p.is_absolute() or ".." in p.parts:
                    return f"member {name!r} lies outside the version folder"
            member = tar.extractfile(members[MANIFEST]) if MANIFEST in members else None
            if member is None:
                return f"no {MANIFEST} at the package's top"
            manifest = json.loads(member.read())
    except (OSError, tarfile.TarError, EOFError, ValueError) as exc:
        return f"not a readable package: {exc}"
    if not isinstance(manifest, dict) or manifest.get("version") != version:
        return f"{MANIFEST} names version {manifest.get('version') if isinstance(manifest, dict) else None!r}, " \
               f"not {version!r}"
    return ""


def publish_command(args: argparse.Namespace, keys_dir, engine_of: Callable[[str], object]) -> int:
    from district.software_publishing import publish_software
    from district.tuf_repository import OperatorKeys, RepositoryError, TufRepository

    problem = check_package(str(args.file), args.version)
    if problem:
        sys.stderr.write(f"kiosk-district: error: {args.file}: {problem}\n")
        return 2
    repository = TufRepository(engine_of(args.db))  # type: ignore[arg-type]
    if not repository.initialised():
        sys.stderr.write("kiosk-district: error: no repository yet (kiosk-district catalog init)\n")
        return 2
    try:
        published = publish_software(repository, OperatorKeys(keys_dir), args.file.read_bytes(), args.version)
    except RepositoryError as exc:
        sys.stderr.write(f"kiosk-district: error: {exc}\n")
        return 1
    print(json.dumps({"software_version": args.version, "sha256": published.sha256,
                      "targets_version": published.targets_version}))
    return 0
