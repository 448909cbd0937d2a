"""The district's TUF repository for the service catalog: operators' keys, publishing, serving metadata.

Roles (docs/sync.md): root and targets are offline keys (operators hold them; `catalog publish` needs them),
snapshot and timestamp are online keys (the server may hold them to re-sign expiring metadata). Every metadata
version ever signed stays in the database (consistent snapshots), so a publish never breaks a kiosk that is in the
middle of an update, and several server processes serve the same repository from one PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import time
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from securesystemslib.signer import CryptoSigner, SSlibKey
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session
from tuf.api.metadata import Metadata, MetaFile, Root, Snapshot, TargetFile, Targets, Timestamp

from district.models import TufMetadataRow, TufTargetRow

ROLES = ("root", "targets", "snapshot", "timestamp")
OFFLINE_ROLES = ("root", "targets")
CATALOG_TARGET = "catalog.json"
LIFETIMES = {"root": dt.timedelta(days=365), "targets": dt.timedelta(days=90),
             "snapshot": dt.timedelta(days=7), "timestamp": dt.timedelta(days=1)}


class RepositoryError(Exception):
    """The repository cannot do what was asked (no keys, not initialised, ...)."""


class VersionNotHigher(RepositoryError):
    """A catalog offered for publication does not have a version above the published one (versions only go up)."""

    def __init__(self, offered: int, published: int) -> None:
        super().__init__(f"catalog version {offered} is not higher than the published version {published}")
        self.offered = offered
        self.published = published


@dataclass(frozen=True)
class Published:
    catalog_version: int
    sha256: str
    targets_version: int
    snapshot_version: int
    timestamp_version: int


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


class OperatorKeys:
    """Ed25519 signing keys per role, as PEM files (0600) `<role>.pem` in a folder."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)

    def exists(self, role: str) -> bool:
        return (self.folder / f"{role}.pem").exists()

    def create_missing(self) -> list[str]:
        """Generate the keys that do not exist yet; returns the roles generated."""
        self.folder.mkdir(parents=True, exist_ok=True)
        os.chmod(self.folder, 0o700)
        made = []
        for role in ROLES:
            path = self.folder / f"{role}.pem"
            if path.exists():
                continue
            pem = Ed25519PrivateKey.generate().private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as f:
                f.write(pem)
            made.append(role)
        return made

    def replace(self, role: str) -> Path:
        """Retire `role`'s key file (renamed `<role>.pem.retired-<time>`) and generate a new one; returns the
        retired file (the old root key must still sign the root that announces its successor)."""
        path = self.folder / f"{role}.pem"
        retired = self.folder / f"{role}.pem.retired-{int(time.time() * 1000)}"
        os.replace(path, retired)
        self.create_missing()
        return retired

    def signer(self, role: str) -> CryptoSigner:
        """The signer of `role`; RepositoryError when its key file is absent (e.g. offline key not mounted)."""
        path = self.folder / f"{role}.pem"
        if not path.exists():
            raise RepositoryError(f"the {role} key is not in {self.folder} (offline keys must be mounted)")
        return signer_from_pem(path)


def signer_from_pem(path: Path) -> CryptoSigner:
    """A TUF signer for the Ed25519 private key in PEM file `path`."""
    key = serialization.load_pem_private_key(Path(path).read_bytes(), password=None)
    return CryptoSigner(key, SSlibKey.from_crypto(key.public_key()))


