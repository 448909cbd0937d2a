"""The district's TUF repository for the service catalog: operators' keys, publishing, serving metadata.

Roles (docs/sync.md): root and targets are offline keys (operators hold them; `catalog publish` needs them),
snapshot and timestamp are online keys (the server may hold them to re-sign expiring metadata). Every metadata
version ever signed stays in the database (consistent snapshots), so a publish never breaks a kiosk that is in the
middle of an update, and several server processes serve the same repository from one PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
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
KEPT_TARGETS = ("kiosk-software.tar.gz",)  # published by district/software_publishing.py, kept by catalog publishes
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


class NotSigned(RepositoryError):
    """Targets metadata offered for publication is not signed by the targets key the root names."""


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
        self._parsed_targets: tuple[int, Targets] | None = None  # (version, parsed) of the newest seen

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
        """Sign and publish `data` as the catalog of every kiosk: new targets, snapshot and timestamp versions.

        `only_higher`: raise VersionNotHigher unless `catalog_version` is above every catalog version the signed
        targets list, checked in the same transaction that signs (two operators publishing at once cannot both
        pass with the same version). `expires_in` overrides role lifetimes (tests publish already-expired metadata
        with it). Catalogs staged for a group are dropped from the new targets (this one goes to everyone).
        """
        lifetimes = {**LIFETIMES, **(expires_in or {})}
        with Session(self._engine) as s, s.begin():
            targets_md = self.next_targets(s, (data, catalog_version), [], lifetimes,
                                           only_higher=only_higher)
            targets_md.sign(keys.signer("targets"))
            return self.store_signed_targets(s, keys, targets_md, {catalog_version: data}, lifetimes, verify=False)

    def next_targets(self, s: Session, fleet: tuple[bytes, int] | None, staged: list[tuple[bytes, int]],
                     lifetimes: dict[str, dt.timedelta] | None = None, only_higher: bool = False) -> Metadata:
        """The next targets metadata, unsigned: `fleet` (content, version) as `catalog.json` and under its
        versioned name, each `staged` catalog under its versioned name only (docs/catalog-publishing.md).
        `fleet` None keeps the fleet catalog of the current targets. `only_higher`: every new version must be
        above every catalog version the current targets list (VersionNotHigher)."""
        lifetimes = {**LIFETIMES, **(lifetimes or {})}
        targets_md = self._latest(s, "targets")
        targets: Targets = targets_md.signed
        highest = max(listed_catalog_versions(targets).values(), default=None)
        new_versions = [v for _, v in staged] + ([fleet[1]] if fleet else [])
        if only_higher and highest is not None:
            for version in new_versions:
                if version <= highest:
                    raise VersionNotHigher(version, highest)
        kept = targets.targets.get(CATALOG_TARGET) if fleet is None else None
        # Targets that are not catalogs (the kiosk software package: district/software_publishing.py) stay.
        entries: dict[str, TargetFile] = {name: t for name, t in targets.targets.items() if name in KEPT_TARGETS}
        if kept is not None:
            entries[CATALOG_TARGET] = kept
            version = published_catalog_version(targets)
            if version is not None and catalog_target_name(version) in targets.targets:
                entries[catalog_target_name(version)] = targets.targets[catalog_target_name(version)]
        if fleet is not None:
            entries[CATALOG_TARGET] = _catalog_entry(CATALOG_TARGET, *fleet)
            entries[catalog_target_name(fleet[1])] = _catalog_entry(catalog_target_name(fleet[1]), *fleet)
        for data, version in staged:
            entries[catalog_target_name(version)] = _catalog_entry(catalog_target_name(version), data, version)
        targets.targets = entries
        targets.version += 1
        targets.expires = _now() + lifetimes["targets"]
        targets_md.signatures.clear()
        return targets_md

    def store_signed_targets(self, s: Session, keys: OperatorKeys, targets_md: Metadata,
                             contents: dict[int, bytes], lifetimes: dict[str, dt.timedelta] | None = None,
                             verify: bool = True) -> Published:
        """Publish targets metadata signed elsewhere (or just now): check it is signed by the targets key the
        root names (`verify`; False only for what this process signed itself with the key it was given), is the
        next targets version, and that every catalog it lists is `contents[version]` or already stored; then
        store it and re-sign snapshot and timestamp with the online keys. RepositoryError (nothing stored) when
        any check fails."""
        lifetimes = {**LIFETIMES, **(lifetimes or {})}
        if targets_md.signed.type != "targets":
            raise RepositoryError(f"this is {targets_md.signed.type} metadata, not targets")
        root: Root = self._latest(s, "root").signed
        try:
            if verify:
                root.verify_delegate("targets", targets_md.signed_bytes, targets_md.signatures)
        except Exception as exc:  # noqa: BLE001 - tuf raises UnsignedMetadataError and relatives
            raise NotSigned(f"the targets metadata is not signed by the targets key the root names: "
                                  f"{exc}") from None
        current: Targets = self._latest(s, "targets").signed
        targets: Targets = targets_md.signed
        if targets.version != current.version + 1:
            raise RepositoryError(f"the signed targets metadata is version {targets.version} but the next is "
                                  f"{current.version + 1}: something was published since it was prepared; "
                                  f"prepare and sign again")
        for name, target in targets.targets.items():
            version = _custom_version(target)
            sha = target.hashes.get("sha256", "")
            data = contents.get(version) if version is not None else None
            if data is None:
                data = s.scalar(select(TufTargetRow.body).where(TufTargetRow.sha256 == sha))
            if data is None:
                raise RepositoryError(f"target {name}: no catalog with sha256 {sha[:16]}... to publish")
            try:
                target.verify_length_and_hashes(data)
            except Exception as exc:  # noqa: BLE001 - LengthOrHashMismatchError
                raise RepositoryError(f"target {name} does not match the catalog offered: {exc}") from None
            if s.get(TufTargetRow, (sha, name)) is None:
                s.add(TufTargetRow(sha256=sha, name=name, body=data, published_at=time.time()))
        self._store(s, targets_md)
        s.flush()
        snapshot_md, timestamp_md = self._resign_online(s, keys, lifetimes, targets_version=targets.version)
        fleet = targets.targets.get(CATALOG_TARGET)
        newest = max(listed_catalog_versions(targets).items(), key=lambda kv: kv[1], default=None)
        catalog_version = published_catalog_version(targets) if fleet is not None else None
        sha = fleet.hashes.get("sha256", "") if fleet is not None else ""
        if newest is not None and (catalog_version is None or newest[1] > catalog_version):
            catalog_version, sha = newest[1], targets.targets[newest[0]].hashes.get("sha256", "")
        return Published(catalog_version or 0, sha, targets.version, snapshot_md.signed.version,
                         timestamp_md.signed.version)

    def session(self) -> Session:
        """A session on the repository's database (several steps of one publication in one transaction)."""
        return Session(self._engine)

    def _in(self, s: Session | None):
        """`s` itself, or a session of our own (on SQLite every transaction takes the write lock: a second
        session opened inside one would wait for it, so callers inside a transaction pass theirs)."""
        from contextlib import nullcontext

        return nullcontext(s) if s is not None else Session(self._engine)

    def _newest_targets(self, s: Session | None) -> Targets | None:
        """The newest targets metadata, parsed once per version (a signed version never changes; every heartbeat
        asks for it, and parsing costs far more than reading its version number)."""
        with self._in(s) as session:
            version = session.scalar(select(TufMetadataRow.version).where(TufMetadataRow.role == "targets")
                                     .order_by(TufMetadataRow.version.desc()).limit(1))
            if version is None:
                return None
            cached = self._parsed_targets
            if cached is not None and cached[0] == version:
                return cached[1]
            body = session.scalar(select(TufMetadataRow.body).where(TufMetadataRow.role == "targets",
                                                                    TufMetadataRow.version == version))
        targets: Targets = Metadata.from_bytes(body).signed
        self._parsed_targets = (version, targets)
        return targets

    def published(self, s: Session | None = None) -> tuple[int, str] | None:
        """(catalog version, sha256) of the catalog published now (`catalog.json`), or None."""
        targets = self._newest_targets(s)
        if targets is None:
            return None
        version = published_catalog_version(targets)
        target = targets.targets.get(CATALOG_TARGET)
        answer = None if version is None or target is None else (version, target.hashes.get("sha256", ""))
        return answer

    def published_contents(self, catalog_version: int, s: Session | None = None) -> bytes | None:
        """The bytes last published as `catalog_version` (every published target stays stored), or None."""
        with self._in(s) as session:
            for body in session.scalars(select(TufMetadataRow.body).where(TufMetadataRow.role == "targets")
                                        .order_by(TufMetadataRow.version.desc())):
                targets: Targets = Metadata.from_bytes(body).signed
                for name, version in listed_catalog_versions(targets).items():
                    if version == catalog_version:
                        sha = targets.targets[name].hashes["sha256"]
                        return session.scalar(select(TufTargetRow.body).where(TufTargetRow.sha256 == sha)
                                              .limit(1))
        return None

    def listed(self, s: Session | None = None) -> dict[str, tuple[int, str]]:
        """{target name: (catalog version, sha256)} of every catalog the newest targets metadata lists."""
        targets = self._newest_targets(s)
        if targets is None:
            return {}
        return {name: (v, targets.targets[name].hashes.get("sha256", ""))
                for name, v in listed_catalog_versions(targets).items()}

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


