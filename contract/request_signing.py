"""Request signatures: how a kiosk proves who it is on every request, and how the district checks it.

The kiosk generates its own Ed25519 key pair at enrollment (kiosk.link.kiosk_key); the private key never leaves
the terminal. Each request carries the kiosk name, a timestamp, a random nonce and an Ed25519 signature over the
canonical string below; the server refuses stale timestamps and nonces it has already seen (replay).
The timestamp is the kiosk clock corrected by the skew measured from the server's answers, so a kiosk whose clock
drifted still authenticates; nothing is ordered by either clock.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import threading
import time
from collections.abc import Callable

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

HEADER_KIOSK = "X-Kiosk-Id"
HEADER_TIMESTAMP = "X-Kiosk-Timestamp"
HEADER_NONCE = "X-Kiosk-Nonce"
HEADER_SIGNATURE = "X-Kiosk-Signature"


def canonical_request(method: str, path: str, timestamp: str, nonce: str, kiosk: str, body: bytes) -> bytes:
    """The exact bytes that are signed: method, path with query, timestamp, nonce, kiosk, SHA-256 of the body."""
    return "\n".join(("kiosk-request-v1", method.upper(), path, timestamp, nonce, kiosk,
                      hashlib.sha256(body).hexdigest())).encode()


def public_key_hex(key: Ed25519PrivateKey) -> str:
    """The raw 32-byte public key, hex: what the district stores at enrollment."""
    return key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw).hex()


def verify_signature(public_hex: str, signature_b64: str, message: bytes) -> bool:
    """True when `signature_b64` is the Ed25519 signature of `message` by the key `public_hex`."""
    try:
        Ed25519PublicKey.from_public_bytes(bytes.fromhex(public_hex)).verify(base64.b64decode(signature_b64),
                                                                             message)
        return True
    except Exception:  # noqa: BLE001 - any malformed key or signature is simply "not verified"
        return False


class RequestSigner:
    """An `Authenticator` for kiosk.link.district_client.HttpDistrictClient: (method, path, body) -> headers.

    `skew_s` is the measured (kiosk clock - server clock); it is subtracted so that the timestamp the server
    sees is close to its own time. Thread-safe.
    """

    def __init__(self, kiosk_id: str, key: Ed25519PrivateKey, clock: Callable[[], float] = time.time) -> None:
        self.kiosk_id = kiosk_id
        self._key = key
        self._clock = clock
        self._lock = threading.Lock()
        self._skew_s = 0.0

    @property
    def skew_s(self) -> float:
        return self._skew_s

    def set_skew(self, skew_s: float) -> None:
        """Record the latest measured clock skew (kiosk minus server, seconds)."""
        with self._lock:
            self._skew_s = skew_s

    def __call__(self, method: str, path: str, body: bytes) -> dict[str, str]:
        timestamp = f"{self._clock() - self._skew_s:.3f}"
        nonce = secrets.token_hex(16)
        message = canonical_request(method, path, timestamp, nonce, self.kiosk_id, body or b"")
        return {HEADER_KIOSK: self.kiosk_id, HEADER_TIMESTAMP: timestamp, HEADER_NONCE: nonce,
                HEADER_SIGNATURE: base64.b64encode(self._key.sign(message)).decode()}
