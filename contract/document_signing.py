"""Signed verification payloads printed as QR codes: the format both the kiosk and the district speak.

Who signs: the district. The kiosk never holds the district's document signing key (a stolen kiosk must not
be able to mint certificates); it asks `POST /api/v1/documents/sign` to sign the payload of each certificate and
prints the answer (kiosk.documents.signing). Verification needs only the district's PUBLIC document key.

The payload: version, serial, a keyed digest of the holder's ID number, a hash of the certificate's content, the
issue date, and the signing key's id. The signature is Ed25519 over `signed_message()`. The QR text is the
district's public verification URL carrying these fields as query parameters, so a phone scan opens the district's
page.

The district never signs a hash it did not compute: the kiosk sends the certificate's whole content and the
holder's ID number in the signed request body (`SignRequest`), the district hashes the content, derives the holder
digest with its own secret (HMAC-SHA256, one secret per deployment, never on a kiosk) and records the document in
its register before answering. An unkeyed digest would not do: the serial is public and the first 3 and last 4
digits are printed beside the QR, so the ~3.7e7 remaining candidates fall to a laptop in minutes.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Protocol
from urllib.parse import parse_qs, urlencode, urlsplit

PAYLOAD_VERSION = "1"
DOMAIN = b"kiosk-document-v1"
SIGN_PATH = "/api/v1/documents/sign"
KEY_PATH = "/api/v1/documents/key"


def b64u(data: bytes) -> str:
    """URL-safe base64 without padding (what goes into QR URLs)."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64u(text: str) -> bytes:
    """Inverse of b64u; raises ValueError on bad input."""
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (ValueError, TypeError) as exc:
        raise ValueError(f"bad base64: {exc}") from exc


def holder_hash(secret: bytes, serial: str, document_number: str) -> str:
    """Keyed digest of the holder's ID number for one certificate (b64url HMAC-SHA256 with the district's holder
    secret). Only the district can compute or check it; the serial binds it to one certificate."""
    if len(secret) < 16:
        raise ValueError("the holder secret must have at least 16 bytes")
    message = f"kiosk-doc-holder-v2:{serial}:{document_number.strip().upper()}".encode()
    return b64u(hmac.new(secret, message, hashlib.sha256).digest())


def canonical_json(content: Mapping[str, Any]) -> bytes:
    """The canonical bytes of a document's content: sorted keys, no spaces, UTF-8."""
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def content_hash(content: Mapping[str, Any]) -> str:
    """Hash of a document's content (b64url SHA-256 of its canonical JSON)."""
    return b64u(hashlib.sha256(canonical_json(content)).digest())


def new_serial(kiosk_id: str, issued_on: str, kind: str = "SI") -> str:
    """A unique serial: kind, issue date, kiosk short name and 40 random bits, e.g. 'SI-20261126-SC01-K3J9QX2A'."""
    short = "".join(ch for ch in kiosk_id.upper() if ch.isalnum())[-6:] or "KIOSK"
    token = base64.b32encode(secrets.token_bytes(5)).decode()
    return f"{kind}-{issued_on.replace('-', '')}-{short}-{token}"


def key_id(public_raw: bytes) -> str:
    """Short id of a public key: first 8 bytes of SHA-256 of its raw form, hex."""
    return hashlib.sha256(public_raw).hexdigest()[:16]


@dataclass(frozen=True)
class VerificationPayload:
    serial: str
    holder_hash: str
    content_hash: str
    issued_on: str  # YYYYMMDD
    key_id: str = ""
    signature: bytes = b""
    version: str = PAYLOAD_VERSION

    def signed_message(self) -> bytes:
        """The exact bytes the district signs."""
        return b"\n".join([DOMAIN, self.version.encode(), self.serial.encode(), self.holder_hash.encode(),
                           self.content_hash.encode(), self.issued_on.encode(), self.key_id.encode()])

    def query(self) -> dict[str, str]:
        """The payload as URL query parameters (short names keep the QR small)."""
        return {"v": self.version, "s": self.serial, "h": self.holder_hash, "c": self.content_hash,
                "d": self.issued_on, "k": self.key_id, "sig": b64u(self.signature)}

    def url(self, verify_base: str) -> str:
        """The QR text: the district's verification page carrying the payload."""
        return f"{verify_base.rstrip('/')}/verify?{urlencode(self.query())}"

    @classmethod
    def from_query(cls, query: Mapping[str, str]) -> VerificationPayload:
        """Parse query parameters; raises ValueError naming a missing or malformed field."""
        missing = [k for k in ("v", "s", "h", "c", "d", "k", "sig") if not query.get(k)]
        if missing:
            raise ValueError(f"payload lacks {', '.join(missing)}")
        return cls(version=query["v"], serial=query["s"], holder_hash=query["h"], content_hash=query["c"],
                   issued_on=query["d"], key_id=query["k"], signature=unb64u(query["sig"]))

    @classmethod
    def from_text(cls, text: str) -> VerificationPayload:
        """Parse a QR text (the verification URL, or just its query string)."""
        text = text.strip()
        query = urlsplit(text).query if "?" in text else text
        parsed = {k: v[0] for k, v in parse_qs(query, keep_blank_values=True).items()}
        return cls.from_query(parsed)


