"""Authenticating the district's enrollment answer with the operator's one-time token.

At enrollment the kiosk pins what the answer carries (the catalog's TUF root, the document key), so the answer
must provably come from the district that issued the token: the district sends an HMAC-SHA256 over the exact
answer bytes in `X-Enrollment-Mac`, keyed with a key derived from the token, and the kiosk checks it before it
writes anything. Someone who can alter the answer but does not know the token cannot plant their own keys.
"""

from __future__ import annotations

import hashlib
import hmac

HEADER_ENROLLMENT_MAC = "X-Enrollment-Mac"
_CONTEXT = b"kiosk-enrollment-answer-v1"


def answer_mac_key(token: str) -> bytes:
    """The MAC key for enrollment answers, derived from the one-time token (never the token itself, so the
    MAC key is bound to this one purpose)."""
    return hmac.new(token.encode("utf-8"), _CONTEXT, hashlib.sha256).digest()


def answer_mac(token: str, body: bytes) -> str:
    """HMAC-SHA256 of the whole answer body, hex: the value of `X-Enrollment-Mac`."""
    return hmac.new(answer_mac_key(token), body, hashlib.sha256).hexdigest()


def answer_mac_valid(token: str, body: bytes, mac: str | None) -> bool:
    """True when `mac` is the enrollment MAC of `body` under `token` (constant-time comparison)."""
    if not mac:
        return False
    return hmac.compare_digest(answer_mac(token, body), mac.strip().lower())
