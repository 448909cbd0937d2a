"""Publishing a kiosk software package through the same TUF repository as the catalog (deploy/updates.md).

The package becomes the target `kiosk-software.tar.gz` with its version in the target's custom field, signed
by the offline targets key, beside the catalog target (publishing one keeps the other). Kiosks fetch it like
the catalog, through python-tuf (sync/software_updater.py): signatures, hash, length, expiry and rollback of the
metadata are checked before a byte of it is unpacked. Versions only go up, as for catalogs.
"""

from __future__ import annotations

import hashlib
import re
import time

from sqlalchemy.orm import Session
from tuf.api.metadata import TargetFile, Targets

from district.models import TufTargetRow
from district.tuf_repository import LIFETIMES, OperatorKeys, Published, RepositoryError, TufRepository, _now

SOFTWARE_TARGET = "kiosk-software.tar.gz"
VERSION_RE = re.compile(r"^[0-9]+(\.[0-9]+){1,3}([-+][0-9A-Za-z.]+)?$")


def version_key(version: str) -> tuple[int, ...]:
    """Numeric order of a release version ("1.10.0" after "1.9.2"); the suffix does not order."""
    return tuple(int(p) for p in re.split(r"[-+]", version, maxsplit=1)[0].split("."))


def published_software(targets: Targets) -> str | None:
    target = targets.targets.get(SOFTWARE_TARGET)
    custom = target.unrecognized_fields.get("custom") if target is not None else None
    version = custom.get("software_version") if isinstance(custom, dict) else None
    return version if isinstance(version, str) else None


def publish_software(repository: TufRepository, keys: OperatorKeys, data: bytes, version: str) -> Published:
    """Sign and publish `data` as the software package `version`. RepositoryError for a malformed version or one
    not above the published one."""
    if not VERSION_RE.match(version):
        raise RepositoryError(f"software version {version!r} is not a release version (1.5.0)")
    now = _now()
    sha = hashlib.sha256(data).hexdigest()
    with Session(repository._engine) as s, s.begin():
        targets_md = repository._latest(s, "targets")
        targets: Targets = targets_md.signed
        published = published_software(targets)
        if published is not None and version_key(version) <= version_key(published):
            raise RepositoryError(f"software version {version} is not higher than the published {published}")
        target = TargetFile.from_data(SOFTWARE_TARGET, data, ["sha256"])
        target.unrecognized_fields["custom"] = {"software_version": version}
        targets.targets = {**targets.targets, SOFTWARE_TARGET: target}
        targets.version += 1
        targets.expires = now + LIFETIMES["targets"]
        targets_md.signatures.clear()
        targets_md.sign(keys.signer("targets"))
        if s.get(TufTargetRow, (sha, SOFTWARE_TARGET)) is None:
            s.add(TufTargetRow(sha256=sha, name=SOFTWARE_TARGET, body=data, published_at=time.time()))
        repository._store(s, targets_md)
        snapshot_md, timestamp_md = repository._resign_online(s, keys, LIFETIMES, targets_version=targets.version)
    return Published(0, sha, targets.version, snapshot_md.signed.version, timestamp_md.signed.version)
