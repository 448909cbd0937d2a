"""Kiosk side of software distribution: fetch the district's signed software package with python-tuf, exactly
as the catalog is fetched (sync/catalog_updater.py: same pinned root, same trusted metadata, same signed link).

A package whose metadata and bytes verify, whose version is above the one running and not refused after a
failed health gate, is left in the updates folder with `ready.json` naming its version and sha256. Nothing is
installed here: the daemon runs as the kiosk user and never touches the installed software. Installing happens
between sessions, as root, with a health gate and automatic rollback (kiosk.update, deploy/updates.md).
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from tuf.api import exceptions as tuf_errors
from tuf.ngclient import Updater

from kiosk.link.enrollment import district_dir
from kiosk.update.incoming import read_ready, write_ready
from sync.catalog_updater import METADATA_PATH, TARGETS_PATH, SignedFetcher
from sync.link import DistrictLink

SOFTWARE_TARGET = "kiosk-software.tar.gz"  # district/software_publishing.py names it so


@dataclass(frozen=True)
class SoftwareCheck:
    outcome: str  # downloaded | current | none-published | refused | unreachable | not-pinned
    version: str | None = None
    sha256: str | None = None
    reason: str = ""


def version_key(version: str) -> tuple[int, ...]:
    import re

    return tuple(int(p) for p in re.split(r"[-+]", version, maxsplit=1)[0].split("."))


class SoftwareUpdater:
    def __init__(self, data_dir: Path, link: DistrictLink, incoming: Path, running_version: str,
                 refused: set[str] | None = None) -> None:
        self._data = Path(data_dir)
        self._link = link
        self._incoming = Path(incoming)
        self._running = running_version
        self._refused = refused or set()
        self._metadata_dir = district_dir(self._data) / "tuf"

    def check(self) -> SoftwareCheck:
        pinned = district_dir(self._data) / "root.json"
        if not (self._metadata_dir / "root.json").exists():
            if not pinned.exists():
                return SoftwareCheck("not-pinned", reason="no root of trust pinned yet (enrollment pins it)")
            self._metadata_dir.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(pinned, self._metadata_dir / "root.json")
        self._incoming.mkdir(parents=True, exist_ok=True)
        updater = Updater(metadata_dir=str(self._metadata_dir),
                          metadata_base_url=self._link.base_url + METADATA_PATH,
                          target_dir=str(self._incoming), target_base_url=self._link.base_url + TARGETS_PATH,
                          fetcher=SignedFetcher(self._link), bootstrap=None)
        try:
            updater.refresh()
            info = updater.get_targetinfo(SOFTWARE_TARGET)
            if info is None:
                return SoftwareCheck("none-published")
            custom = info.unrecognized_fields.get("custom")
            version = custom.get("software_version") if isinstance(custom, dict) else None
            sha = info.hashes.get("sha256", "")
            if not isinstance(version, str):
                return SoftwareCheck("refused", None, sha, "the signed target names no software_version")
            try:
                newer = version_key(version) > version_key(self._running)
            except ValueError:
                return SoftwareCheck("refused", version, sha, f"version {version!r} is not a release version")
            if not newer:
                return SoftwareCheck("current", version, sha)
            if version in self._refused:
                return SoftwareCheck("refused", version, sha, "this version failed its health gate here")
            if self._ready_names(sha):
                return SoftwareCheck("downloaded", version, sha)
            path = updater.download_target(info, str(self._incoming / f"{sha[:16]}.{SOFTWARE_TARGET}"))
        except tuf_errors.DownloadError as exc:
            return SoftwareCheck("unreachable", reason=str(exc.__cause__ or exc))
        except tuf_errors.RepositoryError as exc:  # signatures, expiry, rollback, hash or length mismatch
            return SoftwareCheck("refused", reason=f"{type(exc).__name__}: {exc}")
        for old in self._incoming.glob(f"*.{SOFTWARE_TARGET}"):
            if old != Path(path):
                old.unlink(missing_ok=True)
        write_ready(self._incoming, version, sha, Path(path))
        return SoftwareCheck("downloaded", version, sha)

    def _ready_names(self, sha: str) -> bool:
        ready = read_ready(self._incoming)
        return ready is not None and ready["sha256"] == sha and (self._incoming / Path(ready["file"]).name).exists()
