"""The link between kiosk and district (issue 17, point 4): TLS against the district's own CA, no plain http off
loopback, an enrollment answer authenticated with the one-time token, and no ID number in any URL.

The CA and the server certificate are made here with `cryptography`, as an operator's PKI would make them; the
server is uvicorn with its TLS options, exactly as `kiosk-district serve --tls-cert --tls-key` runs it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import ipaddress
import json
from pathlib import Path

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from contract.enrollment_mac import HEADER_ENROLLMENT_MAC, answer_mac
from district.kiosk_registry import add_kiosk
from district.settings import DistrictSettings
from kiosk.errors import ConfigError, DistrictUnavailable
from tests.sync.conftest import make_kiosk
from tests.sync.district_process import ThreadedDistrict


@dataclasses.dataclass
class Pki:
    ca: Path
    cert: Path
    key: Path


def _name(common: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common)])


def make_pki(folder: Path, label: str = "district") -> Pki:
    """A throwaway CA and a server certificate for 127.0.0.1 signed by it."""
    folder.mkdir(parents=True, exist_ok=True)
    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (x509.CertificateBuilder().subject_name(_name(f"{label} test CA")).issuer_name(_name(f"{label} test CA"))
          .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
          .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + dt.timedelta(days=1))
          .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
          .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                       content_commitment=False, key_encipherment=False, data_encipherment=False,
                                       key_agreement=False, encipher_only=False, decipher_only=False),
                         critical=True)
          .sign(ca_key, hashes.SHA256()))
    server_key = ec.generate_private_key(ec.SECP256R1())
    server = (x509.CertificateBuilder().subject_name(_name("127.0.0.1")).issuer_name(ca.subject)
              .public_key(server_key.public_key()).serial_number(x509.random_serial_number())
              .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + dt.timedelta(days=1))
              .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                             critical=False)
              .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
              .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
              .sign(ca_key, hashes.SHA256()))
    pki = Pki(folder / f"{label}-ca.pem", folder / f"{label}-server.pem", folder / f"{label}-server.key")
    pki.ca.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    pki.cert.write_bytes(server.public_bytes(serialization.Encoding.PEM))
    pki.key.write_bytes(server_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                 serialization.NoEncryption()))
    return pki


@pytest.fixture
def tls_district(tmp_path: Path):
    """A production (non-demo) district serving HTTPS on loopback with a certificate of its own CA."""
    pki = make_pki(tmp_path / "pki")
    server = ThreadedDistrict(DistrictSettings(db_url=f"sqlite:///{tmp_path / 'district.db'}"),
                              tls=(pki.cert, pki.key)).start()
    server.pki = pki
    yield server
    server.stop()


def tls_kiosk(tmp_path: Path, name: str, url: str, ca: Path | None):
    k = make_kiosk(tmp_path / "kiosks", name, url)
    k.config = dataclasses.replace(k.config, terminal=dataclasses.replace(k.config.terminal, district_ca=ca))
    return k


def test_over_tls_a_kiosk_enrolls_with_its_token_and_drains_its_outbox(tmp_path, tls_district, null_log):
    from district.stats import district_stats
    from sync.daemon import SyncDaemon

    assert tls_district.url.startswith("https://127.0.0.1:")
    token = add_kiosk(tls_district.engine, "TLS-01")
    k = tls_kiosk(tmp_path, "TLS-01", tls_district.url, tls_district.pki.ca)
    k.record(5)
    daemon = SyncDaemon(k.config, k.engine, null_log, token=token)
    try:
        daemon.ensure_enrolled()
        result = daemon.drain()
    finally:
        daemon.link.close()
    assert result.outcome == "empty" and result.delivered == 5
    assert district_stats(tls_district.engine)["kiosks"]["TLS-01"]["transactions"] == 5
    assert json.loads((k.data / "district" / "enrollment.json").read_text())["district_url"] == tls_district.url


def test_a_server_certificate_of_another_ca_is_refused(tmp_path, tls_district):
    """The kiosk trusts the district's CA only: a certificate from any other CA (a man in the middle's, or a
    public CA's for the same name) fails the handshake, and nothing is enrolled or pinned."""
    from kiosk.link.enrollment import enroll

    other = make_pki(tmp_path / "other-pki", "intruder")
    token = add_kiosk(tls_district.engine, "TLS-02")
    k = tls_kiosk(tmp_path, "TLS-02", tls_district.url, other.ca)
    with pytest.raises(DistrictUnavailable, match="CERTIFICATE_VERIFY_FAILED|certificate verify failed"):
        enroll(k.data, tls_district.url, "TLS-02", token, ca_file=other.ca)
    assert not (k.data / "district").exists()


@pytest.mark.parametrize("url, ca, key", [
    ("http://192.0.2.10:8470", None, "[terminal] district_url"),
    ("http://district.example:8470", None, "[terminal] district_url"),
    ("https://192.0.2.10:8470", None, "[terminal] district_ca"),
])
def test_plain_http_off_loopback_and_https_without_a_pinned_ca_are_config_errors(tmp_path, url, ca, key):
    from kiosk.link.district_client import HttpDistrictClient
    from kiosk.link.enrollment import enroll
    from sync.link import DistrictLink

    for make in (lambda: HttpDistrictClient(url, ca_file=ca), lambda: DistrictLink(url, None, ca_file=ca),
                 lambda: enroll(tmp_path / "k", url, "K1", "some-token", ca_file=ca)):
        with pytest.raises(ConfigError) as caught:
            make()
        assert key in str(caught.value)
    assert not (tmp_path / "k" / "district").exists()


