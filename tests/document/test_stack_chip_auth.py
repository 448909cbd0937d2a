"""Is the chip genuine? Chip and active authentication on the real stack: pyscard -> pcscd -> vpcd -> emulator.

The emulated chips (`genuine_chip.py`) implement CA and AA from ICAO 9303-11's message formats; a clone carries
the genuine chip's files byte for byte (DG14, DG15 and a valid EF.SOD) with other private keys.
"""

from __future__ import annotations

import dataclasses
import json
import threading

import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from kiosk.config import DocumentConfig
from kiosk.core.identity import ChipCheck, PassiveAuth
from kiosk.devices.document.pcsc import PcscDocumentReader
from kiosk.errors import ChipNotGenuine
from tests.shell.conftest import district, open_shell, shell_config  # noqa: F401 - fixtures

from .conftest import PASSPORT_MRZ, wait_card
from .documents import build_document
from .emrtd_chip import VirtualCard
from .genuine_chip import ID_CA_ECDH_AES128, GenuineChip, dg14, dg15
from .test_stack import kiosk_cli

pytestmark = pytest.mark.pcsc


@pytest.fixture(scope="module")
def chip_keys():
    return {"ca": ec.generate_private_key(ec.BrainpoolP256R1()),
            "aa_rsa": rsa.generate_private_key(public_exponent=65537, key_size=2048),
            "aa_ec": ec.generate_private_key(ec.SECP256R1())}


def insert(slot, document, **chip_options) -> GenuineChip:
    chip = GenuineChip(document.files, document.access_key, **chip_options)
    card = VirtualCard(chip, slot.daemon.port)
    card.insert()
    slot.cards.append(card)
    wait_card(slot.daemon.readers[0], present=True)
    return chip


def read(trust_dir, document, **config):
    reader = PcscDocumentReader(DocumentConfig(trust_store=trust_dir, **config))
    return reader.read_document(document.access_key, threading.Event())


@pytest.fixture(scope="module")
def rsa_aa_passport(pki, jpeg_photo, chip_keys):
    """CA with brainpoolP256r1 (explicit parameters in DG14), AA with RSA-2048 in DG15."""
    return build_document(pki, PASSPORT_MRZ, jpeg_photo, extra_groups={
        14: dg14(chip_keys["ca"].public_key()), 15: dg15(chip_keys["aa_rsa"].public_key())})


@pytest.fixture(scope="module")
def ecdsa_aa_passport(pki, jpeg_photo, chip_keys):
    """CA with a key id, AA with ECDSA P-256 whose hash DG14's ActiveAuthenticationInfo names."""
    return build_document(pki, PASSPORT_MRZ, jpeg_photo, extra_groups={
        14: dg14(chip_keys["ca"].public_key(), aa_hash="sha256", key_id=7),
        15: dg15(chip_keys["aa_ec"].public_key())})


def test_genuine_chip_passes_chip_and_active_authentication_through_the_cli(slot, rsa_aa_passport, chip_keys,
                                                                            trust_dir) -> None:
    chip = insert(slot, rsa_aa_passport, ca_key=chip_keys["ca"], aa_key=chip_keys["aa_rsa"])
    proc = kiosk_cli(slot.daemon, "read", "--mrz", PASSPORT_MRZ, "--trust-store", str(trust_dir), "--json")
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["passive_auth"] == "VALID", out["passive_auth_detail"]
    assert (out["chip_auth"], out["active_auth"]) == ("VALID", "VALID"), out
    assert "brainpoolP256r1" in out["chip_auth_detail"] and "9796-2" in out["active_auth_detail"]
    assert chip.ca_runs == 1 and len(chip.challenges) == 1
    # CA is proven by a read under the new keys: the chip served EF.COM after MSE:Set KAT with them.
    # CA is proven by a read under the new keys (EF.COM again), and the rest of the document comes under them.
    assert chip.selected_after_ca == [0x011E, 0x0101, 0x0102, 0x011D]
    assert chip.mutual_auth_attempts == 1


def test_ecdsa_active_authentication_and_key_id(slot, ecdsa_aa_passport, chip_keys, trust_dir) -> None:
    insert(slot, ecdsa_aa_passport, ca_key=chip_keys["ca"], aa_key=chip_keys["aa_ec"], aa_hash="sha256")
    ident = read(trust_dir, ecdsa_aa_passport).identity
    assert ident.passive_auth is PassiveAuth.VALID
    assert ident.chip_auth is ChipCheck.VALID, ident.chip_auth_detail
    assert ident.active_auth is ChipCheck.VALID and "sha256" in ident.active_auth_detail


