"""Assisted verification: a member of staff confirms a citizen whom the face check failed or who declined it.

Accessibility rules for self-service machines require a non-biometric way through wherever biometrics are used.
The kiosk sends a help request of kind "assisted-verification" (no biometric data, the masked document number
only) with a random challenge of its own; staff decide at the district; the kiosk polls and continues only with a
decision that is

- signed by the district's assisted-verification key (Ed25519), verified with the public key the kiosk pinned at
  enrollment (`<data>/district/keys.json`, entry `assisted_verification`);
- bound to this kiosk, this help request, this session and this challenge;
- not expired (a few minutes after the decision).

Why a signature rather than trusting the authenticated link: the link authenticates the kiosk to the district
(every request is signed), not the district's answers to the kiosk; they travel as plain HTTP on the district's
network, possibly through proxies. "Approved" unlocks a citizen's services, so it must be something no box on the
way can write, and the key that checks it is the one pinned at enrollment, never one fetched later over the link.

Both sides import this module: the district signs with `sign_decision`, the kiosk checks with `verify_decision`.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from dataclasses import dataclass
from enum import Enum
from typing import Literal

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from pydantic import BaseModel, ConfigDict, Field, field_validator

KIND = "assisted-verification"
KEY_NAME = "assisted_verification"  # the entry in the enrollment answer's public keys
DOMAIN = b"kiosk-assisted-verification-v1"
DEFAULT_VALID_S = 180.0  # how long an approval stays usable after staff decided
MAX_VALID_S = 900.0  # the kiosk refuses decisions that claim to stay valid longer than this
HELP_REQUESTS_PATH = "/api/v1/help-requests"

# At most 3 leading and 4 trailing characters in clear, at least one star between (contract.privacy's mask).
_MASKED = re.compile(r"^[0-9A-Z<]{0,3}\*+[0-9A-Z<]{0,4}$")


class AssistedReason(str, Enum):
    DECLINED = "declined"  # the citizen chose not to use the face check
    FACE_FAILED = "face-failed"  # the last face attempt failed
    CAMERA_UNAVAILABLE = "camera-unavailable"


class Verdict(str, Enum):
    APPROVED = "approved"
    DENIED = "denied"


class AssistedVerificationRequest(BaseModel):
    """The body a kiosk posts to the help-request endpoint to ask staff to verify the citizen in front of it."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    kind: Literal["assisted-verification"] = "assisted-verification"
    state: str = Field(default="verifying_face", max_length=32)
    session: int = Field(ge=1, description="the kiosk's session number")
    challenge: str = Field(pattern=r"^[0-9a-f]{32}$", description="random, chosen by the kiosk per request")
    masked_document: str = Field(max_length=32, description="the document number as contract.privacy masks it")
    reason: AssistedReason

    @field_validator("masked_document")
    @classmethod
    def _masked(cls, value: str) -> str:
        if not _MASKED.fullmatch(value):
            raise ValueError("must be a masked document number (at most 3 + 4 characters in clear)")
        return value


class AssistedDecision(BaseModel):
    """What staff decided, as the district signs it. Carries no personal data and not the staff member's name."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    version: Literal[1] = 1
    request_id: int = Field(ge=1)
    kiosk: str = Field(min_length=1, max_length=64)
    session: int = Field(ge=1)
    challenge: str = Field(pattern=r"^[0-9a-f]{32}$")
    verdict: Verdict
    decided_at: float = Field(description="district clock, seconds since the epoch")
    expires_at: float
    key_id: str = Field(pattern=r"^[0-9a-f]{16}$")

    def signed_message(self) -> bytes:
        """The exact bytes the district signs: a domain tag, then the canonical JSON of every field."""
        body = json.dumps(self.model_dump(mode="json"), sort_keys=True, separators=(",", ":"), ensure_ascii=True)
        return DOMAIN + b"\n" + body.encode()


class SignedAssistedDecision(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    decision: AssistedDecision
    signature: str = Field(max_length=128, description="base64 Ed25519 signature of decision.signed_message()")


class HelpRequestState(str, Enum):
    OPEN = "open"
    APPROVED = "approved"
    DENIED = "denied"
    WITHDRAWN = "withdrawn"  # the kiosk's session ended before anyone decided


class HelpRequestStatus(BaseModel):
    """The district's answer to a kiosk polling one of its help requests (GET help-requests/{id})."""

    id: int
    state: HelpRequestState
    decision: SignedAssistedDecision | None = None
    server_time: float


@dataclass(frozen=True)
class Binding:
    """What the kiosk asked for: a decision must name exactly this to be accepted."""

    kiosk: str
    request_id: int
    session: int
    challenge: str


class DecisionRefused(ValueError):
    """A decision the kiosk must not act on; `reason` is one of the short words below (logged, never shown)."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason


def key_id(public_raw: bytes) -> str:
    """Short id of a public key: the first 8 bytes of its SHA-256, hex."""
    return hashlib.sha256(public_raw).hexdigest()[:16]


def public_key_hex(key: Ed25519PrivateKey) -> str:
    """The raw public key, hex: what the district announces at enrollment."""
    return key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw).hex()


def sign_decision(decision: AssistedDecision, key: Ed25519PrivateKey) -> SignedAssistedDecision:
    """Sign `decision` with the district's assisted-verification key (its key_id must name that key)."""
    if decision.key_id != key_id(bytes.fromhex(public_key_hex(key))):
        raise ValueError("decision.key_id does not name the signing key")
    signature = base64.b64encode(key.sign(decision.signed_message())).decode()
    return SignedAssistedDecision(decision=decision, signature=signature)


def verify_decision(signed: SignedAssistedDecision, public_hex: str, expected: Binding,
                    district_now: float) -> AssistedDecision:
    """The decision when it is genuine, bound to `expected` and unexpired at `district_now`; else DecisionRefused.

    Reasons: "signature" (not the pinned key's, or tampered), "other-kiosk", "other-session" (another request,
    session or challenge), "validity" (claims to be valid longer than MAX_VALID_S, or expires before it was
    decided), "expired".
    """
    decision = signed.decision
    try:
        raw = bytes.fromhex(public_hex)
        Ed25519PublicKey.from_public_bytes(raw).verify(base64.b64decode(signed.signature, validate=True),
                                                       decision.signed_message())
    except Exception as exc:  # noqa: BLE001 - any malformed key or signature is simply "not verified"
        raise DecisionRefused("signature", type(exc).__name__) from None
    if decision.key_id != key_id(raw):
        raise DecisionRefused("signature", "key id does not name the pinned key")
    if decision.kiosk != expected.kiosk:
        raise DecisionRefused("other-kiosk")
    if (decision.request_id, decision.session, decision.challenge) != (
            expected.request_id, expected.session, expected.challenge):
        raise DecisionRefused("other-session")
    if not 0 < decision.expires_at - decision.decided_at <= MAX_VALID_S:
        raise DecisionRefused("validity", f"{decision.expires_at - decision.decided_at:.0f} s")
    if district_now >= decision.expires_at:
        raise DecisionRefused("expired", f"{district_now - decision.expires_at:.0f} s ago")
    return decision
