"""The kiosk's own Ed25519 key: generated once, kept in `<data>/kiosk_key.pem` (0600), never sent anywhere.

Only its public half goes to the district, at enrollment; every later request is signed with it
(contract.request_signing). The key is generated only before the kiosk enrolls: once `district/enrollment.json`
exists, the district knows this kiosk by that key's public half and refuses any other (re-keying is an operator
action), so a missing key file is a fault to report (`KioskKeyLost`), not a reason to make a new key that
would only earn 401s.
"""

from __future__ import annotations

from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from contract.atomic_write import write_atomic
from kiosk.errors import DistrictUnavailable

KEY_FILE = "kiosk_key.pem"
ENROLLMENT_FILE = Path("district") / "enrollment.json"  # written by kiosk.link.enrollment


class KioskKeyLost(DistrictUnavailable):
    """The kiosk is enrolled but its private key is gone: it cannot sign, and must not silently re-key.

    A DistrictUnavailable to the citizen's session (queue-able requests are queued and kept); the sync daemon
    reports it in its status (`kiosk_key: lost`) until an operator re-keys the kiosk.
    """

    retryable = False


def load_key(data_dir: Path) -> Ed25519PrivateKey:
    """The kiosk's private key from `<data>/kiosk_key.pem`; KioskKeyLost when the file is missing."""
    path = Path(data_dir) / KEY_FILE
    if not path.exists():
        raise KioskKeyLost(f"{path} is missing although this kiosk is enrolled ({Path(data_dir) / ENROLLMENT_FILE}); "
                           "a new key would be refused by the district: re-key the kiosk at the district "
                           "(operator action), then remove the enrollment file to enroll again")
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"{path} is not an Ed25519 private key")
    return key


def load_or_create_key(data_dir: Path) -> Ed25519PrivateKey:
    """The kiosk's private key, generated (0600) on first use, i.e. only while the kiosk is not enrolled.

    Raises KioskKeyLost when the kiosk is enrolled and the key file is gone.
    """
    path = Path(data_dir) / KEY_FILE
    if path.exists() or (Path(data_dir) / ENROLLMENT_FILE).exists():
        return load_key(data_dir)
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    write_atomic(path, pem, mode=0o600)
    return key
