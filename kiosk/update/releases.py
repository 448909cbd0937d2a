"""The kiosk's installed versions on disk, and the atomic switch between them.

    /opt/kiosk-releases/versions/1.4.0/     a whole installed version (checkout + .venv), read-only
    /opt/kiosk-releases/versions/1.5.0/
    /opt/kiosk-releases/previous -> versions/1.4.0
    /opt/kiosk  -> /opt/kiosk-releases/versions/1.5.0     what the units start (their paths never change)

A package is a gzip'd tar of one version folder with `kiosk-release.json` at its top ({"version", "built_at"}).
Unpacking refuses absolute names, `..`, device files and links pointing outside the folder (a signed package
is trusted, but a mistake in building one must not write over the system). The switch is a new symlink renamed
over the old (rename(2) is atomic): at every instant `/opt/kiosk` names one complete version.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import tarfile
from dataclasses import dataclass
from pathlib import Path

from kiosk.errors import KioskError

MANIFEST = "kiosk-release.json"
VERSION_RE = re.compile(r"^[0-9]+(\.[0-9]+){1,3}([-+][0-9A-Za-z.]+)?$")


class PackageInvalid(KioskError):
    """The package is not a kiosk release this installer can unpack (manifest, names, version)."""


@dataclass(frozen=True)
class Release:
    version: str
    built_at: dt.datetime
    path: Path


def read_manifest(folder: Path) -> Release:
    """The manifest of an unpacked version folder. Raises PackageInvalid."""
    try:
        body = json.loads((Path(folder) / MANIFEST).read_text(encoding="utf-8"))
        version, built = str(body["version"]), dt.datetime.fromisoformat(str(body["built_at"]))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise PackageInvalid(f"{folder}: no usable {MANIFEST} ({exc})") from exc
    if not VERSION_RE.match(version):
        raise PackageInvalid(f"{folder}: version {version!r} is not a release version")
    if built.tzinfo is None:
        raise PackageInvalid(f"{folder}: built_at must carry its UTC offset")
    return Release(version, built, Path(folder))


def _safe_members(tar: tarfile.TarFile, dest: Path) -> list[tarfile.TarInfo]:
    members = []
    for m in tar.getmembers():
        name = Path(m.name)
        if name.is_absolute() or ".." in name.parts:
            raise PackageInvalid(f"refused member {m.name!r}: outside the version folder")
        if not (m.isfile() or m.isdir() or m.issym()):
            raise PackageInvalid(f"refused member {m.name!r}: only files, folders and symlinks")
        if m.issym():
            target = (dest / name.parent / m.linkname).resolve()
            if Path(m.linkname).is_absolute() and not m.linkname.startswith("/usr/"):
                raise PackageInvalid(f"refused symlink {m.name!r} -> {m.linkname!r}")
            if not Path(m.linkname).is_absolute() and not target.is_relative_to(dest.resolve()):
                raise PackageInvalid(f"refused symlink {m.name!r} -> {m.linkname!r}: outside the version folder")
        members.append(m)
    return members


class Releases:
    """The versions under `root` and the live symlink `live` (what the units start)."""

    def __init__(self, root: Path, live: Path) -> None:
        self.root = Path(root)
        self.live = Path(live)
        self.versions = self.root / "versions"
        self.previous_link = self.root / "previous"

    def current(self) -> Release | None:
        try:
            return read_manifest(self.live.resolve(strict=True))
        except (OSError, PackageInvalid):
            return None

    def previous(self) -> Release | None:
        try:
            return read_manifest(self.previous_link.resolve(strict=True))
        except (OSError, PackageInvalid):
            return None

    def unpack(self, package: Path) -> Release:
        """Unpack a package into versions/<version> (into a staging folder first, renamed when complete).

        An already installed version is left as it is. Raises PackageInvalid."""
        self.versions.mkdir(parents=True, exist_ok=True)
        staging = self.versions / f".staging-{os.getpid()}"
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir()
        try:
            try:
                with tarfile.open(package, "r:gz") as tar:
                    tar.extractall(staging, members=_safe_members(tar, staging), filter="tar")
            except (tarfile.TarError, OSError, EOFError) as exc:
                raise PackageInvalid(f"{package}: not a readable package ({exc})") from exc
            release = read_manifest(staging)
            final = self.versions / release.version
            if final.exists():
                shutil.rmtree(staging)
                return read_manifest(final)
            os.replace(staging, final)
            return Release(release.version, release.built_at, final)
        finally:
            shutil.rmtree(staging, ignore_errors=True)

    def switch_to(self, release: Release) -> Release | None:
        """Make `release` live; the version live before becomes `previous` (kept). Returns that one."""
        before = self.current()
        if before is not None and before.path != release.path:
            _replace_symlink(self.previous_link, before.path)
        _replace_symlink(self.live, release.path)
        return before

    def restore_previous(self) -> Release:
        """Make `previous` live again (the automatic rollback). Raises PackageInvalid when there is none."""
        previous = self.previous()
        if previous is None:
            raise PackageInvalid("no previous version to restore")
        _replace_symlink(self.live, previous.path)
        return previous

    def prune(self, keep: set[str]) -> list[str]:
        """Delete installed versions other than live, previous and `keep`; returns their names."""
        protected = {r.version for r in (self.current(), self.previous()) if r is not None} | keep
        removed = []
        for folder in sorted(self.versions.iterdir()) if self.versions.is_dir() else []:
            if folder.name.startswith(".") or folder.name in protected:
                continue
            shutil.rmtree(folder)
            removed.append(folder.name)
        return removed


def _replace_symlink(link: Path, target: Path) -> None:
    tmp = link.with_name(f".{link.name}.new-{os.getpid()}")
    if tmp.is_symlink() or tmp.exists():
        tmp.unlink()
    os.symlink(target, tmp)
    os.replace(tmp, link)  # atomic: the old link or the new one, never none
