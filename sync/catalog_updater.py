"""Kiosk side of catalog distribution: fetch and verify the district's catalog with python-tuf, apply atomically.

Verification (signatures, thresholds, expiry, version numbers: no rollback, no freeze) is python-tuf's ngclient,
starting from the root pinned at enrollment (<data>/district/root.json). A verified catalog that also passes the
one catalog validator (contract.catalog.model.parse_catalog, with the ids of the service modules this kiosk has
installed, exactly as the shell will load it) and whose version is higher than the active one replaces
<data>/catalog/current.json by one atomic rename; anything else is refused as a whole, never partly applied.
The shell reloads it when it is back at the Attract screen, so a catalog never changes under a citizen. Any
failure keeps the last good catalog. Offline past metadata expiry: the kiosk keeps serving the last good catalog and flags it
(`catalog.expired` in the sync status) until fresh metadata verifies again (docs/sync.md).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session
from tuf.api import exceptions as tuf_errors
from tuf.api.metadata import Metadata
from tuf.ngclient import FetcherInterface, Updater

from contract.atomic_write import write_atomic
from contract.catalog.model import CatalogInvalid, parse_catalog
from contract.heartbeat import PublishedCatalog
from kiosk.link.enrollment import district_dir
from kiosk.store.models import CatalogVersionRow
from sync.link import DistrictLink, Unreachable

CATALOG_TARGET = "catalog.json"
METADATA_PATH = "/api/v1/catalog/metadata/"
TARGETS_PATH = "/api/v1/catalog/targets/"


@dataclass(frozen=True)
class CatalogCheck:
    outcome: str  # applied | current | none-published | refused | unreachable | not-pinned
    reason: str = ""
    version: int | None = None
    sha256: str | None = None
    expired: bool = False  # the trusted metadata on the kiosk is past its expiry
    expires: str | None = None  # earliest expiry of the kiosk's trusted timestamp/snapshot/targets


class SignedFetcher(FetcherInterface):
    """python-tuf fetcher over the daemon's signed link (the district authenticates catalog requests too)."""

    def __init__(self, link: DistrictLink) -> None:
        self._link = link

    def _fetch(self, url: str) -> Iterator[bytes]:
        path = url[len(self._link.base_url):] if url.startswith(self._link.base_url) else url
        try:
            status, body = self._link.get_bytes(path)
        except Unreachable as exc:
            raise tuf_errors.DownloadError(exc.reason) from exc
        if status != 200:
            raise tuf_errors.DownloadHTTPError(f"district answered {status} for {path}", status)
        return iter([body])


