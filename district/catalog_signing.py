"""The offline targets key stays off the web server: two ways to sign a new catalog version without it there.

1. A key file the operator supplies for one publication (`--targets-key FILE`, or the key's PEM in the API
   request): it is read into memory for that request only, never written (SessionKeys).
2. Three steps, the key never leaving an offline machine (docs/catalog-publishing.md):
   `catalog prepare` on the server validates the catalog and stores the unsigned next targets metadata as a
   signing request (a JSON file to carry across); `catalog sign` on the offline machine validates the catalog
   again with the same validator, checks the request's targets metadata lists exactly that content, and signs
   it; `catalog upload` (or the API) on the server publishes it after checking the signature against the targets
   key the root names, that it signs exactly what was prepared, and that nothing was published in between.
"""

from __future__ import annotations

import base64
import json
import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from securesystemslib.signer import CryptoSigner, SSlibKey
from sqlalchemy import select
from tuf.api.metadata import Metadata, Targets

from contract.catalog.model import parse_catalog
from district.catalog_rollout import NewVersion, Rollout, fleet_offer, prepare_version, record_version
from district.models import CatalogSigningRequestRow
from district.tuf_repository import OperatorKeys, RepositoryError, TufRepository, catalog_target_name

REQUEST_KIND = "kiosk-district catalog signing request"
SIGNED_KIND = "kiosk-district signed catalog targets"


class SigningError(RepositoryError):
    """A signing request or signed answer that cannot be used (malformed, stale, not what was prepared)."""


def signer_from_pem_bytes(pem: bytes) -> CryptoSigner:
    """A TUF signer for an Ed25519 private key given as PEM bytes (SigningError if it is not one)."""
    try:
        key = serialization.load_pem_private_key(pem, password=None)
        return CryptoSigner(key, SSlibKey.from_crypto(key.public_key()))  # type: ignore[arg-type]
    except (ValueError, TypeError) as exc:
        raise SigningError(f"not a usable private key (Ed25519, PEM, no passphrase): {exc}") from None


class SessionKeys:
    """The server's online keys (snapshot, timestamp) plus a targets key supplied for one publication."""

    def __init__(self, online: OperatorKeys, targets_pem: bytes) -> None:
        self._online = online
        self._targets = signer_from_pem_bytes(targets_pem)

    def signer(self, role: str) -> Any:
        if role == "targets":
            return self._targets
        if role == "root":
            raise RepositoryError("the root key is never supplied to the server")
        return self._online.signer(role)


@dataclass(frozen=True)
class SigningRequest:
    id: str
    catalog_version: int
    group: str | None
    content_of: int | None
    catalog: bytes
    targets: dict[str, Any]  # unsigned targets metadata, as TUF serialises it

    def to_json(self) -> bytes:
        return (json.dumps({"kind": REQUEST_KIND, "id": self.id, "catalog_version": self.catalog_version,
                            "group": self.group, "content_of": self.content_of,
                            "catalog": base64.b64encode(self.catalog).decode(), "targets": self.targets},
                           indent=1) + "\n").encode()

    @classmethod
    def from_json(cls, data: bytes) -> SigningRequest:
        try:
            doc = json.loads(data)
            if doc.get("kind") != REQUEST_KIND:
                raise SigningError("not a catalog signing request (kiosk-district catalog prepare writes them)")
            return cls(str(doc["id"]), int(doc["catalog_version"]), doc.get("group"), doc.get("content_of"),
                       base64.b64decode(doc["catalog"], validate=True), dict(doc["targets"]))
        except SigningError:
            raise
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise SigningError(f"malformed signing request: {exc}") from None


def prepare(repository: TufRepository, data: bytes, modules: set[str], group: str | None = None,
            bump: bool = False, content_of: int | None = None) -> SigningRequest:
    """Validate `data` and store the unsigned targets metadata that would publish it (to `group` first, or to
    every kiosk) as a signing request for the offline targets key."""
    with repository.session() as s, s.begin():
        data, version, _rewritten, staged, fleet = prepare_version(s, repository, data, modules, group, bump)
        targets_md = repository.next_targets(s, fleet, staged)
        request = SigningRequest(secrets.token_hex(16), version, group, content_of, data,
                                 targets_md.signed.to_dict())
        s.add(CatalogSigningRequestRow(id=request.id, created_at=time.time(), catalog_version=version,
                                       group_name=group, content_of=content_of, catalog=data,
                                       targets=json.dumps(request.targets).encode(), state="pending"))
    return request


