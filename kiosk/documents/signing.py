"""The kiosk's side of document signing: the district signs, the kiosk keeps only its public key.

The district announces its public document key at enrollment (`public_keys["document"]`, PEM, which
kiosk.link.enrollment writes into `<data>/district/keys.json`); `store_district_document_key` writes it as
`<data>/district/document_key.pub` for tools and tests, so `kiosk document verify` works offline. It is also
served at `GET /api/v1/documents/key`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Protocol

from contract.atomic_write import write_atomic
from contract.document_signing import (
    SIGN_PATH,
    SignedPayload,
    SignRequest,
    VerificationPayload,
    content_hash,
    parse_public_key,
    unb64u,
)
from kiosk.errors import DocumentKeyMissing, ServiceError

DOCUMENT_KEY_FILE = Path("district") / "document_key.pub"
ENROLLMENT_KEYS_FILE = Path("district") / "keys.json"  # written by kiosk.link.enrollment; "document": PEM


class DistrictClientLike(Protocol):
    def post_json(self, path: str, body: Any) -> Any: ...


class DistrictDocumentSigner:
    """Asks the district to sign and register a certificate (`POST /api/v1/documents/sign`); raises
    DistrictUnavailable when it cannot, ServiceError when its answer does not fit the request."""

    def __init__(self, district: DistrictClientLike) -> None:
        self._district = district

    def sign(self, request: SignRequest) -> SignedPayload:
        """Send the content and the holder's number (signed body); get back the district's content hash, keyed
        holder digest, key id, signature and the verification page's base URL."""
        answer = self._district.post_json(SIGN_PATH, request.body())
        try:
            payload = VerificationPayload(serial=request.serial, holder_hash=str(answer["holder_hash"]),
                                          content_hash=str(answer["content_hash"]), issued_on=request.issued_on,
                                          key_id=str(answer["key_id"]), signature=unb64u(str(answer["signature"])))
            verify_base = str(answer["verify_base"])
        except (KeyError, TypeError, ValueError) as exc:
            raise ServiceError(f"malformed signing answer from the district: {exc!r}") from exc
        if payload.content_hash != content_hash(request.content):  # it signed something other than what we print
            raise ServiceError("the district signed other content than the certificate's")
        return SignedPayload(payload, verify_base)


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