def test_config_check_names_the_district_keys(tmp_path, capsys):
    from kiosk.cli import main

    cfg = tmp_path / "k.toml"
    cfg.write_text('[terminal]\ndistrict_url = "http://192.0.2.10:8470"\n')
    assert main(["config", "check", str(cfg)]) != 0
    assert "[terminal] district_url" in capsys.readouterr().err
    cfg.write_text('[terminal]\ndistrict_url = "https://district.example"\n')
    assert main(["config", "check", str(cfg)]) != 0
    assert "[terminal] district_ca" in capsys.readouterr().err
    cfg.write_text('[terminal]\ndistrict_url = "http://127.0.0.1:8470"\n')
    assert main(["config", "check", str(cfg)]) == 0


def test_a_district_ca_that_cannot_be_read_is_a_config_error_at_connection(tmp_path):
    from kiosk.link.district_client import HttpDistrictClient

    (tmp_path / "not-a-ca.pem").write_text("not a certificate")
    for ca in (tmp_path / "missing.pem", tmp_path / "not-a-ca.pem"):
        with pytest.raises(ConfigError, match=r"\[terminal\] district_ca"):
            HttpDistrictClient("https://127.0.0.1:8443", ca_file=ca)


def test_the_sync_daemon_refuses_to_start_on_plain_http_off_loopback(tmp_path):
    import subprocess
    import sys

    from tests.sync.district_process import REPO

    cfg = tmp_path / "k.toml"
    cfg.write_text('[terminal]\nkiosk_id = "K1"\ndistrict_url = "http://192.0.2.10:8470"\n')
    done = subprocess.run([sys.executable, "-m", "sync.daemon_cli", "--config", str(cfg), "--data",
                           str(tmp_path / "data"), "--once"], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "[terminal] district_url" in done.stderr and "loopback" in done.stderr


class ForgingProxy:
    """A man in the middle for httpx: forwards to the real district, then replaces the TUF root and the document
    key in the enrollment answer with its own (keeping any MAC header, or making one with a guessed token)."""

    def __init__(self, url: str, guessed_token: str | None = None) -> None:
        self._upstream = httpx.Client(base_url=url)
        self._guess = guessed_token

    def __call__(self, request: httpx.Request) -> httpx.Response:
        real = self._upstream.request(request.method, request.url.path, content=request.content,
                                      headers={"Content-Type": "application/json"})
        answer = real.json()
        answer["tuf_root"] = {"signed": {"_type": "root", "keys": {"evil": {"keyval": {"public": "00" * 32}}}}}
        answer["public_keys"]["document"] = "-----BEGIN PUBLIC KEY-----\nEVIL\n-----END PUBLIC KEY-----\n"
        body = json.dumps(answer).encode()
        headers = {"content-type": "application/json"}
        if self._guess is not None:
            headers[HEADER_ENROLLMENT_MAC] = answer_mac(self._guess, body)
        elif HEADER_ENROLLMENT_MAC in real.headers:
            headers[HEADER_ENROLLMENT_MAC] = real.headers[HEADER_ENROLLMENT_MAC]
        return httpx.Response(real.status_code, content=body, headers=headers)


@pytest.mark.parametrize("guess", [None, "a-guessed-token"])
def test_a_forged_enrollment_answer_pins_nothing(tmp_path, guess):
    """On the way between kiosk and district, someone swaps the answer's root of trust for their own: the
    answer no longer matches its MAC under the kiosk's token, so the kiosk refuses it and writes nothing."""
    from kiosk.link.enrollment import EnrollmentNotAuthentic, enroll

    district = ThreadedDistrict(DistrictSettings(db_url=f"sqlite:///{tmp_path / 'district.db'}")).start()
    try:
        token = add_kiosk(district.engine, "MITM-01")
        with pytest.raises(EnrollmentNotAuthentic, match="not authenticated"):
            enroll(tmp_path / "k", district.url, "MITM-01", token,
                   transport=httpx.MockTransport(ForgingProxy(district.url, guess)))
    finally:
        district.stop()
    folder = tmp_path / "k" / "district"
    assert not (folder / "root.json").exists() and not (folder / "keys.json").exists()
    assert not (folder / "enrollment.json").exists()


def test_the_genuine_enrollment_answer_carries_a_valid_mac(tmp_path):
    from contract.enrollment_mac import answer_mac_valid
    from contract.request_signing import public_key_hex
    from kiosk.link.kiosk_key import load_or_create_key

    district = ThreadedDistrict(DistrictSettings(db_url=f"sqlite:///{tmp_path / 'district.db'}")).start()
    try:
        token = add_kiosk(district.engine, "MAC-01")
        key = public_key_hex(load_or_create_key(tmp_path / "k"))
        answer = httpx.post(f"{district.url}/api/v1/enroll",
                            json={"kiosk_id": "MAC-01", "public_key": key, "token": token}, timeout=10)
    finally:
        district.stop()
    assert answer.status_code == 200
    assert answer_mac_valid(token, answer.content, answer.headers[HEADER_ENROLLMENT_MAC])
    assert not answer_mac_valid("another-token", answer.content, answer.headers[HEADER_ENROLLMENT_MAC])
    assert not answer_mac_valid(token, answer.content + b" ", answer.headers[HEADER_ENROLLMENT_MAC])
