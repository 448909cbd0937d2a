"""Rotating the district's document key: certificates the retired key signed stay valid at the district (the
register names their key id) and offline with the published keyring; new ones carry the new key id."""

from __future__ import annotations

import datetime as dt
import json

from fastapi.testclient import TestClient

from contract.document_signing import (
    SIGN_PATH,
    SignRequest,
    VerificationPayload,
    parse_public_key,
    unb64u,
    verify_payload,
)
from contract.request_signing import RequestSigner, public_key_hex
from district.app import create_app
from district.cli import default_keys_dir, main
from district.kiosk_registry import add_kiosk, enroll
from district.settings import DistrictSettings
from kiosk.link.kiosk_key import load_or_create_key


def _enrolled_signer(app, folder) -> RequestSigner:
    """SC-01, enrolled with the district (document signing wants an enrolled kiosk's signature)."""
    key = load_or_create_key(folder)
    enroll(app.state.engine, "SC-01", public_key_hex(key), add_kiosk(app.state.engine, "SC-01"), False)
    return RequestSigner("SC-01", key)


def _issue(client: TestClient, serial: str, signer: RequestSigner) -> VerificationPayload:
    today = dt.date.today()
    content = {"serial": serial, "issued_on": today.isoformat(), "kiosk_id": "SC-01", "kind": "test",
               "title_zh": "测试证明", "holder_name": "李建国"}
    body = json.dumps(SignRequest(serial=serial, item="test", issued_on=f"{today:%Y%m%d}", content=content,
                                  document_number="110105198512240021").body()).encode()
    answer = client.post(SIGN_PATH, content=body,
                         headers={"Content-Type": "application/json", **signer("POST", SIGN_PATH, body)})
    assert answer.status_code == 200, answer.text
    a = answer.json()
    return VerificationPayload(serial=serial, holder_hash=a["holder_hash"], content_hash=a["content_hash"],
                               issued_on=f"{today:%Y%m%d}", key_id=a["key_id"], signature=unb64u(a["signature"]))


def test_a_rotated_key_keeps_verifying_what_it_signed(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'district.db'}"
    # as `kiosk-district serve` does: the keys folder beside the database
    settings = DistrictSettings(db_url=url, demo=True, keys_dir=default_keys_dir(url), public_url="http://testserver")
    app = create_app(settings)
    signer = _enrolled_signer(app, tmp_path / "kiosk")
    with TestClient(app) as client:
        old = _issue(client, "TS-20260101-SC01-OLDKEY01", signer)
        old_pem = client.get("/api/v1/documents/key").text
    capsys.readouterr()
    assert main(["document", "rotate-key", "--db", url]) == 0
    rotated = json.loads(capsys.readouterr().out)
    assert rotated["retired_key_id"] == old.key_id and rotated["key_id"] != old.key_id
    with TestClient(create_app(settings)) as client:  # the server restarted on the new key
        new = _issue(client, "TS-20260101-SC01-NEWKEY01", signer)
        assert new.key_id == rotated["key_id"]
        for payload in (old, new):
            page = client.get("/verify", params=payload.query())
            assert page.status_code == 200 and "有效 VALID" in page.text, payload.key_id
        published = client.get("/api/v1/documents/keys").json()
    assert published["current"] == new.key_id and set(published["keys"]) == {old.key_id, new.key_id}
    keyring = {kid: parse_public_key(pem.encode()) for kid, pem in published["keys"].items()}
    assert verify_payload(old, keyring).valid and verify_payload(new, keyring).valid
    assert not verify_payload(old, keyring[new.key_id]).valid  # only the retired key verifies what it signed
    assert verify_payload(old, parse_public_key(old_pem.encode())).valid
    # offline, `kiosk document verify` takes the retired key beside the current one
    from kiosk.cli import main as kiosk_main

    for kid, pem in published["keys"].items():
        (tmp_path / f"{kid}.pem").write_text(pem)
    qr = old.url("http://testserver")
    capsys.readouterr()
    assert kiosk_main(["document", "verify", "--qr-text", qr, "--key", str(tmp_path / f"{new.key_id}.pem")]) == 1
    assert kiosk_main(["document", "verify", "--qr-text", qr, "--key", str(tmp_path / f"{new.key_id}.pem"),
                       "--key", str(tmp_path / f"{old.key_id}.pem")]) == 0
    assert "VALID" in capsys.readouterr().out


def test_the_key_files_are_private_and_created_once(tmp_path):
    import pytest

    from district.document_keys import load_or_create_holder_secret, load_or_create_signing_key, rotate_signing_key

    secret_path, key_path = tmp_path / "keys" / "holder-secret.key", tmp_path / "keys" / "document-signing.pem"
    secret = load_or_create_holder_secret(secret_path)
    assert len(secret) == 32 and load_or_create_holder_secret(secret_path) == secret
    key = load_or_create_signing_key(key_path)
    assert load_or_create_signing_key(key_path).public_key() == key.public_key()
    rotate_signing_key(key_path)
    for path in (secret_path, key_path):
        assert path.stat().st_mode & 0o777 == 0o600, path
    assert sorted(p.name for p in (tmp_path / "keys").iterdir()) == [
        "document-signing.pem", "document-signing.retired", "holder-secret.key"]  # no temporary files left
    secret_path.write_bytes(b"short")
    with pytest.raises(RuntimeError, match="16 bytes"):
        load_or_create_holder_secret(secret_path)
