"""The certificate register: what the district signed, for which kiosk and item, and whether it still stands.

Every signature the district gives is recorded here in the same step (district.document_api), so the
verification page can show a certificate's registered content and status, an operator can list and revoke
documents, and a revoked kiosk's certificates can be revoked at once. The holder's name is kept masked; the ID
number is never kept, only its keyed digest.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import Engine, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from contract.privacy import mask_name
from district.models import DocumentRow

MAX_HOLDER_CHECK_FAILURES = 10  # per certificate: the district must not become an oracle for the hidden digits
VALID, REVOKED = "valid", "revoked"


class SerialTaken(Exception):
    """The serial is already registered for other content (or another kiosk)."""


@dataclass(frozen=True)
class RegisteredDocument:
    serial: str
    kiosk: str
    item: str
    kind: str
    title: str
    issued_on: str  # YYYYMMDD
    issued_at: float
    content_hash: str
    holder_hash: str
    holder_name: str  # masked
    content: dict[str, Any]  # the signed content, holder name masked
    key_id: str
    signature: str  # b64url
    status: str = VALID
    revoked_at: float | None = None
    revoke_reason: str | None = None

    def as_json(self, with_content: bool = True) -> dict[str, Any]:
        """The record as `kiosk-district document show/list --json` prints it (no ID number, name masked)."""
        data = asdict(self)
        data["issued_at"] = _iso(self.issued_at)
        data["revoked_at"] = _iso(self.revoked_at) if self.revoked_at is not None else None
        data.pop("signature")
        if not with_content:
            data.pop("content")
        return data


def _iso(t: float) -> str:
    import datetime as dt

    return dt.datetime.fromtimestamp(t, dt.UTC).isoformat(timespec="seconds")


def masked_content(content: Mapping[str, Any]) -> dict[str, Any]:
    """The content as the register keeps it: the holder's name masked, everything else as signed."""
    kept = dict(content)
    if isinstance(kept.get("holder_name"), str):
        kept["holder_name"] = mask_name(kept["holder_name"])
    return kept


def _document(row: DocumentRow) -> RegisteredDocument:
    return RegisteredDocument(
        serial=row.serial, kiosk=row.kiosk, item=row.item, kind=row.kind, title=row.title, issued_on=row.issued_on,
        issued_at=row.issued_at, content_hash=row.content_hash, holder_hash=row.holder_hash,
        holder_name=row.holder_name, content=dict(row.content), key_id=row.key_id, signature=row.signature,
        status=row.status, revoked_at=row.revoked_at, revoke_reason=row.revoke_reason)


def register_document(engine: Engine, doc: RegisteredDocument) -> RegisteredDocument:
    """Record `doc`; returns what the register holds for its serial.

    A kiosk repeating a request whose answer it lost gets the same record back (same kiosk, content and holder);
    any other reuse of a serial raises SerialTaken.
    """
    row = DocumentRow(**{k: v for k, v in asdict(doc).items()}, holder_check_failures=0)
    try:
        with Session(engine) as s, s.begin():
            s.add(row)
    except IntegrityError:
        existing = find_document(engine, doc.serial)
        if existing is None:
            raise
        if (existing.kiosk, existing.content_hash, existing.holder_hash) != (doc.kiosk, doc.content_hash,
                                                                             doc.holder_hash):
            raise SerialTaken(doc.serial) from None
        return existing
    return doc


def find_document(engine: Engine, serial: str) -> RegisteredDocument | None:
    """The register's record of `serial`, or None."""
    with Session(engine) as s:
        row = s.get(DocumentRow, serial)
        return _document(row) if row is not None else None


def list_documents(engine: Engine, kiosk: str | None = None, status: str | None = None) -> list[RegisteredDocument]:
    """Registered documents in issue order, optionally of one kiosk and/or one status."""
    query = select(DocumentRow).order_by(DocumentRow.issued_at, DocumentRow.serial)
    if kiosk is not None:
        query = query.where(DocumentRow.kiosk == kiosk)
    if status is not None:
        query = query.where(DocumentRow.status == status)
    with Session(engine) as s:
        return [_document(row) for row in s.scalars(query)]


def revoke_document(engine: Engine, serial: str, reason: str, now: float | None = None) -> bool:
    """Revoke `serial`; False when it was already revoked (the first reason stays). KeyError when unknown."""
    with Session(engine) as s, s.begin():
        row = s.get(DocumentRow, serial)
        if row is None:
            raise KeyError(serial)
        if row.status == REVOKED:
            return False
        row.status, row.revoked_at, row.revoke_reason = REVOKED, now or time.time(), reason
    return True


def revoke_kiosk_documents(engine: Engine, kiosk: str, reason: str, now: float | None = None) -> list[str]:
    """Revoke every still valid document of `kiosk` in one transaction; the serials revoked."""
    with Session(engine) as s, s.begin():
        serials = list(s.scalars(select(DocumentRow.serial).where(DocumentRow.kiosk == kiosk,
                                                                  DocumentRow.status == VALID)))
        if serials:
            s.execute(update(DocumentRow).where(DocumentRow.serial.in_(serials)).values(
                status=REVOKED, revoked_at=now or time.time(), revoke_reason=reason))
    return sorted(serials)


def holder_checks_left(engine: Engine, serial: str) -> int:
    """How many failed holder checks `serial` may still take (0: checks refused)."""
    with Session(engine) as s:
        failures = s.scalar(select(DocumentRow.holder_check_failures).where(DocumentRow.serial == serial))
    return max(0, MAX_HOLDER_CHECK_FAILURES - (failures or 0))


def count_holder_check_failure(engine: Engine, serial: str) -> None:
    """Record a failed holder check of `serial`."""
    with Session(engine) as s, s.begin():
        s.execute(update(DocumentRow).where(DocumentRow.serial == serial).values(
            holder_check_failures=DocumentRow.holder_check_failures + 1))
