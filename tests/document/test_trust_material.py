"""Trust material operators receive: CSCA master lists and CRLs, imported with `kiosk card trust`, used by PA."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec

from kiosk.core.identity import PassiveAuth
from kiosk.devices.document.passive_auth import passive_authentication
from kiosk.devices.document.trust_import import import_trust_file
from kiosk.devices.document.trust_store import TrustStore
from kiosk.errors import TrustMaterialRejected

from .conftest import PASSPORT_MRZ
from .documents import build_document, make_pki
from .trust_material import csca_crl, csca_master_list, master_list_signer

REPO = Path(__file__).resolve().parents[2]


def trust_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kiosk.cli", "card", "trust", *args], cwd=REPO,
                          capture_output=True, text=True, timeout=60)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


@pytest.fixture(scope="module")
def countries():
    return {"UT": make_pki("ec"), "OT": make_pki("ec", country="OT", csca_cn="CSCA Other")}


@pytest.fixture(scope="module")
def master_list_file(tmp_path_factory, countries) -> Path:
    ut = countries["UT"]
    key, signer = master_list_signer(ut)
    path = tmp_path_factory.mktemp("ml") / "ICAO_ml_test.ml"
    path.write_bytes(csca_master_list([ut.csca, countries["OT"].csca], key, signer))
    return path


def test_master_list_import_and_list_through_the_cli(tmp_path, master_list_file, countries) -> None:
    store = tmp_path / "trust"
    proc = trust_cli("import", str(master_list_file), "--trust-store", str(store), "--json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) | {"trust_store": ""} == {
        "kind": "master_list", "file": "ICAO_ml_test.ml", "certificates": 2, "replaced": False, "trust_store": ""}
    proc = trust_cli("list", "--trust-store", str(store), "--json")
    assert proc.returncode == 0, proc.stderr
    listed = json.loads(proc.stdout)
    assert listed["problems"] == [] and listed["crls"] == []
    by_country = {c["country"]: c for c in listed["cscas"]}
    assert set(by_country) == {"UT", "OT"}
    ut = countries["UT"].csca
    assert by_country["UT"] == {"subject": ut.subject.rfc4514_string(), "country": "UT",
                                "not_after": ut.not_valid_after_utc.isoformat(),
                                "source": "master list ICAO_ml_test.ml"}


@pytest.mark.parametrize("damage", ["flip-content", "flip-signature", "truncate", "not-der"])
def test_corrupted_master_list_is_refused_and_the_store_kept(tmp_path, master_list_file, countries, damage) -> None:
    store = tmp_path / "trust"
    assert import_trust_file(store, master_list_file).certificates == 2
    before = snapshot(store)
    data = bytearray(master_list_file.read_bytes())
    if damage == "flip-content":
        data[200] ^= 0x01  # inside the first CSCA certificate of the list: the message digest no longer matches
    elif damage == "flip-signature":
        data[-5] ^= 0x01
    elif damage == "truncate":
        data = data[: len(data) // 2]
    else:
        data = bytearray(b"this is not a master list\n")
    bad = tmp_path / "ICAO_ml_test.ml"  # same name as the good one: a refused update must not replace it
    bad.write_bytes(bytes(data))
    proc = trust_cli("import", str(bad), "--trust-store", str(store))
    assert proc.returncode == 2
    assert "refused, trust store unchanged" in proc.stderr and "master list" in proc.stderr
    assert snapshot(store) == before
    assert len(TrustStore.load(store).certificates) == 2


def test_wrongly_signed_master_lists_are_refused(tmp_path, countries) -> None:
    ut, other = countries["UT"], countries["OT"]
    key, signer = master_list_signer(other)  # signed under a CSCA the list does not carry
    foreign = tmp_path / "foreign.ml"
    foreign.write_bytes(csca_master_list([ut.csca], key, signer))
    with pytest.raises(TrustMaterialRejected, match="not issued by a CSCA it lists"):
        import_trust_file(tmp_path / "trust", foreign)
    key, signer = master_list_signer(ut, eku="2.23.136.1.1.6")  # a signer meant for something else
    wrong_eku = tmp_path / "eku.ml"
    wrong_eku.write_bytes(csca_master_list([ut.csca], key, signer))
    with pytest.raises(TrustMaterialRejected, match="not for signing master lists"):
        import_trust_file(tmp_path / "trust", wrong_eku)
    key, signer = master_list_signer(ut)
    wrong_type = tmp_path / "type.ml"
    wrong_type.write_bytes(csca_master_list([ut.csca], key, signer, content_type="2.23.136.1.1.1"))
    with pytest.raises(TrustMaterialRejected, match="not a CSCA master list"):
        import_trust_file(tmp_path / "trust", wrong_type)
    assert not (tmp_path / "trust").exists() or not list((tmp_path / "trust").iterdir())


def test_csca_certificate_import_needs_a_ca(tmp_path, countries) -> None:
    from cryptography.hazmat.primitives import serialization

    ut = countries["UT"]
    csca = tmp_path / "csca-ut.der"
    csca.write_bytes(ut.csca_der())
    assert import_trust_file(tmp_path / "trust", csca).kind == "csca"
    dsc = tmp_path / "dsc.pem"
    dsc.write_bytes(ut.dsc.public_bytes(serialization.Encoding.PEM))
    with pytest.raises(TrustMaterialRejected, match="not a CA certificate"):
        import_trust_file(tmp_path / "trust", dsc)


def _passport(pki):
    return build_document(pki, PASSPORT_MRZ, b"\xff\xd8\xff\xe0" + bytes(400) + b"\xff\xd9")


def _pa(document, store: TrustStore):
    return passive_authentication(document.files[0x011D], {1: document.files[0x0101], 2: document.files[0x0102]},
                                  store)


def test_revoked_document_signer_is_invalid_with_the_reason(tmp_path) -> None:
    pki = make_pki("ec")
    store_dir = tmp_path / "trust"
    csca = tmp_path / "csca.pem"
    csca.write_bytes(pki.csca_pem())
    import_trust_file(store_dir, csca)
    document = _passport(pki)
    assert _pa(document, TrustStore.load(store_dir)).status is PassiveAuth.VALID
    crl = tmp_path / "ut-1.crl"
    crl.write_bytes(csca_crl(pki, [(pki.dsc, x509.ReasonFlags.key_compromise)]))
    proc = trust_cli("import", str(crl), "--trust-store", str(store_dir), "--json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["kind"] == "crl"
    result = _pa(document, TrustStore.load(store_dir))
    assert result.status is PassiveAuth.INVALID
    assert "revoked" in result.detail and "keyCompromise" in result.detail and "ut-1.crl" in result.detail
    listed = json.loads(trust_cli("list", "--trust-store", str(store_dir), "--json").stdout)
    assert [(c["country"], c["revoked"], c["source"]) for c in listed["crls"]] == [("UT", 1, "ut-1.crl")]


def test_crls_that_do_not_speak_for_the_issuer_revoke_nothing(tmp_path) -> None:
    pki, other = make_pki("ec"), make_pki("ec", country="OT", csca_cn="CSCA Other")
    store_dir = tmp_path / "trust"
    for p, name in ((pki, "ut.pem"), (other, "ot.pem")):
        (tmp_path / name).write_bytes(p.csca_pem())
        import_trust_file(store_dir, tmp_path / name)
    forged = tmp_path / "forged.crl"
    forged.write_bytes(csca_crl(pki, [(pki.dsc, None)], signer_key=ec.generate_private_key(ec.SECP256R1())))
    before = snapshot(store_dir)
    with pytest.raises(TrustMaterialRejected, match="does not verify"):
        import_trust_file(store_dir, forged)
    assert snapshot(store_dir) == before
    unknown = make_pki("ec", country="XX", csca_cn="CSCA Nobody")
    stray = tmp_path / "stray.crl"
    stray.write_bytes(csca_crl(unknown, [(pki.dsc, None)], pem=True))
    with pytest.raises(TrustMaterialRejected, match="not a CSCA in the trust store"):
        import_trust_file(store_dir, stray)
    # A forged CRL dropped into the folder by hand is loaded but, failing its signature, revokes nothing.
    (store_dir / "forged.crl").write_bytes(forged.read_bytes())
    assert _pa(_passport(pki), TrustStore.load(store_dir)).status is PassiveAuth.VALID
    # The other country's genuine CRL with a colliding serial number does not touch this country's signer.
    (store_dir / "ot.crl").write_bytes(csca_crl(other, [(pki.dsc, x509.ReasonFlags.superseded)]))
    assert _pa(_passport(pki), TrustStore.load(store_dir)).status is PassiveAuth.VALID


@pytest.mark.pcsc
def test_revoked_signer_on_the_real_stack(slot, tmp_path, jpeg_photo) -> None:
    from kiosk.config import DocumentConfig
    from kiosk.devices.document.pcsc import PcscDocumentReader
    from kiosk.errors import DocumentRejected

    pki = make_pki("ec")
    document = build_document(pki, PASSPORT_MRZ, jpeg_photo)
    store_dir = tmp_path / "trust"
    (tmp_path / "ut.pem").write_bytes(pki.csca_pem())
    import_trust_file(store_dir, tmp_path / "ut.pem")
    (tmp_path / "ut.crl").write_bytes(csca_crl(pki, [(pki.dsc, x509.ReasonFlags.cessation_of_operation)]))
    import_trust_file(store_dir, tmp_path / "ut.crl")
    slot.insert(document)
    reader = PcscDocumentReader(DocumentConfig(trust_store=store_dir))
    ident = reader.read_document(document.access_key, threading.Event()).identity
    assert ident.passive_auth is PassiveAuth.INVALID and "cessationOfOperation" in ident.passive_auth_detail
    with pytest.raises(DocumentRejected, match="revoked"):
        reader.read(document.access_key, threading.Event())


OPENSSL = shutil.which("openssl")


@pytest.mark.skipif(OPENSSL is None, reason="openssl CLI not installed")
def test_master_list_and_crl_made_by_openssl(tmp_path, countries) -> None:
    """Another implementation's CMS and CRL: OpenSSL signs the CscaMasterList (`cms -sign -nodetach
    -econtent_type 2.23.136.1.1.2`) and verifies the kiosk's fixtures; both ways must agree."""
    from cryptography.hazmat.primitives import serialization

    from kiosk.devices.document.trust_store import CscaMasterList

    ut = countries["UT"]
    key, signer = master_list_signer(ut)
    (tmp_path / "mls.pem").write_bytes(signer.public_bytes(serialization.Encoding.PEM))
    (tmp_path / "mls.key").write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                         serialization.NoEncryption()))
    (tmp_path / "csca.pem").write_bytes(ut.csca_pem())
    from asn1crypto import x509 as asn1_x509

    content = CscaMasterList({"version": 0, "cert_list": [asn1_x509.Certificate.load(ut.csca_der()),
                                                          asn1_x509.Certificate.load(countries["OT"].csca_der())]})
    (tmp_path / "content.der").write_bytes(content.dump())
    subprocess.run([OPENSSL, "cms", "-sign", "-nodetach", "-binary", "-econtent_type", "2.23.136.1.1.2",
                    "-in", str(tmp_path / "content.der"), "-signer", str(tmp_path / "mls.pem"),
                    "-inkey", str(tmp_path / "mls.key"), "-md", "sha256", "-outform", "DER",
                    "-out", str(tmp_path / "openssl.ml")], check=True, capture_output=True)
    assert import_trust_file(tmp_path / "trust", tmp_path / "openssl.ml").certificates == 2
    # And OpenSSL accepts the kiosk's own fixtures: the master list's signature and the CRL's.
    key2, signer2 = master_list_signer(ut)
    (tmp_path / "fixture.ml").write_bytes(csca_master_list([ut.csca], key2, signer2))
    verified = subprocess.run([OPENSSL, "cms", "-verify", "-inform", "DER", "-in", str(tmp_path / "fixture.ml"),
                               "-CAfile", str(tmp_path / "csca.pem"), "-purpose", "any", "-out", "/dev/null"],
                              capture_output=True, text=True)
    assert verified.returncode == 0, verified.stderr
    (tmp_path / "ut.crl").write_bytes(csca_crl(ut, [(ut.dsc, x509.ReasonFlags.key_compromise)]))
    crl = subprocess.run([OPENSSL, "crl", "-inform", "DER", "-in", str(tmp_path / "ut.crl"), "-CAfile",
                          str(tmp_path / "csca.pem"), "-noout", "-text"], capture_output=True, text=True)
    assert crl.returncode == 0 and "verify OK" in crl.stderr + crl.stdout, crl.stderr
    assert "Key Compromise" in crl.stdout
