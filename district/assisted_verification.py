"""The district's side of assisted verification: its signing key, the staff queue, and decisions.

Staff (today through `kiosk-district help`, later through the operators' console) approve or deny a kiosk's
"assisted-verification" help request; the decision is signed here with the district's assisted-verification key
(contract.assisted_verification) and kept in `help_decisions`, which is the audit of who decided what and when.
The kiosk fetches the signed decision by polling its own request; it never learns who decided.

The key lives in the operators' keys folder (`<keys>/assisted-verification.pem`, 0600), where both the server
(which announces its public half at enrollment) and the CLI (which signs) find it.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from contract.assisted_verification import (
    DEFAULT_VALID_S,
    KEY_NAME,
    KIND,
    MAX_VALID_S,
    AssistedDecision,
    HelpRequestState,
    HelpRequestStatus,
    SignedAssistedDecision,
    Verdict,
    key_id,
    public_key_hex,
    sign_decision,
)
from district.models import HelpDecisionRow, HelpRequestRow
from district.settings import default_keys_dir

KEY_FILE = "assisted-verification.pem"


class DecisionError(Exception):
    """A decision that cannot be taken; `status` is the HTTP-like status a console would answer with."""

    status = 409

    def __init__(self, message: str) -> None:
        super().__init__(message)


class RequestNotFound(DecisionError):
    status = 404


class NotAssistedVerification(DecisionError):
    status = 422


class AlreadyClosed(DecisionError):
    status = 409


def keys_dir_of(settings: Any) -> Path:
    """The operators' keys folder for server `settings`: the configured one, else the CLI's default."""
    if getattr(settings, "keys_dir", None):
        return Path(settings.keys_dir)
    return default_keys_dir(settings.db_url)


def load_or_create_key(keys_dir: Path) -> Ed25519PrivateKey:
    """The district's assisted-verification key, created (0600, exclusively) on first use."""
    path = Path(keys_dir) / KEY_FILE
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise RuntimeError(f"{path} is not an Ed25519 private key") from None
        return key
    key = Ed25519PrivateKey.generate()
    with os.fdopen(fd, "wb") as f:
        f.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                  serialization.NoEncryption()))
    return key


def announce_key(state: Any) -> None:
    """Add the public key to what enrollment hands to kiosks (once per app)."""
    keys = getattr(state, "enrollment_public_keys", None)
    if isinstance(keys, dict) and KEY_NAME not in keys:
        keys[KEY_NAME] = public_key_hex(load_or_create_key(keys_dir_of(state.settings)))


def list_requests(engine: Engine, only_open: bool = False) -> list[dict[str, Any]]:
    """Help requests in arrival order, with their latest decision (who, when) for the staff queue."""
    with Session(engine) as s:
        query = select(HelpRequestRow).order_by(HelpRequestRow.id)
        if only_open:
            query = query.where(HelpRequestRow.state == HelpRequestState.OPEN.value)
        rows = s.scalars(query).all()
        decisions = {d.request_id: d for d in s.scalars(select(HelpDecisionRow).order_by(HelpDecisionRow.id))}
        out = []
        for row in rows:
            body = dict(row.body or {})
            decision = decisions.get(row.id)
            out.append({"id": row.id, "kiosk": row.kiosk, "received_at": row.received_at, "state": row.state,
                        "kind": body.get("kind", "help"), "step": body.get("state"), "item_id": body.get("item_id"),
                        "reason": body.get("reason"), "masked_document": body.get("masked_document"),
                        "session": body.get("session"),
                        "decided_by": decision.decided_by if decision else None,
                        "decided_at": decision.decided_at if decision else None})
        return out


def decide(engine: Engine, key: Ed25519PrivateKey, request_id: int, verdict: Verdict, staff: str,
           valid_s: float = DEFAULT_VALID_S, now: float | None = None) -> SignedAssistedDecision:
    """Approve or deny an open assisted-verification request; sign, store and return the decision.

    Raises RequestNotFound, NotAssistedVerification, AlreadyClosed (decided or withdrawn), ValueError for a
    validity outside (0, MAX_VALID_S] or an empty staff name. Only one decision per request is ever stored.
    """
    staff = staff.strip()
    if not staff or len(staff) > 64:
        raise ValueError("the deciding staff member's name is required (at most 64 characters)")
    if not 0 < valid_s <= MAX_VALID_S:
        raise ValueError(f"validity must be within (0, {MAX_VALID_S:.0f}] seconds")
    decided_at = time.time() if now is None else now
    with Session(engine) as s, s.begin():
        row = s.scalars(select(HelpRequestRow).where(HelpRequestRow.id == request_id).with_for_update()).first()
        if row is None:
            raise RequestNotFound(f"no help request {request_id}")
        body = dict(row.body or {})
        if body.get("kind") != KIND:
            raise NotAssistedVerification(f"help request {request_id} is a call for help, not an "
                                          f"assisted verification: nothing to approve")
        if row.state != HelpRequestState.OPEN.value:
            raise AlreadyClosed(f"help request {request_id} is already {row.state}")
        public_raw = bytes.fromhex(public_key_hex(key))
        decision = AssistedDecision(request_id=row.id, kiosk=row.kiosk, session=int(body["session"]),
                                    challenge=str(body["challenge"]), verdict=verdict, decided_at=decided_at,
                                    expires_at=decided_at + valid_s, key_id=key_id(public_raw))
        signed = sign_decision(decision, key)
        row.state = verdict.value
        s.add(HelpDecisionRow(request_id=row.id, kiosk=row.kiosk, verdict=verdict.value, decided_by=staff,
                              decided_at=decided_at, signed=signed.model_dump(mode="json")))
    return signed


def status_for_kiosk(engine: Engine, request_id: int, kiosk: str) -> HelpRequestStatus | None:
    """The state of `kiosk`'s own request (None when it does not exist or belongs to another kiosk)."""
    with Session(engine) as s:
        row = s.get(HelpRequestRow, request_id)
        if row is None or row.kiosk != kiosk:
            return None
        decision = s.scalars(select(HelpDecisionRow).where(HelpDecisionRow.request_id == request_id)
                             .order_by(HelpDecisionRow.id)).first()
        signed = SignedAssistedDecision.model_validate(decision.signed) if decision is not None else None
        return HelpRequestStatus(id=row.id, state=HelpRequestState(row.state), decision=signed,
                                 server_time=time.time())


def withdraw(engine: Engine, request_id: int, kiosk: str) -> HelpRequestState | None:
    """Close `kiosk`'s open request because its session ended; returns the request's state (None: not its own)."""
    with Session(engine) as s, s.begin():
        row = s.scalars(select(HelpRequestRow).where(HelpRequestRow.id == request_id).with_for_update()).first()
        if row is None or row.kiosk != kiosk:
            return None
        if row.state == HelpRequestState.OPEN.value:
            row.state = HelpRequestState.WITHDRAWN.value
        return HelpRequestState(row.state)