def test_rsa_active_authentication_with_sha256_trailer(slot, rsa_aa_passport, chip_keys, trust_dir) -> None:
    insert(slot, rsa_aa_passport, ca_key=chip_keys["ca"], aa_key=chip_keys["aa_rsa"], aa_hash="sha256")
    assert read(trust_dir, rsa_aa_passport).identity.active_auth is ChipCheck.VALID


def test_cloned_chip_is_refused(slot, rsa_aa_passport, trust_dir) -> None:
    """Genuine files (DG14, DG15, a valid SOD), other private keys: PA passes, CA and AA do not."""
    clone = {"ca_key": ec.generate_private_key(ec.BrainpoolP256R1()),
             "aa_key": rsa.generate_private_key(public_exponent=65537, key_size=2048)}
    chip = insert(slot, rsa_aa_passport, **clone)
    ident = read(trust_dir, rsa_aa_passport).identity
    assert chip.mutual_auth_attempts == 2 and chip.ca_runs == 1
    assert ident.passive_auth is PassiveAuth.VALID
    assert ident.chip_auth is ChipCheck.INVALID and "private key" in ident.chip_auth_detail
    assert ident.active_auth is ChipCheck.INVALID and "does not verify" in ident.active_auth_detail
    assert ident.surname == "ERIKSSON" and ident.photo  # after the failed CA, BAC again and the rest is read
    reader = PcscDocumentReader(DocumentConfig(trust_store=trust_dir))
    with pytest.raises(ChipNotGenuine) as caught:
        reader.read(rsa_aa_passport.access_key, threading.Event())
    assert caught.value.message_key == "error.card.chip_not_genuine" and "INVALID" in caught.value.detail


def test_clone_with_only_the_ca_key_wrong(slot, rsa_aa_passport, chip_keys, trust_dir) -> None:
    insert(slot, rsa_aa_passport, ca_key=ec.generate_private_key(ec.BrainpoolP256R1()),
           aa_key=chip_keys["aa_rsa"])
    ident = read(trust_dir, rsa_aa_passport).identity
    assert (ident.chip_auth, ident.active_auth) == (ChipCheck.INVALID, ChipCheck.VALID)


def test_chip_without_dg14_dg15_and_the_require_policy(slot, passport, trust_dir) -> None:
    insert(slot, passport)
    ident = read(trust_dir, passport).identity
    assert (ident.chip_auth, ident.active_auth) == (ChipCheck.NOT_SUPPORTED, ChipCheck.NOT_SUPPORTED)
    assert ident.passive_auth is PassiveAuth.VALID
    lenient = PcscDocumentReader(DocumentConfig(trust_store=trust_dir))
    assert lenient.read(passport.access_key, threading.Event()).surname == "ERIKSSON"
    strict = PcscDocumentReader(DocumentConfig(trust_store=trust_dir, require_chip="either"))
    with pytest.raises(ChipNotGenuine, match="policy requires chip_auth or active_auth"):
        strict.read(passport.access_key, threading.Event())


def test_require_active_auth_accepts_a_chip_with_aa_only(slot, pki, jpeg_photo, chip_keys, trust_dir) -> None:
    document = build_document(pki, PASSPORT_MRZ, jpeg_photo, extra_groups={15: dg15(chip_keys["aa_rsa"].public_key())})
    insert(slot, document, aa_key=chip_keys["aa_rsa"])
    reader = PcscDocumentReader(DocumentConfig(trust_store=trust_dir, require_chip="active_auth"))
    ident = reader.read(document.access_key, threading.Event())
    assert (ident.chip_auth, ident.active_auth) == (ChipCheck.NOT_SUPPORTED, ChipCheck.VALID)
    with pytest.raises(ChipNotGenuine):
        PcscDocumentReader(DocumentConfig(trust_store=trust_dir, require_chip="chip_auth")).read(
            document.access_key, threading.Event())