class CatalogUpdater:
    def __init__(self, data_dir: Path, link: DistrictLink, engine: Engine,
                 known_modules: set[str] | None = None) -> None:
        """`known_modules`: ids of the service modules installed on this kiosk (None: modules not checked)."""
        self._data = Path(data_dir)
        self._known = known_modules
        self._link = link
        self._engine = engine
        self._metadata_dir = district_dir(self._data) / "tuf"
        self._catalog_dir = self._data / "catalog"

    @property
    def current_file(self) -> Path:
        return self._catalog_dir / "current.json"

    def check(self, offer: PublishedCatalog | None = None) -> CatalogCheck:
        """Refresh the TUF metadata, and apply a new catalog if one is published. Never raises for the
        expected failures: the outcome says what happened, and the last good catalog stays on every failure.

        `offer`: the catalog the district's last heartbeat answer offered this kiosk (a staged rollout offers a
        group `catalog-<version>.json` first); it names which signed target to take, never what to trust: the
        target must be in the verified targets metadata and pass every check below. None: `catalog.json`."""
        pinned = district_dir(self._data) / "root.json"
        if not pinned.exists() and not self._pin_first_root(pinned):
            return CatalogCheck("not-pinned", "no root of trust pinned (the district has no catalog "
                                              "repository yet)")
        self._metadata_dir.mkdir(parents=True, exist_ok=True)
        if not (self._metadata_dir / "root.json").exists():
            shutil.copyfile(pinned, self._metadata_dir / "root.json")
        incoming = self._catalog_dir / "incoming"
        incoming.mkdir(parents=True, exist_ok=True)
        updater = Updater(metadata_dir=str(self._metadata_dir),
                          metadata_base_url=self._link.base_url + METADATA_PATH,
                          target_dir=str(incoming), target_base_url=self._link.base_url + TARGETS_PATH,
                          fetcher=SignedFetcher(self._link), bootstrap=None)
        try:
            updater.refresh()
            active_sha = self._active_sha()
            if offer is not None and offer.sha256 == active_sha:
                return self._finish(CatalogCheck("current", sha256=active_sha))
            name = (offer.target if offer is not None else None) or CATALOG_TARGET
            info = updater.get_targetinfo(name)
            if info is None and name != CATALOG_TARGET:
                return self._finish(CatalogCheck("refused", f"the district offered {name}, which the signed "
                                                            f"targets metadata does not list"))
            if info is None:
                return self._finish(CatalogCheck("none-published"))
            sha = info.hashes.get("sha256", "")
            custom = info.unrecognized_fields.get("custom")
            announced = custom.get("catalog_version") if isinstance(custom, dict) else None
            if sha and sha == active_sha:
                return self._finish(CatalogCheck("current", sha256=sha))
            path = updater.download_target(info, str(incoming / f"{sha[:16]}.catalog.json"))
        except tuf_errors.ExpiredMetadataError as exc:
            return self._finish(CatalogCheck("refused", f"expired metadata: {exc}"))
        except (tuf_errors.BadVersionNumberError, tuf_errors.EqualVersionNumberError) as exc:
            return self._finish(CatalogCheck("refused", f"rollback refused: {exc}"))
        except tuf_errors.LengthOrHashMismatchError as exc:
            return self._finish(CatalogCheck("refused", f"catalog file does not match its signed hash: {exc}"))
        except tuf_errors.UnsignedMetadataError as exc:
            return self._finish(CatalogCheck("refused", f"bad signatures: {exc}"))
        except tuf_errors.DownloadHTTPError as exc:
            if exc.status_code in (401, 403):
                return self._finish(CatalogCheck("refused", f"district refused: {exc}"))
            return self._finish(CatalogCheck("unreachable", str(exc)))
        except tuf_errors.DownloadError as exc:
            return self._finish(CatalogCheck("unreachable", str(exc.__cause__ or exc)))
        except tuf_errors.RepositoryError as exc:
            return self._finish(CatalogCheck("refused", f"{type(exc).__name__}: {exc}"))
        data = Path(path).read_bytes()
        Path(path).unlink(missing_ok=True)
        try:
            catalog = parse_catalog(data, self._known)
        except CatalogInvalid as exc:
            return self._finish(CatalogCheck("refused", f"signed catalog does not validate: {exc}",
                                             version=announced if isinstance(announced, int) else None,
                                             sha256=sha))
        active = active_catalog_version(self._engine)
        if active is not None and catalog.version <= active:
            return self._finish(CatalogCheck(
                "refused", f"catalog version {catalog.version} is not higher than the active version {active} "
                           f"(versions only go up; a rollback is published as a new version)",
                version=catalog.version, sha256=sha))
        self._apply(data, catalog.version, catalog.sha256)
        return self._finish(CatalogCheck("applied", version=catalog.version, sha256=catalog.sha256))

    def _pin_first_root(self, pinned: Path) -> bool:
        """Pin root v1 when the district had no repository at enrollment time.

        Fetched over the signed, authenticated link (trust on first use, like pinning at enrollment); it must be
        a well-formed root signed by its own root keys. Later roots only arrive through TUF's rotation chain.
        """
        try:
            status, body = self._link.get_bytes(METADATA_PATH + "1.root.json")
        except Unreachable:
            return False
        if status != 200:
            return False
        try:
            md = Metadata.from_bytes(body)
            if md.signed.type != "root" or md.signed.version != 1:
                return False
            md.signed.verify_delegate("root", md.signed_bytes, md.signatures)
        except Exception:  # noqa: BLE001 - anything malformed or unsigned is simply not pinned
            return False
        write_atomic(pinned, body)
        return True

    def _apply(self, data: bytes, version: int, sha256: str) -> None:
        write_atomic(self.current_file, data)  # fsync + rename: the shell sees the old file or the new one
        now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        with Session(self._engine) as s, s.begin():
            s.execute(update(CatalogVersionRow).where(CatalogVersionRow.active.is_(True)).values(active=False))
            row = s.scalar(select(CatalogVersionRow).where(CatalogVersionRow.version == version,
                                                           CatalogVersionRow.sha256 == sha256))
            if row is None:
                s.add(CatalogVersionRow(version=version, sha256=sha256, source="district", applied_at=now,
                                        active=True))
            else:
                row.active, row.applied_at = True, now

    def _active_sha(self) -> str | None:
        try:
            return hashlib.sha256(self.current_file.read_bytes()).hexdigest()
        except OSError:
            return None

    def trusted_expiry(self) -> dt.datetime | None:
        """The earliest expiry among the kiosk's trusted timestamp, snapshot and targets metadata."""
        earliest = None
        for role in ("timestamp", "snapshot", "targets"):
            try:
                md = Metadata.from_bytes((self._metadata_dir / f"{role}.json").read_bytes())
            except (OSError, ValueError, Exception):  # noqa: BLE001 - absent or unreadable: no claim
                continue
            if earliest is None or md.signed.expires < earliest:
                earliest = md.signed.expires
        return earliest

    def _finish(self, check: CatalogCheck) -> CatalogCheck:
        expires = self.trusted_expiry()
        expired = expires is not None and expires <= dt.datetime.now(dt.UTC)
        if check.outcome == "refused" and "expired" in check.reason:
            expired = True
        return CatalogCheck(check.outcome, check.reason, check.version, check.sha256, expired,
                            expires.isoformat() if expires else None)


def check_as_state(check: CatalogCheck, active_version: int | None) -> dict:
    """The catalog part of the sync status."""
    return {**asdict(check), "active_version": active_version}


def active_catalog_version(engine: Engine) -> int | None:
    """The version recorded as active in catalog_versions."""
    with Session(engine) as s:
        return s.scalar(select(CatalogVersionRow.version).where(CatalogVersionRow.active.is_(True)).limit(1))


def active_catalog_sha256(engine: Engine) -> str | None:
    """The sha256 of the district catalog recorded as active in catalog_versions."""
    with Session(engine) as s:
        return s.scalar(select(CatalogVersionRow.sha256).where(CatalogVersionRow.active.is_(True)).limit(1))


