"""Document variants real issuers produce, read end to end (protocol + parsing + passive authentication)
through the emulated chip directly (the PC/SC path is covered by test_stack.py)."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from kiosk.core.identity import PassiveAuth
from kiosk.devices.document import emrtd
from kiosk.devices.document.lds import identity_from_files
from kiosk.devices.document.passive_auth import passive_authentication
from kiosk.devices.document.trust_store import TrustStore

from .conftest import ID_CARD_MRZ, PASSPORT_MRZ
from .documents import build_document, make_pki
from .emrtd_chip import EmrtdChip


class _Direct:
    def __init__(self, chip: EmrtdChip) -> None:
        self.chip = chip

    def transmit(self, apdu: bytes) -> bytes:
        return self.chip.process(apdu)


def _read(doc, extended=True):
    chip = EmrtdChip(doc.files, doc.access_key, extended_length=extended)
    files = emrtd.read_document(_Direct(chip), doc.access_key, extended=extended)
    identity = identity_from_files(files)
    result = passive_authentication(files.sod, files.data_groups, TrustStore(certificates=[doc.pki.csca]))
    return identity, result


@pytest.mark.parametrize("kind", ["ec", "ec384", "ec-plain", "rsa", "rsa-pss"])
def test_signature_schemes(kind: str, jpeg_photo: bytes) -> None:
    doc = build_document(make_pki(kind), PASSPORT_MRZ, jpeg_photo)
    identity, result = _read(doc)
    assert result.status == PassiveAuth.VALID, result.detail
    assert identity.photo == jpeg_photo


@pytest.mark.parametrize("sod_hash", ["sha1", "sha224", "sha384", "sha512"])
def test_data_group_hash_algorithms(pki, sod_hash: str, jpeg_photo: bytes) -> None:
    identity, result = _read(build_document(pki, PASSPORT_MRZ, jpeg_photo, sod_hash=sod_hash))
    assert result.status == PassiveAuth.VALID, result.detail


def test_signer_by_subject_key_identifier_and_without_signed_attributes(pki, jpeg_photo: bytes) -> None:
    _, result = _read(build_document(pki, PASSPORT_MRZ, jpeg_photo, signer_id="ski"))
    assert result.status == PassiveAuth.VALID, result.detail
    _, result = _read(build_document(pki, PASSPORT_MRZ, jpeg_photo, with_attributes=False))
    assert result.status == PassiveAuth.VALID, result.detail


def test_dg2_variants(pki, jp2_photo: bytes) -> None:
    # 7F2E container, and a raw JPEG 2000 codestream (no JP2 boxes) as some issuers store it
    raw = io.BytesIO()
    Image.open(io.BytesIO(jp2_photo)).save(raw, "JPEG2000", no_jp2=True, quality_mode="rates",
                                          quality_layers=[20])
    for photo, tag in ((jp2_photo, 0x7F2E), (raw.getvalue(), 0x5F2E)):
        identity, result = _read(build_document(pki, ID_CARD_MRZ, photo, "jpeg2000", biometric_tag=tag))
        assert result.status == PassiveAuth.VALID, result.detail
        assert identity.photo == photo and identity.photo_format == "jpeg2000"
        assert Image.open(io.BytesIO(identity.photo)).size == (240, 320)


def test_large_photo_needs_odd_ins_read_binary(pki) -> None:
    # A 40 KB DG2 has offsets past 32767: READ BINARY with odd INS and an offset data object.
    photo = b"\xff\xd8\xff\xfe" + bytes(range(256)) * 160
    for extended in (True, False):
        identity, result = _read(build_document(pki, PASSPORT_MRZ, photo), extended=extended)
        assert identity.photo == photo and result.status == PassiveAuth.VALID


def test_other_csca_key_with_the_same_name_is_an_unknown_issuer(pki, jpeg_photo: bytes) -> None:
    impostor = make_pki("ec")  # same CSCA name, other key: the DSC's AKI does not match it
    doc = build_document(pki, PASSPORT_MRZ, jpeg_photo)
    chip = EmrtdChip(doc.files, doc.access_key)
    files = emrtd.read_document(_Direct(chip), doc.access_key, extended=True)
    assert passive_authentication(files.sod, files.data_groups,
                                  TrustStore(certificates=[impostor.csca])).status == PassiveAuth.UNKNOWN_ISSUER
