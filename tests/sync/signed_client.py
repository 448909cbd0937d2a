"""An enrolled kiosk's signed client of a district app running in process (FastAPI's TestClient).

Tests of the district's endpoints use it so that what they test is the endpoint, not the signature check that
every citizen-data and signing endpoint applies first.
"""

from __future__ import annotations

import base64
import json
import secrets
import time
from pathlib import Path

from fastapi.testclient import TestClient

from contract.request_signing import (
    HEADER_KIOSK,
    HEADER_NONCE,
    HEADER_SIGNATURE,
    HEADER_TIMESTAMP,
    canonical_request,
    public_key_hex,
)
from district.kiosk_registry import add_kiosk, enroll
from kiosk.link.kiosk_key import load_or_create_key


class SignedKiosk:
    def __init__(self, app, folder: Path, name: str = "HOSTILE-01") -> None:
        self.key = load_or_create_key(Path(folder) / name)
        enroll(app.state.engine, name, public_key_hex(self.key), add_kiosk(app.state.engine, name), False)
        self.name = name
        self.app = app
        self.http = TestClient(app)

    def send(self, method: str, path: str, body: bytes = b"", timestamp: str | None = None):
        """A correctly signed request; `timestamp` replaces the header's value (and is what gets signed), so only
        the value itself can be at fault."""
        stamp = f"{time.time():.3f}" if timestamp is None else timestamp
        nonce = secrets.token_hex(16)
        signature = self.key.sign(canonical_request(method, path, stamp, nonce, self.name, body))
        headers = {"Content-Type": "application/json", HEADER_KIOSK: self.name, HEADER_TIMESTAMP: stamp,
                   HEADER_NONCE: nonce, HEADER_SIGNATURE: base64.b64encode(signature).decode()}
        return self.http.request(method, path, content=body or None, headers=headers)

    def post(self, path: str, doc):
        return self.send("POST", path, json.dumps(doc).encode())
