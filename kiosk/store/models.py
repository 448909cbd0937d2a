"""Tables of the terminal's database. Changing them means adding an Alembic revision in migrations/versions."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Counter(Base):
    """Monotonic counters (the kiosk's transaction sequence); never reset, never reused after purges."""

    __tablename__ = "counters"
    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger, nullable=False)


class TransactionRow(Base):
    __tablename__ = "transactions"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # UUID4
    seq: Mapped[int] = mapped_column(BigInteger, unique=True, nullable=False)
    kiosk_id: Mapped[str] = mapped_column(String(64), nullable=False)
    item_id: Mapped[str] = mapped_column(String(64), nullable=False)
    module_id: Mapped[str] = mapped_column(String(64), nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False)  # completed | queued | failed
    holder: Mapped[str] = mapped_column(String(64), nullable=False)  # holder_digest(), never the number
    summary: Mapped[dict] = mapped_column(JSON, nullable=False)
    device_time: Mapped[str] = mapped_column(String(32), nullable=False)  # ISO, informational only
    rating: Mapped[str | None] = mapped_column(String(8), nullable=True)  # good | bad


class OutboxRow(Base):
    __tablename__ = "outbox"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    transaction_id: Mapped[str] = mapped_column(ForeignKey("transactions.id"), unique=True, nullable=False)
    seq: Mapped[int] = mapped_column(BigInteger, unique=True, nullable=False)
    kind: Mapped[str] = mapped_column(String(32), nullable=False)  # transaction | rating
    payload: Mapped[dict] = mapped_column(JSON, nullable=False)
    state: Mapped[str] = mapped_column(String(16), nullable=False, default="pending", index=True)
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_mono: Mapped[float] = mapped_column(nullable=False, default=0.0)
    created_at: Mapped[str] = mapped_column(String(32), nullable=False)
    delivered_at: Mapped[str | None] = mapped_column(String(32), nullable=True)
    server_received_at: Mapped[float | None] = mapped_column(nullable=True)  # the district's clock (0002)
    clock_skew_s: Mapped[float | None] = mapped_column(nullable=True)  # kiosk clock - district clock (0002)


class DeadLetterRow(Base):
    __tablename__ = "dead_letters"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    transaction_id: Mapped[str] = mapped_column(String(36), unique=True, nullable=False)
    seq: Mapped[int] = mapped_column(BigInteger, nullable=False)
    payload: Mapped[dict] = mapped_column(JSON, nullable=False)
    reason: Mapped[str] = mapped_column(Text, nullable=False)
    created_at: Mapped[str] = mapped_column(String(32), nullable=False)


class CatalogVersionRow(Base):
    __tablename__ = "catalog_versions"
    __table_args__ = (UniqueConstraint("version", "sha256"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    source: Mapped[str] = mapped_column(String(32), nullable=False)  # shipped | district
    applied_at: Mapped[str] = mapped_column(String(32), nullable=False)
    active: Mapped[bool] = mapped_column(nullable=False, default=False)


class AuditEventRow(Base):
    __tablename__ = "audit_events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    ts: Mapped[str] = mapped_column(String(32), nullable=False)
    event: Mapped[str] = mapped_column(String(64), nullable=False)
    detail: Mapped[dict] = mapped_column(JSON, nullable=False)


class SyncStateRow(Base):
    """The sync daemon's small key/value state: last success, last error, link, skew, catalog flags (0002)."""

    __tablename__ = "sync_state"
    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON, nullable=False)


class DiagnosticsRunRow(Base):
    """One health check run (device, level, outcome) with the software version that ran it (0003).

    "Latest" means the highest id, never the newest clock value: a kiosk clock can jump.
    """

    __tablename__ = "diagnostics_runs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    device: Mapped[str] = mapped_column(String(32), nullable=False, index=True)
    level: Mapped[str] = mapped_column(String(16), nullable=False)  # internal | external | interactive
    health: Mapped[str] = mapped_column(String(8), nullable=False)  # pass | warn | fail
    status_id: Mapped[str] = mapped_column(String(48), nullable=False)
    text: Mapped[str] = mapped_column(Text, nullable=False)
    ms: Mapped[float] = mapped_column(nullable=False)
    software_version: Mapped[str] = mapped_column(String(64), nullable=False)
    recorded_at: Mapped[str] = mapped_column(String(32), nullable=False, index=True)  # ISO UTC, for retention
    detail: Mapped[dict] = mapped_column(JSON, nullable=False)  # state, power, media, facts
