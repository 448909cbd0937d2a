"""Enrolling this kiosk with its district, and what enrollment leaves in `<data>/district/`.

The kiosk generates its own Ed25519 key (kiosk.link.kiosk_key) and sends only the public half with the
operator's one-time token. The answer carries the district's catalog root of trust (TUF root metadata), which is
pinned here: every later catalog is verified against it (docs/sync.md). Before anything is pinned, the answer's
MAC under the token is checked (contract.enrollment_mac): an answer altered on the way, or made up by someone who
does not know the token, pins nothing. Off loopback the link is TLS against the district's CA
(kiosk.link.district_endpoint). Files, all written atomically:

    <data>/kiosk_key.pem               private key, 0600
    <data>/district/root.json          pinned TUF root (absent if the district had no catalog repository yet)
    <data>/district/keys.json          the district's public keys (TUF role keys and any others it announces)
    <data>/district/enrollment.json    written last: kiosk id, district URL, public key, time of enrollment
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from contract.atomic_write import write_atomic
from contract.enrollment_mac import HEADER_ENROLLMENT_MAC, answer_mac_valid
from contract.refusal import KIOSK_REVOKED, refusal_code
from contract.request_signing import RequestSigner, public_key_hex
from kiosk.errors import DistrictUnavailable, ServiceError
from kiosk.link.district_endpoint import district_endpoint
from kiosk.link.kiosk_key import load_key, load_or_create_key
from kiosk.store.data_folder import secure_data_folder

DISTRICT_DIR = "district"


class EnrollmentRefused(ServiceError):
    """The district refused the enrollment (no or used token, revoked name, other key bound)."""

    message_key = "error.district.enrollment"
    code: str | None = None  # contract.refusal's code of the district's answer (e.g. "kiosk-revoked")

    @property
    def revoked(self) -> bool:
        return self.code == KIOSK_REVOKED


class EnrollmentNotAuthentic(EnrollmentRefused):
    """The enrollment answer's MAC under our token is missing or wrong: it was altered or not made by the
    district that issued the token. Nothing was pinned; the operator must issue a new token."""


@dataclass(frozen=True)
class Enrollment:
    kiosk_id: str
    district_url: str
    public_key: str
    enrolled_at: float


def district_dir(data_dir: Path) -> Path:
    return Path(data_dir) / DISTRICT_DIR


def current_enrollment(data_dir: Path) -> Enrollment | None:
    """This kiosk's enrollment, or None when it has not enrolled (or enrolled with another key)."""
    path = district_dir(data_dir) / "enrollment.json"
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
        return Enrollment(kiosk_id=doc["kiosk_id"], district_url=doc["district_url"],
                          public_key=doc["public_key"], enrolled_at=float(doc["enrolled_at"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def signer_for(data_dir: Path, kiosk_id: str) -> RequestSigner | None:
    """The request signer (an `Authenticator` for HttpDistrictClient) when this kiosk is enrolled, else None."""
    enrollment = current_enrollment(data_dir)
    if enrollment is None or enrollment.kiosk_id != kiosk_id:
        return None
    return RequestSigner(kiosk_id, load_key(data_dir))


def enroll(data_dir: Path, district_url: str, kiosk_id: str, token: str | None = None,
           timeout_s: float = 10.0, transport: httpx.BaseTransport | None = None,
           ca_file: Path | None = None) -> Enrollment:
    """Enroll with the district at `district_url` (token: the operator's one-time token; None only for a demo
    server on loopback). `ca_file`: the district's CA (PEM), required for https.

    Raises ConfigError (URL or CA unusable), EnrollmentRefused (401/403 and other 4xx; EnrollmentNotAuthentic
    when the answer fails its MAC) or DistrictUnavailable (network, 5xx).
    """
    endpoint = district_endpoint(district_url, ca_file)
    if not token and not endpoint.loopback:
        raise EnrollmentRefused("an enrollment token is required for a district that is not on loopback")
    data_dir = secure_data_folder(Path(data_dir))  # `kiosk enroll` may be the first to create it
    key = load_or_create_key(data_dir)
    body: dict[str, Any] = {"kiosk_id": kiosk_id, "public_key": public_key_hex(key)}
    if token:
        body["token"] = token
    try:
        with httpx.Client(base_url=endpoint.url, timeout=timeout_s, transport=transport,
                          verify=endpoint.verify) as client:
            response = client.post("/api/v1/enroll", json=body)
    except httpx.HTTPError as exc:
        raise DistrictUnavailable(f"{type(exc).__name__}: {exc}") from exc
    if response.status_code >= 500 or response.status_code == 429:
        raise DistrictUnavailable(f"district answered {response.status_code}")
    if response.status_code >= 400:
        try:
            answer = response.json()
            reason = answer.get("detail", response.text)
        except (ValueError, AttributeError):
            answer, reason = None, response.text
        refused = EnrollmentRefused(f"district refused enrollment ({response.status_code}): {reason}")
        refused.code = refusal_code(answer)
        raise refused
    if token and not answer_mac_valid(token, response.content, response.headers.get(HEADER_ENROLLMENT_MAC)):
        raise EnrollmentNotAuthentic("the enrollment answer is not authenticated by our token (missing or wrong "
                                     f"{HEADER_ENROLLMENT_MAC}): nothing pinned")
    try:
        answer = response.json()
    except ValueError as exc:
        raise DistrictUnavailable("district answered with malformed JSON") from exc
    if not isinstance(answer, dict):
        raise DistrictUnavailable("district answered with malformed JSON")
    folder = district_dir(data_dir)
    root = answer.get("tuf_root")
    if root and not (folder / "root.json").exists():  # pinned once; later roots arrive through TUF rotation
        write_atomic(folder / "root.json", json.dumps(root, sort_keys=True).encode())
    keys = dict(answer.get("public_keys") or {})
    if root:
        keys["tuf"] = root.get("signed", {}).get("keys", {})
    write_atomic(folder / "keys.json", json.dumps(keys, indent=2, sort_keys=True).encode())
    enrollment = Enrollment(kiosk_id=kiosk_id, district_url=district_url, public_key=public_key_hex(key),
                            enrolled_at=time.time())
    write_atomic(folder / "enrollment.json", json.dumps(enrollment.__dict__, indent=2).encode())
    return enrollment