def test_aes_chip_authentication_is_reported_not_supported(slot, pki, jpeg_photo, chip_keys, trust_dir) -> None:
    document = build_document(pki, PASSPORT_MRZ, jpeg_photo, extra_groups={
        14: dg14(chip_keys["ca"].public_key(), ca_protocol=ID_CA_ECDH_AES128)})
    chip = insert(slot, document, ca_key=chip_keys["ca"])
    ident = read(trust_dir, document).identity
    assert ident.chip_auth is ChipCheck.NOT_SUPPORTED and "AES-128" in ident.chip_auth_detail
    assert chip.ca_runs == 0


def test_ca_key_without_protocol_info_means_3des(slot, pki, jpeg_photo, chip_keys, trust_dir) -> None:
    document = build_document(pki, PASSPORT_MRZ, jpeg_photo, extra_groups={
        14: dg14(chip_keys["ca"].public_key(), with_ca_info=False)})
    insert(slot, document, ca_key=chip_keys["ca"])
    assert read(trust_dir, document).identity.chip_auth is ChipCheck.VALID


def test_tampered_dg15_fails_passive_authentication(slot, rsa_aa_passport, chip_keys, trust_dir) -> None:
    """A clone that swaps in its own AA key passes AA but breaks the SOD's hash of DG15."""
    own = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    files = dict(rsa_aa_passport.files)
    files[0x010F] = dg15(own.public_key())
    insert(slot, dataclasses.replace(rsa_aa_passport, files=files), ca_key=chip_keys["ca"], aa_key=own)
    ident = read(trust_dir, rsa_aa_passport).identity
    assert ident.active_auth is ChipCheck.VALID
    assert ident.passive_auth is PassiveAuth.INVALID and "DG15" in ident.passive_auth_detail


def test_the_shell_refuses_a_clone_kindly_and_calls_staff(qtbot, tmp_path, district, slot, rsa_aa_passport,
                                                          trust_dir, open_shell) -> None:
    from kiosk.core.session import AccessKeyEntered, State
    from tests.shell.drive import find, wait_state

    config = shell_config(tmp_path / "kiosk", district.url, devices={"document_reader": "pcsc"},
                          document={"trust_store": str(trust_dir)}, terminal={"demo": True})
    window = open_shell(config)
    insert(slot, rsa_aa_passport, ca_key=ec.generate_private_key(ec.BrainpoolP256R1()),
           aa_key=rsa.generate_private_key(public_exponent=65537, key_size=2048))
    wait_state(qtbot, window, State.READING_DOCUMENT, timeout_ms=15000)
    qtbot.waitUntil(lambda: window.terminal.session.needs_access_key, timeout=5000)
    window.terminal.dispatch(AccessKeyEntered(rsa_aa_passport.access_key))
    qtbot.waitUntil(lambda: window.terminal.session.message_key == "error.card.chip_not_genuine", timeout=20000)
    wait_state(qtbot, window, State.ATTRACT)
    assert window.terminal.session.identity is None
    qtbot.waitUntil(lambda: find(window, "attract-message").text()
                    == "此证件芯片未能证明其真实性，已通知工作人员来帮您。", timeout=5000)


def test_chip_authentication_on_p256(slot, pki, jpeg_photo, trust_dir) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    document = build_document(pki, PASSPORT_MRZ, jpeg_photo, extra_groups={14: dg14(key.public_key())})
    chip = insert(slot, document, ca_key=key, extended_length=False)
    ident = read(trust_dir, document).identity
    assert ident.chip_auth is ChipCheck.VALID and "secp256r1" in ident.chip_auth_detail
    assert chip.selected_after_ca[-1] == 0x011D  # EF.SOD, in short APDUs, under the new keys


def test_chip_that_lists_keys_but_refuses_the_protocols(slot, rsa_aa_passport, trust_dir) -> None:
    """DG14/DG15 copied onto a chip that answers MSE:Set KAT and INTERNAL AUTHENTICATE with 6D00."""
    chip = insert(slot, rsa_aa_passport)
    ident = read(trust_dir, rsa_aa_passport).identity
    assert ident.chip_auth is ChipCheck.INVALID and "6D00" in ident.chip_auth_detail
    assert ident.active_auth is ChipCheck.INVALID and "6D00" in ident.active_auth_detail
    assert ident.passive_auth is PassiveAuth.VALID and ident.surname == "ERIKSSON"
    assert chip.mutual_auth_attempts == 2  # MSE:Set KAT ends the BAC session even when refused: BAC again
