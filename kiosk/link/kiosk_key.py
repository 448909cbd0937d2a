"""The kiosk's own Ed25519 key: generated once, kept in `<data>/kiosk_key.pem` (0600), never sent anywhere.

Only its public half goes to the district, at enrollment; every later request is signed with it
(contract.request_signing).
"""

from __future__ import annotations

from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from contract.atomic_write import write_atomic

KEY_FILE = "kiosk_key.pem"


def load_or_create_key(data_dir: Path) -> Ed25519PrivateKey:
    """The kiosk's private key from `<data>/kiosk_key.pem`, generated (0600) on first use."""
    path = Path(data_dir) / KEY_FILE
    if path.exists():
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise ValueError(f"{path} is not an Ed25519 private key")
        return key
    return replace_key(data_dir)


def replace_key(data_dir: Path) -> Ed25519PrivateKey:
    """Generate a new key in place of any old one (re-admission: the district voided the old key)."""
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    write_atomic(Path(data_dir) / KEY_FILE, pem, mode=0o600)
    return key
