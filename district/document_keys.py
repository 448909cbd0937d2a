"""The district's document keys: the current Ed25519 signing key, the retired ones' public halves, and the holder
secret (HMAC key of every digest derived from an ID number).

Rotating the signing key moves the old public half into `<key>.retired/<key id>.pem`: the register names each
certificate's key id, so what an older key signed stays verifiable. The holder secret is one per deployment,
created once (32 random bytes, 0600) and never sent to a kiosk; losing it voids every holder check.
"""

from __future__ import annotations

import os
import re
import secrets
from pathlib import Path
from typing import Any

from contract.atomic_write import write_atomic
from contract.document_signing import key_id, parse_public_key, public_pem, public_raw

HOLDER_SECRET_BYTES = 32


def document_key_path(settings: Any) -> Path:
    """Where the district's document signing key lives: KIOSK_DISTRICT_DOCUMENT_KEY, else
    `<keys_dir>/document-signing.pem`, else beside a SQLite database file, else
    `$XDG_DATA_HOME/kiosk-district/document-signing.pem` (never the working folder: it may be a source tree)."""
    if os.environ.get("KIOSK_DISTRICT_DOCUMENT_KEY"):
        return Path(os.environ["KIOSK_DISTRICT_DOCUMENT_KEY"])
    return _beside_keys(settings, "document-signing.pem")


def holder_secret_path(settings: Any) -> Path:
    """Where the holder secret lives: KIOSK_DISTRICT_HOLDER_SECRET, else the document key's places."""
    if os.environ.get("KIOSK_DISTRICT_HOLDER_SECRET"):
        return Path(os.environ["KIOSK_DISTRICT_HOLDER_SECRET"])
    return _beside_keys(settings, "holder-secret.key")


def _beside_keys(settings: Any, name: str) -> Path:
    keys_dir = getattr(settings, "keys_dir", None)
    if keys_dir:
        return Path(keys_dir) / name
    m = re.match(r"sqlite:///(.+)$", settings.db_url)
    if m and m.group(1) != ":memory:":
        return Path(m.group(1)).with_suffix("." + name)
    data_home = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return data_home / "kiosk-district" / name


def retired_dir(key_path: Path) -> Path:
    """The folder of retired public document keys beside the current key."""
    return key_path.with_name(key_path.name.removesuffix(".pem") + ".retired")


def _create_exclusive(path: Path, data: bytes) -> None:
    """Create `path` (0600) holding `data`, whole or not at all; FileExistsError when it exists. Written aside and
    hard-linked into place, so a server process starting at the same moment never reads half a key."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    write_atomic(tmp, data, mode=0o600)
    try:
        os.link(tmp, path)
    finally:
        tmp.unlink()


def _private_pem(key: Any) -> bytes:
    from cryptography.hazmat.primitives import serialization

    pem: bytes = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                   serialization.NoEncryption())
    return pem


def load_or_create_signing_key(path: Path) -> Any:
    """The Ed25519 private key at `path`, created (0600) when absent. RuntimeError for another kind of key."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    if path.is_file():
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise RuntimeError(f"{path} is not an Ed25519 private key")
        return key
    key = Ed25519PrivateKey.generate()
    try:
        _create_exclusive(path, _private_pem(key))
    except FileExistsError:  # another server process created it first: use theirs
        return load_or_create_signing_key(path)
    return key


def retired_public_keys(path: Path) -> dict[str, Any]:
    """{key id: public key} of the retired document keys beside `path` (unreadable files are skipped)."""
    folder = retired_dir(path)
    found: dict[str, Any] = {}
    if not folder.is_dir():
        return found
    for file in sorted(folder.glob("*.pem")):
        try:
            key = parse_public_key(file.read_bytes())
        except (OSError, ValueError):
            continue
        found[key_id(public_raw(key))] = key
    return found


def rotate_signing_key(path: Path) -> tuple[str, str]:
    """Retire the current document key (keep its public half) and create a new one; (old id, new id).

    Running servers keep signing with the key they loaded until they restart.
    """
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    old = load_or_create_signing_key(path)
    old_id = key_id(public_raw(old.public_key()))
    write_atomic(retired_dir(path) / f"{old_id}.pem", public_pem(old.public_key()))
    new = Ed25519PrivateKey.generate()
    write_atomic(path, _private_pem(new), mode=0o600)
    return old_id, key_id(public_raw(new.public_key()))


def load_or_create_holder_secret(path: Path) -> bytes:
    """The deployment's holder secret at `path`, created (32 random bytes, 0600) when absent."""
    if path.is_file():
        secret = path.read_bytes()
        if len(secret) < 16:
            raise RuntimeError(f"{path}: the holder secret must have at least 16 bytes")
        return secret
    secret = secrets.token_bytes(HOLDER_SECRET_BYTES)
    try:
        _create_exclusive(path, secret)
    except FileExistsError:
        return load_or_create_holder_secret(path)
    return secret
