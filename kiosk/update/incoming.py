"""The hand-over between the sync daemon (kiosk user: fetches and verifies through TUF) and the root installer
(kiosk.update.cli apply): the package file and `ready.json` naming its version and sha256, in one folder.

The installer trusts nothing the kiosk user could have changed since: it hashes the file again and installs
only when the bytes match the sha256 that TUF verified.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from contract.atomic_write import write_atomic

READY_FILE = "ready.json"
APPLY_REQUEST = "apply"  # the shell creates it between sessions; deploy/systemd/kiosk-update.path watches it


def write_ready(incoming: Path, version: str, sha256: str, package: Path) -> None:
    write_atomic(Path(incoming) / READY_FILE,
                 json.dumps({"version": version, "sha256": sha256, "file": Path(package).name}).encode())


def read_ready(incoming: Path) -> dict[str, str] | None:
    try:
        ready = json.loads((Path(incoming) / READY_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(ready, dict) or not all(isinstance(ready.get(k), str) for k in ("version", "sha256", "file")):
        return None
    return ready


def verified_package(incoming: Path) -> tuple[str, Path] | None:
    """(version, path) of the package `ready.json` names when its bytes hash to the recorded sha256, else None."""
    ready = read_ready(incoming)
    if ready is None:
        return None
    path = Path(incoming) / Path(ready["file"]).name
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                digest.update(chunk)
    except OSError:
        return None
    return (ready["version"], path) if digest.hexdigest() == ready["sha256"] else None
