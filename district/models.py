"""Tables of the district server's database (SQLite or PostgreSQL). Changes need an Alembic revision in migrations/."""

from __future__ import annotations

from sqlalchemy import JSON, BigInteger, Float, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class KioskRow(Base):
    """A terminal the district knows: pending (token issued), enrolled (public key bound) or revoked."""

    __tablename__ = "kiosks"
    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    state: Mapped[str] = mapped_column(String(16), nullable=False)  # pending | enrolled | revoked
    token_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)  # one-time, cleared when used
    public_key: Mapped[str | None] = mapped_column(Text, nullable=True)  # Ed25519, raw 32 bytes hex
    created_at: Mapped[float] = mapped_column(Float, nullable=False)
    enrolled_at: Mapped[float | None] = mapped_column(Float, nullable=True)
    revoked_at: Mapped[float | None] = mapped_column(Float, nullable=True)
    duplicates_refused: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0)


class NonceRow(Base):
    """Request nonces seen inside the replay window; the primary key makes a replay fail to insert."""

    __tablename__ = "request_nonces"
    kiosk: Mapped[str] = mapped_column(String(64), primary_key=True)
    nonce: Mapped[str] = mapped_column(String(64), primary_key=True)
    seen_at: Mapped[float] = mapped_column(Float, nullable=False, index=True)


class ReceivedTransactionRow(Base):
    """A kiosk transaction as received; `rx` is the server's arrival order, `id` the kiosk's idempotency key."""

    __tablename__ = "received_transactions"
    __table_args__ = (UniqueConstraint("kiosk", "seq", name="uq_received_kiosk_seq"),)
    rx: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True,
                                    autoincrement=True)
    id: Mapped[str] = mapped_column(String(36), unique=True, nullable=False)
    kiosk: Mapped[str] = mapped_column(String(64), nullable=False, index=True)
    seq: Mapped[int] = mapped_column(BigInteger, nullable=False)
    item_id: Mapped[str] = mapped_column(String(64), nullable=False)
    module_id: Mapped[str] = mapped_column(String(64), nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False)
    payload: Mapped[dict] = mapped_column(JSON, nullable=False)
    device_time: Mapped[str] = mapped_column(String(40), nullable=False)  # the kiosk's clock, informational
    received_at: Mapped[float] = mapped_column(Float, nullable=False)  # the server's clock
    clock_skew_s: Mapped[float] = mapped_column(Float, nullable=False)  # kiosk request time - server time


class HeartbeatRow(Base):
    """The latest heartbeat per kiosk (device health, backlog, versions)."""

    __tablename__ = "heartbeats"
    kiosk: Mapped[str] = mapped_column(String(64), primary_key=True)
    received_at: Mapped[float] = mapped_column(Float, nullable=False)
    clock_skew_s: Mapped[float] = mapped_column(Float, nullable=False)
    body: Mapped[dict] = mapped_column(JSON, nullable=False)


class HelpRequestRow(Base):
    __tablename__ = "help_requests"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kiosk: Mapped[str] = mapped_column(String(64), nullable=False, index=True)
    received_at: Mapped[float] = mapped_column(Float, nullable=False)
    body: Mapped[dict] = mapped_column(JSON, nullable=False)
    state: Mapped[str] = mapped_column(String(16), nullable=False, default="open")


class HelpDecisionRow(Base):
    """A staff member's decision on a help request, as signed for the kiosk (append-only: the audit of who decided)."""

    __tablename__ = "help_decisions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    request_id: Mapped[int] = mapped_column(Integer, nullable=False, index=True)
    kiosk: Mapped[str] = mapped_column(String(64), nullable=False)
    verdict: Mapped[str] = mapped_column(String(16), nullable=False)  # approved | denied
    decided_by: Mapped[str] = mapped_column(String(64), nullable=False)  # the staff member
    decided_at: Mapped[float] = mapped_column(Float, nullable=False)
    signed: Mapped[dict] = mapped_column(JSON, nullable=False)  # contract.assisted_verification.SignedAssistedDecision


class TufMetadataRow(Base):
    """Every signed TUF metadata version ever published (consistent snapshots: old versions stay fetchable)."""

    __tablename__ = "tuf_metadata"
    role: Mapped[str] = mapped_column(String(32), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    body: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)
    published_at: Mapped[float] = mapped_column(Float, nullable=False)