class TufRepository:
    """Signed catalog metadata and target files stored in the district database."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        # The parsed answer of `published()` for one stored targets row, named by (version, published_at): rows
        # are never rewritten, so this is a cache of database content, not state of its own (heartbeats ask for
        # it thousands of times a minute; parsing the metadata each time cost more than the heartbeat itself).
        self._published: tuple[tuple[int, float], tuple[int, str] | None] | None = None

    # -- serving ------------------------------------------------------------------------------------------------
    def metadata(self, role: str, version: int | None = None) -> bytes | None:
        """The bytes of `role` metadata at `version` (None: the newest), or None."""
        with Session(self._engine) as s:
            q = select(TufMetadataRow.body).where(TufMetadataRow.role == role)
            if version is None:
                q = q.order_by(TufMetadataRow.version.desc()).limit(1)
            else:
                q = q.where(TufMetadataRow.version == version)
            return s.scalar(q)

    def target(self, sha256: str, name: str) -> bytes | None:
        """A published target file by content hash and name, or None."""
        with Session(self._engine) as s:
            return s.scalar(select(TufTargetRow.body).where(TufTargetRow.sha256 == sha256,
                                                            TufTargetRow.name == name))

    def initialised(self) -> bool:
        with Session(self._engine) as s:
            return bool(s.scalar(select(func.count()).select_from(TufMetadataRow)
                                 .where(TufMetadataRow.role == "root")))

    def _latest(self, s: Session, role: str) -> Metadata:
        body = s.scalar(select(TufMetadataRow.body).where(TufMetadataRow.role == role)
                        .order_by(TufMetadataRow.version.desc()).limit(1))
        if body is None:
            raise RepositoryError("the catalog repository is not initialised (kiosk-district catalog init)")
        return Metadata.from_bytes(body)

    @staticmethod
    def _store(s: Session, md: Metadata) -> None:
        s.add(TufMetadataRow(role=md.signed.type, version=md.signed.version, body=md.to_bytes(),
                             published_at=time.time()))

    # -- operators ----------------------------------------------------------------------------------------------
    def initialise(self, keys: OperatorKeys) -> bool:
        """Create root v1 and empty targets/snapshot/timestamp signed with `keys`; False if already done."""
        if self.initialised():
            return False
        now = _now()
        signers = {role: keys.signer(role) for role in ROLES}
        root = Root(expires=now + LIFETIMES["root"], consistent_snapshot=True)
        for role in ROLES:
            root.add_key(signers[role].public_key, role)
        mds = [Metadata(root), Metadata(Targets(expires=now + LIFETIMES["targets"])),
               Metadata(Snapshot(expires=now + LIFETIMES["snapshot"])),
               Metadata(Timestamp(expires=now + LIFETIMES["timestamp"]))]
        with Session(self._engine) as s, s.begin():
            for md in mds:
                md.sign(signers[md.signed.type])
                self._store(s, md)
        return True

    def publish(self, keys: OperatorKeys, data: bytes, catalog_version: int,
                expires_in: dict[str, dt.timedelta] | None = None, only_higher: bool = False) -> Published:
        """Sign and publish `data` as the catalog target: new targets, snapshot and timestamp versions.

        `only_higher`: raise VersionNotHigher unless `catalog_version` is above the published one, checked in the
        same transaction that signs (two operators publishing at once cannot both pass with the same version).
        `expires_in` overrides role lifetimes (tests publish already-expired metadata with it).
        """
        lifetimes = {**LIFETIMES, **(expires_in or {})}
        now = _now()
        sha = hashlib.sha256(data).hexdigest()
        with Session(self._engine) as s, s.begin():
            targets_md = self._latest(s, "targets")
            targets: Targets = targets_md.signed
            published = published_catalog_version(targets)
            if only_higher and published is not None and catalog_version <= published:
                raise VersionNotHigher(catalog_version, published)
            target = TargetFile.from_data(CATALOG_TARGET, data, ["sha256"])
            target.unrecognized_fields["custom"] = {"catalog_version": catalog_version}
            targets.targets = {CATALOG_TARGET: target}
            targets.version += 1
            targets.expires = now + lifetimes["targets"]
            targets_md.signatures.clear()
            targets_md.sign(keys.signer("targets"))
            if s.get(TufTargetRow, (sha, CATALOG_TARGET)) is None:
                s.add(TufTargetRow(sha256=sha, name=CATALOG_TARGET, body=data, published_at=time.time()))
            self._store(s, targets_md)
            snapshot_md, timestamp_md = self._resign_online(s, keys, lifetimes, targets_version=targets.version)
        return Published(catalog_version, sha, targets.version, snapshot_md.signed.version,
                         timestamp_md.signed.version)

    def published(self) -> tuple[int, str] | None:
        """(catalog version, sha256) of the catalog published now, or None."""
        latest = select(TufMetadataRow.version, TufMetadataRow.published_at).where(TufMetadataRow.role == "targets") \
            .order_by(TufMetadataRow.version.desc()).limit(1)
        with Session(self._engine) as s:
            row = s.execute(latest).first()
            if row is None:
                return None
            key = (row.version, row.published_at)
            cached = self._published
            if cached is not None and cached[0] == key:
                return cached[1]
            body = s.scalar(select(TufMetadataRow.body).where(TufMetadataRow.role == "targets",
                                                              TufMetadataRow.version == row.version))
        targets: Targets = Metadata.from_bytes(body).signed
        version = published_catalog_version(targets)
        target = targets.targets.get(CATALOG_TARGET)
        answer = None if version is None or target is None else (version, target.hashes.get("sha256", ""))
        self._published = (key, answer)
        return answer

    def published_contents(self, catalog_version: int) -> bytes | None:
        """The bytes last published as `catalog_version` (every published target stays stored), or None."""
        with Session(self._engine) as s:
            for body in s.scalars(select(TufMetadataRow.body).where(TufMetadataRow.role == "targets")
                                  .order_by(TufMetadataRow.version.desc())):
                targets: Targets = Metadata.from_bytes(body).signed
                target = targets.targets.get(CATALOG_TARGET)
                if target is None or published_catalog_version(targets) != catalog_version:
                    continue
                return s.scalar(select(TufTargetRow.body).where(TufTargetRow.sha256 == target.hashes["sha256"],
                                                                TufTargetRow.name == CATALOG_TARGET))
        return None

    def rotate_key(self, keys: OperatorKeys, role: str) -> int:
        """Replace `role`'s key: a new root version names the new key (signed by the current root key, and for
        a root rotation by the new one too, as TUF's chain of trust requires), then `role`'s metadata is
        re-signed. Kiosks follow the rotation at their next refresh. Returns the new root version."""
        if role not in ROLES:
            raise RepositoryError(f"unknown role {role!r}")
        with Session(self._engine) as s, s.begin():
            root_md = self._latest(s, "root")
            root: Root = root_md.signed
            old_root_signer = keys.signer("root")
            keys.replace(role)
            new_signer = keys.signer(role)
            for keyid in list(root.roles[role].keyids):
                root.revoke_key(keyid, role)
            root.add_key(new_signer.public_key, role)
            root.version += 1
            root.expires = _now() + LIFETIMES["root"]
            root_md.signatures.clear()
            root_md.sign(old_root_signer if role == "root" else keys.signer("root"), append=True)
            if role == "root":
                root_md.sign(new_signer, append=True)
            self._store(s, root_md)
            if role == "targets":
                targets_md = self._latest(s, "targets")
                targets_md.signed.version += 1
                targets_md.signed.expires = _now() + LIFETIMES["targets"]
                targets_md.signatures.clear()
                targets_md.sign(new_signer)
                self._store(s, targets_md)
                self._resign_online(s, keys, LIFETIMES, targets_version=targets_md.signed.version)
            elif role in ("snapshot", "timestamp"):
                self._resign_online(s, keys, LIFETIMES, targets_version=None)
        return root.version

    def refresh_online(self, keys: OperatorKeys,
                       expires_in: dict[str, dt.timedelta] | None = None) -> tuple[int, int]:
        """Re-sign snapshot and timestamp with fresh expiry (online keys only); returns their new versions."""
        lifetimes = {**LIFETIMES, **(expires_in or {})}
        with Session(self._engine) as s, s.begin():
            snapshot_md, timestamp_md = self._resign_online(s, keys, lifetimes, targets_version=None)
        return snapshot_md.signed.version, timestamp_md.signed.version

    def _resign_online(self, s: Session, keys: OperatorKeys, lifetimes: dict[str, dt.timedelta],
                       targets_version: int | None) -> tuple[Metadata, Metadata]:
        now = _now()
        snapshot_md = self._latest(s, "snapshot")
        snapshot: Snapshot = snapshot_md.signed
        if targets_version is not None:
            snapshot.meta["targets.json"] = MetaFile(version=targets_version)
        snapshot.version += 1
        snapshot.expires = now + lifetimes["snapshot"]
        snapshot_md.signatures.clear()
        snapshot_md.sign(keys.signer("snapshot"))
        self._store(s, snapshot_md)
        timestamp_md = self._latest(s, "timestamp")
        timestamp: Timestamp = timestamp_md.signed
        timestamp.snapshot_meta = MetaFile(version=snapshot.version)
        timestamp.version += 1
        timestamp.expires = now + lifetimes["timestamp"]
        timestamp_md.signatures.clear()
        timestamp_md.sign(keys.signer("timestamp"))
        self._store(s, timestamp_md)
        return snapshot_md, timestamp_md

    def expiring(self, within: dt.timedelta) -> bool:
        """True when the newest timestamp or snapshot expires within `within` (time to re-sign them)."""
        with Session(self._engine) as s:
            try:
                return any(self._latest(s, role).signed.expires - within <= _now()
                           for role in ("timestamp", "snapshot"))
            except RepositoryError:
                return False


def published_catalog_version(targets: Targets) -> int | None:
    """The catalog version recorded with the catalog target of `targets` metadata (None: nothing published)."""
    target = targets.targets.get(CATALOG_TARGET)
    if target is None:
        return None
    custom = target.unrecognized_fields.get("custom")
    version = custom.get("catalog_version") if isinstance(custom, dict) else None
    return version if isinstance(version, int) and not isinstance(version, bool) else None