def catalog_target_name(version: int) -> str:
    """The name a catalog version is listed under in the targets metadata (besides `catalog.json` for the fleet's)."""
    return f"catalog-{version}.json"


def _catalog_entry(name: str, data: bytes, version: int) -> TargetFile:
    target = TargetFile.from_data(name, data, ["sha256"])
    target.unrecognized_fields["custom"] = {"catalog_version": version}
    return target


def _custom_version(target: TargetFile) -> int | None:
    custom = target.unrecognized_fields.get("custom")
    version = custom.get("catalog_version") if isinstance(custom, dict) else None
    return version if isinstance(version, int) and not isinstance(version, bool) else None


def listed_catalog_versions(targets: Targets) -> dict[str, int]:
    """{target name: catalog version} of every catalog the targets metadata lists."""
    return {name: v for name, t in targets.targets.items() if (v := _custom_version(t)) is not None}


def published_catalog_version(targets: Targets) -> int | None:
    """The catalog version recorded with the catalog target of `targets` metadata (None: nothing published)."""
    target = targets.targets.get(CATALOG_TARGET)
    if target is None:
        return None
    custom = target.unrecognized_fields.get("custom")
    version = custom.get("catalog_version") if isinstance(custom, dict) else None
    return version if isinstance(version, int) and not isinstance(version, bool) else None