class TufTargetRow(Base):
    """Target files (catalogs) by content hash, as the TUF client fetches them: /targets/<sha256>.<name>."""

    __tablename__ = "tuf_targets"
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(128), primary_key=True)
    body: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)
    published_at: Mapped[float] = mapped_column(Float, nullable=False)


class DocumentRow(Base):
    """The certificate register: every document the district signed, what it says, and whether it still stands.

    `content` is the signed content with the holder's name masked (the full name is covered by `content_hash`
    but not kept); `holder_hash` is the keyed digest printed in the QR code, never the ID number.
    """

    __tablename__ = "documents"
    serial: Mapped[str] = mapped_column(String(64), primary_key=True)
    kiosk: Mapped[str] = mapped_column(String(64), nullable=False, index=True)
    item: Mapped[str] = mapped_column(String(64), nullable=False)
    kind: Mapped[str] = mapped_column(String(128), nullable=False)
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    issued_on: Mapped[str] = mapped_column(String(8), nullable=False)  # YYYYMMDD, as in the QR payload
    issued_at: Mapped[float] = mapped_column(Float, nullable=False)  # the server's clock at signing
    content_hash: Mapped[str] = mapped_column(String(43), nullable=False)
    holder_hash: Mapped[str] = mapped_column(String(43), nullable=False)
    holder_name: Mapped[str] = mapped_column(String(64), nullable=False)  # masked
    content: Mapped[dict] = mapped_column(JSON, nullable=False)
    key_id: Mapped[str] = mapped_column(String(16), nullable=False)
    signature: Mapped[str] = mapped_column(String(86), nullable=False)  # b64url, so a lost answer can be repeated
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="valid")  # valid | revoked
    revoked_at: Mapped[float | None] = mapped_column(Float, nullable=True)
    revoke_reason: Mapped[str | None] = mapped_column(String(500), nullable=True)
    holder_check_failures: Mapped[int] = mapped_column(Integer, nullable=False, default=0)


class CitizenRequestRow(Base):
    """A request a kiosk accepted while the district was down (a `queued` transaction), registered at ingest in
    the same database transaction as the transaction itself, then submitted to the department once (migration 0004).

    No personal data here: the request's content stays in its received transaction's payload; this row is what
    staff list (id, item, kiosk, status, the citizen's tracking number, the department's reference)."""

    __tablename__ = "citizen_requests"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # the kiosk's transaction id
    kiosk: Mapped[str] = mapped_column(String(64), nullable=False, index=True)
    item_id: Mapped[str] = mapped_column(String(64), nullable=False)
    module_id: Mapped[str] = mapped_column(String(64), nullable=False)
    tracking_number: Mapped[str] = mapped_column(String(40), nullable=False)  # the one on the claim receipt
    status: Mapped[str] = mapped_column(String(16), nullable=False, index=True)  # received | submitted
    reference: Mapped[str | None] = mapped_column(String(64), nullable=True)  # the department's number
    received_at: Mapped[float] = mapped_column(Float, nullable=False)
    submitted_at: Mapped[float | None] = mapped_column(Float, nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)


class DataSourceAuditRow(Base):
    """One fetch of a citizen's record from a departmental data source (append-only): which kiosk asked, which
    source answered what kind of record, the outcome and how long it took. `holder` is the keyed holder digest
    (contract.privacy.holder_digest), never the ID number."""

    __tablename__ = "data_source_audit"
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True)
    at: Mapped[float] = mapped_column(Float, nullable=False, index=True)  # the server's clock
    kiosk: Mapped[str] = mapped_column(String(64), nullable=False, index=True)  # "" for an unsigned demo request
    source: Mapped[str] = mapped_column(String(64), nullable=False, index=True)
    record_kind: Mapped[str] = mapped_column(String(64), nullable=False)
    holder: Mapped[str] = mapped_column(String(64), nullable=False)
    outcome: Mapped[str] = mapped_column(String(16), nullable=False)  # ok | not-found | unavailable | ...
    attempts: Mapped[int] = mapped_column(Integer, nullable=False)
    latency_ms: Mapped[float] = mapped_column(Float, nullable=False)
    detail: Mapped[str] = mapped_column(String(200), nullable=False, default="")