@dataclass(frozen=True)
class SignRequest:
    """What a kiosk asks the district to sign: the certificate's whole printed content and the holder's number.

    The number never travels in a URL: it is in the (signed) request body, and the district keeps only its keyed
    digest. `issued_on` is YYYYMMDD and must equal the content's issue date.
    """

    serial: str
    item: str  # the catalog item the certificate was issued for
    issued_on: str  # YYYYMMDD
    content: Mapping[str, Any]
    document_number: str = field(repr=False)

    def body(self) -> dict[str, Any]:
        """The JSON body of `POST /api/v1/documents/sign`."""
        return {"version": PAYLOAD_VERSION, "serial": self.serial, "item": self.item, "issued_on": self.issued_on,
                "document_number": self.document_number, "content": dict(self.content)}


@dataclass(frozen=True)
class SignedPayload:
    payload: VerificationPayload
    verify_base: str  # where the district's public verification page lives

    @property
    def qr_text(self) -> str:
        return self.payload.url(self.verify_base)


class DocumentSigner(Protocol):
    """Has a certificate signed with the district's document key (and, at the district, registered)."""

    def sign(self, request: SignRequest) -> SignedPayload: ...


def payload_for(request: SignRequest, holder_secret: bytes) -> VerificationPayload:
    """The unsigned payload of `request`: content hash and keyed holder digest (what the district computes)."""
    return VerificationPayload(serial=request.serial,
                               holder_hash=holder_hash(holder_secret, request.serial, request.document_number),
                               content_hash=content_hash(request.content), issued_on=request.issued_on)


class LocalDocumentSigner:
    """Signs with a private key held in memory: the district server itself, and tests (which get a random holder
    secret unless they pass one)."""

    def __init__(self, private_key: Any, verify_base: str, holder_secret: bytes | None = None) -> None:
        self._key = private_key  # Ed25519PrivateKey
        self._verify_base = verify_base
        self._holder_secret = holder_secret if holder_secret is not None else secrets.token_bytes(32)
        self.public_key = private_key.public_key()
        self.key_id = key_id(public_raw(self.public_key))

    def sign(self, request: SignRequest) -> SignedPayload:
        """Hash the request's content, derive the holder digest and sign the payload."""
        return self.sign_payload(payload_for(request, self._holder_secret))

    def sign_payload(self, payload: VerificationPayload) -> SignedPayload:
        """Sign `payload` (its key_id is set to this key's id)."""
        unsigned = replace(payload, key_id=self.key_id, signature=b"")
        return SignedPayload(replace(unsigned, signature=self._key.sign(unsigned.signed_message())),
                             self._verify_base)


def public_raw(public_key: Any) -> bytes:
    """Raw 32 bytes of an Ed25519 public key."""
    from cryptography.hazmat.primitives import serialization

    raw: bytes = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return raw


def public_pem(public_key: Any) -> bytes:
    """PEM (SubjectPublicKeyInfo) of an Ed25519 public key: the format of the stored key file."""
    from cryptography.hazmat.primitives import serialization

    pem: bytes = public_key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    return pem


def parse_public_key(pem: bytes) -> Any:
    """Load an Ed25519 public key from PEM; raises ValueError for anything else."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    key = serialization.load_pem_public_key(pem)
    if not isinstance(key, Ed25519PublicKey):
        raise ValueError("the district document key must be Ed25519")
    return key


@dataclass(frozen=True)
class VerificationResult:
    valid: bool
    reason: str
    payload: VerificationPayload | None = None


def keyring(keys: Any) -> dict[str, Any]:
    """{key id: public key} from one public key, an iterable of them, or such a mapping (returned as is)."""
    if isinstance(keys, Mapping):
        return dict(keys)
    if isinstance(keys, (list, tuple, set, frozenset)):
        return {key_id(public_raw(k)): k for k in keys}
    return {key_id(public_raw(keys)): keys}


def verify_payload(payload: VerificationPayload, keys: Any) -> VerificationResult:
    """Check the payload's signature with the district's public document key, or with the one its key id names
    among several (the current key and retired ones: a rotation must not void what older keys signed)."""
    from cryptography.exceptions import InvalidSignature

    if payload.version != PAYLOAD_VERSION:
        return VerificationResult(False, f"unknown payload version {payload.version!r}", payload)
    known = keyring(keys)
    public_key = known.get(payload.key_id)
    if public_key is None:
        return VerificationResult(False, f"signed by key {payload.key_id}, not the district's key "
                                         f"{' or '.join(sorted(known)) or '(none)'}", payload)
    if len(payload.signature) != 64:
        return VerificationResult(False, "signature has the wrong length", payload)
    try:
        public_key.verify(payload.signature, payload.signed_message())
    except InvalidSignature:
        return VerificationResult(False, "signature does not match the payload (altered or forged)", payload)
    return VerificationResult(True, "signature valid", payload)


def verify_text(text: str, keys: Any) -> VerificationResult:
    """Parse a QR text and verify it (`keys` as for verify_payload)."""
    try:
        payload = VerificationPayload.from_text(text)
    except ValueError as exc:
        return VerificationResult(False, f"not a verification payload: {exc}")
    return verify_payload(payload, keys)
