"""The kiosk's side of document signing: the district signs, the kiosk keeps only its public key.

The district announces its public document key at enrollment (`public_keys["document"]`, PEM, which
kiosk.link.enrollment writes into `<data>/district/keys.json`); `store_district_document_key` writes it as
`<data>/district/document_key.pub` for tools and tests, so `kiosk document verify` works offline. It is also
served at `GET /api/v1/documents/key`.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any, Protocol

from contract.atomic_write import write_atomic
from contract.document_signing import SIGN_PATH, SignedPayload, VerificationPayload, parse_public_key, unb64u
from kiosk.errors import DocumentKeyMissing

DOCUMENT_KEY_FILE = Path("district") / "document_key.pub"
ENROLLMENT_KEYS_FILE = Path("district") / "keys.json"  # written by kiosk.link.enrollment; "document": PEM


class DistrictClientLike(Protocol):
    def post_json(self, path: str, body: Any) -> Any: ...


class DistrictDocumentSigner:
    """Asks the district to sign (`POST /api/v1/documents/sign`); raises DistrictUnavailable when it cannot."""

    def __init__(self, district: DistrictClientLike) -> None:
        self._district = district

    def sign(self, payload: VerificationPayload) -> SignedPayload:
        """Send the unsigned fields, get back key id, signature and the verification page's base URL."""
        answer = self._district.post_json(SIGN_PATH, {
            "version": payload.version, "serial": payload.serial, "holder_hash": payload.holder_hash,
            "content_hash": payload.content_hash, "issued_on": payload.issued_on})
        signed = replace(payload, key_id=str(answer["key_id"]), signature=unb64u(str(answer["signature"])))
        return SignedPayload(signed, str(answer["verify_base"]))


def store_district_document_key(data_dir: Path, pem: bytes) -> Path:
    """Validate and store the district's public document key (PEM) in `<data>/district/document_key.pub`.

    Called at enrollment with the PEM that `GET /api/v1/documents/key` serves. Written atomically.
    """
    parse_public_key(pem)
    path = Path(data_dir) / DOCUMENT_KEY_FILE
    write_atomic(path, pem)
    return path


def load_district_document_key(data_dir: Path) -> Any:
    """The district's public document key from the data folder; DocumentKeyMissing when not enrolled.

    Looks at `<data>/district/document_key.pub` (PEM), then at the `document` entry (PEM string) of
    `<data>/district/keys.json`, the public keys the district announced at enrollment.
    """
    path = Path(data_dir) / DOCUMENT_KEY_FILE
    try:
        return parse_public_key(path.read_bytes())
    except FileNotFoundError:
        pass
    except ValueError as exc:
        raise DocumentKeyMissing(f"{path}: {exc}") from exc
    keys_file = Path(data_dir) / ENROLLMENT_KEYS_FILE
    try:
        pem = json.loads(keys_file.read_text(encoding="utf-8"))["document"]
        return parse_public_key(pem.encode())
    except (FileNotFoundError, KeyError, TypeError, AttributeError) as exc:
        raise DocumentKeyMissing(f"no district document key in {path} or {keys_file}: enroll the kiosk first") \
            from exc
    except ValueError as exc:
        raise DocumentKeyMissing(f"{keys_file}: document key: {exc}") from exc
