"""Tables of the operators' console (migration 0006): accounts, server-side sessions, API tokens, the append-only
audit log and staff marks on help requests. They share district.models.Base so one Alembic chain covers them."""

from __future__ import annotations

from sqlalchemy import JSON, BigInteger, Boolean, Float, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from district.models import Base


class OperatorRow(Base):
    """A console account. `password_hash` is Argon2id (argon2-cffi's encoded form)."""

    __tablename__ = "console_operators"
    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    role: Mapped[str] = mapped_column(String(16), nullable=False)  # admin | operator | staff | viewer
    password_hash: Mapped[str] = mapped_column(String(200), nullable=False)
    must_change_password: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    disabled: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    failed_logins: Mapped[int] = mapped_column(Integer, nullable=False, default=0)  # since the last success
    locked_until: Mapped[float | None] = mapped_column(Float, nullable=True)
    created_at: Mapped[float] = mapped_column(Float, nullable=False)


class OperatorSessionRow(Base):
    """A logged-in browser. The cookie carries a random token; only its SHA-256 is stored (a leaked table row
    does not log anyone in). Kept in the database so every server process behind a balancer shares it."""

    __tablename__ = "console_sessions"
    token_sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    operator: Mapped[str] = mapped_column(String(64), nullable=False, index=True)
    csrf_token: Mapped[str] = mapped_column(String(64), nullable=False)
    created_at: Mapped[float] = mapped_column(Float, nullable=False)
    last_seen_at: Mapped[float] = mapped_column(Float, nullable=False)


class ApiTokenRow(Base):
    """A bearer token for scripts (`kiosk-district operator token NAME`): SHA-256 stored, acts as its operator."""

    __tablename__ = "console_api_tokens"
    token_sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    operator: Mapped[str] = mapped_column(String(64), nullable=False, index=True)
    created_at: Mapped[float] = mapped_column(Float, nullable=False)
    revoked_at: Mapped[float | None] = mapped_column(Float, nullable=True)


class AuditRow(Base):
    """One console or operator-CLI action (append-only: the migration installs triggers refusing UPDATE/DELETE)."""

    __tablename__ = "console_audit"
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True)
    at: Mapped[float] = mapped_column(Float, nullable=False, index=True)
    actor: Mapped[str] = mapped_column(String(64), nullable=False, index=True)
    action: Mapped[str] = mapped_column(String(48), nullable=False, index=True)
    target: Mapped[str] = mapped_column(String(128), nullable=False, default="", index=True)
    outcome: Mapped[str] = mapped_column(String(16), nullable=False, default="ok")
    detail: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)


class HelpMarkRow(Base):
    """Staff acknowledging or resolving a kiosk's help request (append-only; the latest mark is the request's
    console state). Kept apart from help_requests.state, whose values the kiosks read (contract.assisted_verification)."""

    __tablename__ = "console_help_marks"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    request_id: Mapped[int] = mapped_column(Integer, nullable=False, index=True)
    mark: Mapped[str] = mapped_column(String(16), nullable=False)  # acknowledged | resolved
    by: Mapped[str] = mapped_column(String(64), nullable=False)
    at: Mapped[float] = mapped_column(Float, nullable=False)