def describe(request: SigningRequest) -> list[str]:
    """What the offline operator is about to approve, one line each."""
    targets = Targets.from_dict(json.loads(json.dumps(request.targets)))
    lines = [f"catalog version {request.catalog_version} "
             f"{'for group ' + repr(request.group) + ' first' if request.group else 'for every kiosk'}"
             + (f", the content of version {request.content_of}" if request.content_of else ""),
             f"targets metadata version {targets.version}, expires {targets.expires.isoformat()}"]
    for name, target in sorted(targets.targets.items()):
        lines.append(f"  lists {name} ({target.length} bytes, sha256 {target.hashes.get('sha256', '')[:16]}...)")
    return lines


def sign_request(request: SigningRequest, targets_pem: bytes, modules: set[str]) -> bytes:
    """On the offline machine: validate the catalog with the kiosks' validator, check the targets metadata lists
    exactly that content under its version, sign. Returns the signed answer to upload. CatalogInvalid or
    SigningError when anything does not hold (nothing is signed then)."""
    catalog = parse_catalog(request.catalog, modules)
    if catalog.version != request.catalog_version:
        raise SigningError(f"the catalog says version {catalog.version}, the request {request.catalog_version}")
    targets = Targets.from_dict(json.loads(json.dumps(request.targets)))
    entry = targets.targets.get(catalog_target_name(catalog.version))
    if entry is None:
        raise SigningError(f"the targets metadata does not list {catalog_target_name(catalog.version)}")
    try:
        entry.verify_length_and_hashes(request.catalog)
    except Exception as exc:  # noqa: BLE001 - LengthOrHashMismatchError
        raise SigningError(f"the targets metadata lists other content than the catalog carried: {exc}") from None
    md = Metadata(targets)
    md.sign(signer_from_pem_bytes(targets_pem))
    return (json.dumps({"kind": SIGNED_KIND, "request": request.id, "targets": md.to_dict()}, indent=1)
            + "\n").encode()


def upload(repository: TufRepository, online: OperatorKeys, signed: bytes) -> NewVersion:
    """Publish a signed answer to a stored signing request: the signature must verify with the root's targets
    key, the signed metadata must be exactly what was prepared, and it must still be the next targets version."""
    try:
        doc = json.loads(signed)
        if doc.get("kind") != SIGNED_KIND:
            raise SigningError("not a signed catalog answer (kiosk-district catalog sign writes them)")
        request_id = str(doc["request"])
        md = Metadata.from_dict(doc["targets"])
    except SigningError:
        raise
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise SigningError(f"malformed signed answer: {exc}") from None
    with repository.session() as s, s.begin():
        row = s.scalar(select(CatalogSigningRequestRow).where(CatalogSigningRequestRow.id == request_id)
                       .with_for_update())
        if row is not None and row.state == "stale":
            raise SigningError(f"signing request {request_id!r} was overtaken: another catalog was published "
                               f"since it was prepared; prepare and sign again")
        if row is None or row.state != "pending":
            raise SigningError(f"no pending signing request {request_id!r} (already published, or never prepared "
                               f"here)")
        if md.signed.to_dict() != json.loads(row.targets):
            raise SigningError("the signed metadata is not what was prepared for this request")
        previous = fleet_offer(s, repository)
        contents = {row.catalog_version: row.catalog}
        published = repository.store_signed_targets(s, online, md, contents)
        rollout: Rollout = record_version(s, row.catalog_version,
                                          md.signed.targets[catalog_target_name(row.catalog_version)]
                                          .hashes["sha256"], row.group_name, row.content_of,
                                          note="signed offline")
        row.state = "published"
    return NewVersion(rollout, published, previous.version if previous else None, None)


def read_key_file(path: Path) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise SigningError(f"{path}: {exc.strerror or exc}") from None