class RateBucketRow(Base):
    """One token bucket of a rate limit (`kiosk:<name>` or `address:<ip>`), shared by every server process
    (migration 0008). A bucket untouched for longer than it takes to refill is full: such rows are pruned."""

    __tablename__ = "rate_buckets"
    key: Mapped[str] = mapped_column(String(160), primary_key=True)
    tokens: Mapped[float] = mapped_column(Float, nullable=False)
    updated_at: Mapped[float] = mapped_column(Float, nullable=False, index=True)  # the server's clock


class KioskGroupRow(Base):
    """A kiosk's membership of a named group (e.g. `canary`) that catalog rollouts target (migration 0007)."""

    __tablename__ = "kiosk_groups"
    group_name: Mapped[str] = mapped_column(String(64), primary_key=True)
    kiosk: Mapped[str] = mapped_column(String(64), primary_key=True, index=True)
    added_at: Mapped[float] = mapped_column(Float, nullable=False)


class CatalogRolloutRow(Base):
    """One published catalog version and who is offered it: a group first (`staged`), then everyone (`promoted`);
    `halted`: offered to no one new; `superseded`: a higher version went out to everyone (migration 0007).

    The signed targets metadata says which catalogs are approved content; this row is the district's (online)
    decision of which kiosks are offered which approved catalog (docs/catalog-publishing.md)."""

    __tablename__ = "catalog_rollouts"
    version: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    target: Mapped[str] = mapped_column(String(128), nullable=False)  # its name in the signed targets metadata
    group_name: Mapped[str | None] = mapped_column(String(64), nullable=True)  # None: published to every kiosk
    state: Mapped[str] = mapped_column(String(16), nullable=False, index=True)  # staged|promoted|halted|superseded
    content_of: Mapped[int | None] = mapped_column(Integer, nullable=True)  # a rollback: the version it repeats
    created_at: Mapped[float] = mapped_column(Float, nullable=False)
    changed_at: Mapped[float] = mapped_column(Float, nullable=False)
    note: Mapped[str] = mapped_column(String(1000), nullable=False, default="")  # why halted, who promoted


class CatalogSigningRequestRow(Base):
    """Unsigned targets metadata waiting for the offline targets key (`kiosk-district catalog sign`), with the
    catalog it approves and what to do once signed (migration 0007)."""

    __tablename__ = "catalog_signing_requests"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    created_at: Mapped[float] = mapped_column(Float, nullable=False)
    catalog_version: Mapped[int] = mapped_column(Integer, nullable=False)
    group_name: Mapped[str | None] = mapped_column(String(64), nullable=True)
    content_of: Mapped[int | None] = mapped_column(Integer, nullable=True)
    catalog: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)
    targets: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)  # unsigned targets metadata (JSON)
    state: Mapped[str] = mapped_column(String(16), nullable=False, default="pending")  # pending|published|stale


class LatchedAlertRow(Base):
    """An alert a person must acknowledge (migration 0009): raised once per occurrence from what a kiosk reported
    (district.latched_alerts), kept after the condition clears until an operator acknowledges it."""

    __tablename__ = "latched_alerts"
    __table_args__ = (UniqueConstraint("kiosk", "key", name="uq_latched_alerts_kiosk_key"),)
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True)
    kiosk: Mapped[str] = mapped_column(String(64), nullable=False, index=True)
    key: Mapped[str] = mapped_column(String(200), nullable=False)  # one occurrence: raising it again changes nothing
    kind: Mapped[str] = mapped_column(String(32), nullable=False)
    params: Mapped[dict] = mapped_column(JSON, nullable=False)
    raised_at: Mapped[float] = mapped_column(Float, nullable=False)  # the server's clock
    acknowledged_at: Mapped[float | None] = mapped_column(Float, nullable=True, index=True)
    acknowledged_by: Mapped[str | None] = mapped_column(String(64), nullable=True)


class CatalogOfferGenerationRow(Base):
    """One row whose counter every change to what kiosks are offered moves (migration 0010: triggers on the
    rollout, group and TUF metadata tables); district.offer_cache reads it in each heartbeat's transaction."""

    __tablename__ = "catalog_offer_generation"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    generation: Mapped[int] = mapped_column(BigInteger, nullable=False)
