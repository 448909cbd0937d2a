"""Files past 32 KB on the real stack (pyscard -> private pcscd -> vpcd -> emulated chip), short APDUs unless said.

The chip answers READ BINARY as ISO/IEC 7816-4 says (tests/document/test_emrtd_chip.py pins its bytes): odd-INS
reads beyond offset 32767 wrap the data in DO'53', counted in Le. A reader that asks Le = data bytes gets too
little and, at a large file's tail, asks for nothing: these are the documents that failed in the field.
"""

from __future__ import annotations

import io
import json
import threading

import pytest
from PIL import Image

from kiosk.core.identity import PassiveAuth
from kiosk.devices.document.read_binary import TruncatedFile

from .conftest import ID_CARD_MRZ, PASSPORT_MRZ
from .documents import build_document, jpeg_for_dg2_size, photo_bytes
from .test_stack import kiosk_cli, reader_for

pytestmark = pytest.mark.pcsc
PORTRAIT = (420, 560)


@pytest.fixture(scope="module")
def large_jpeg() -> bytes:
    photo = photo_bytes(None, "jpeg", 53_000, size=PORTRAIT)
    assert 52_000 <= len(photo) <= 53_000
    return photo


@pytest.fixture(scope="module")
def large_jp2() -> bytes:
    photo = photo_bytes(None, "jpeg2000", 45_000, size=(360, 480))
    assert len(photo) > 40_000
    return photo


@pytest.fixture(scope="module")
def jpeg_small() -> bytes:
    return photo_bytes(None, "jpeg", 25_000)


@pytest.fixture(scope="module")
def td1_large_jpeg(pki, large_jpeg):
    return build_document(pki, ID_CARD_MRZ, large_jpeg, "jpeg", photo_size=PORTRAIT)


def _odd_ins_reads(card) -> list:
    return [r for r in card.chip.reads if r.ins == 0xB1]


def test_td1_52kb_jpeg_through_the_cli_short_apdus(slot, td1_large_jpeg, large_jpeg, trust_dir, tmp_path) -> None:
    card = slot.insert(td1_large_jpeg, extended_length=False)
    photo_out = tmp_path / "face.jpg"
    proc = kiosk_cli(slot.daemon, "read", "--mrz", ID_CARD_MRZ, "--trust-store", str(trust_dir),
                     "--photo-out", str(photo_out), "--json")
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert (out["document_number"], out["passive_auth"], out["photo_format"]) == ("D23145890", "VALID", "jpeg")
    assert photo_out.read_bytes() == large_jpeg and out["photo_bytes"] == len(large_jpeg)
    assert Image.open(photo_out).size == PORTRAIT
    odd = _odd_ins_reads(card)
    assert len(odd) > 80 and all(r.le <= 0xDF for r in odd)  # ~20 KB past 32767 in 220-byte DO'53's
    assert all(r.sw == 0x9000 for r in card.chip.reads)  # never past the end, never short of the end


def test_td3_jpeg2000_short_apdus(slot, pki, large_jp2, trust_dir) -> None:
    doc = build_document(pki, PASSPORT_MRZ, large_jp2, "jpeg2000", photo_size=(360, 480))
    card = slot.insert(doc, extended_length=False)
    result = reader_for(trust_dir).read_document(doc.access_key, threading.Event())
    assert not result.extended_length
    assert result.identity.photo == large_jp2 and result.identity.photo_format == "jpeg2000"
    assert result.identity.passive_auth == PassiveAuth.VALID, result.identity.passive_auth_detail
    assert Image.open(io.BytesIO(result.identity.photo)).size == (360, 480)
    assert _odd_ins_reads(card)


# 32,991 is the first size that 223-byte B0 reads (offsets up to 32767) cannot reach: B1 must carry the end.
@pytest.mark.parametrize("total", [32_767, 32_768, 32_769, 32_991, 65_537])
@pytest.mark.parametrize("extended", [False, True])
def test_dg2_sizes_around_the_odd_ins_switch(slot, pki, jpeg_small, trust_dir, total: int, extended: bool) -> None:
    photo = jpeg_for_dg2_size(jpeg_small, total)
    doc = build_document(pki, PASSPORT_MRZ, photo)
    assert len(doc.files[0x0102]) == total
    card = slot.insert(doc, extended_length=extended)
    result = reader_for(trust_dir).read_document(doc.access_key, threading.Event())
    assert result.extended_length == extended
    assert result.files.data_groups[2] == doc.files[0x0102]
    assert result.identity.photo == photo and result.identity.passive_auth == PassiveAuth.VALID
    assert all(r.sw == 0x9000 for r in card.chip.reads)
    if total > 32_990:
        assert _odd_ins_reads(card)


def test_chip_answering_6282_at_every_end_of_file(slot, td1_large_jpeg, large_jpeg, trust_dir) -> None:
    """A chip that warns 6282 whenever a read reaches the end (even with exactly Ne bytes): the data is taken."""
    card = slot.insert(td1_large_jpeg, extended_length=False, end_of_file="always")
    result = reader_for(trust_dir).read_document(td1_large_jpeg.access_key, threading.Event())
    assert result.identity.photo == large_jpeg and result.identity.passive_auth == PassiveAuth.VALID
    warned = [r for r in card.chip.reads if r.sw == 0x6282]
    assert len(warned) >= 4 and any(r.ins == 0xB1 for r in warned)  # EF.COM, DG1, DG2 (B1), EF.SOD


def test_files_padded_past_their_tlv_end_read_exactly(slot, td1_large_jpeg, large_jpeg, trust_dir) -> None:
    padded = build_document(td1_large_jpeg.pki, ID_CARD_MRZ, large_jpeg, "jpeg", photo_size=PORTRAIT)
    padded.files = {fid: content + b"\xff" * 300 for fid, content in padded.files.items()}
    card = slot.insert(padded, extended_length=False)
    result = reader_for(trust_dir).read_document(padded.access_key, threading.Event())
    assert result.identity.passive_auth == PassiveAuth.VALID  # the hashes cover exactly the TLV, not the padding
    assert result.files.data_groups[2] == padded.files[0x0102][:-300]
    assert all(r.sw == 0x9000 for r in card.chip.reads)


def test_truncated_dg2_6282_then_6b00_is_one_clear_error(slot, td1_large_jpeg, trust_dir) -> None:
    """DG2 three bytes shorter than its header says: the last read ends early (6282), the next is past the end
    (6B00): exit 7, one line naming the file and both lengths."""
    short = build_document(td1_large_jpeg.pki, ID_CARD_MRZ, td1_large_jpeg.photo, "jpeg", photo_size=PORTRAIT)
    declared = len(short.files[0x0102])
    short.files = {**short.files, 0x0102: short.files[0x0102][:-3]}
    card = slot.insert(short, extended_length=False)
    proc = kiosk_cli(slot.daemon, "read", "--mrz", ID_CARD_MRZ, "--trust-store", str(trust_dir), "--json")
    assert proc.returncode == 7 and proc.stdout == "" and proc.stderr.count("\n") == 1
    assert f"file 0102 ends at byte {declared - 3}, before the {declared} bytes its header declares" in proc.stderr
    assert [r.sw for r in card.chip.reads[-2:]] == [0x6282, 0x6B00]
    assert card.chip.reads[-1].offset == declared - 3


def test_truncated_dg2_on_a_chip_answering_6282_past_the_end(slot, td1_large_jpeg, trust_dir) -> None:
    short = build_document(td1_large_jpeg.pki, ID_CARD_MRZ, td1_large_jpeg.photo, "jpeg", photo_size=PORTRAIT)
    short.files = {**short.files, 0x0102: short.files[0x0102][:-1]}
    card = slot.insert(short, extended_length=False, end_of_file="never", past_end="6282")
    with pytest.raises(TruncatedFile, match="file 0102 ends at byte"):
        reader_for(trust_dir).read_document(short.access_key, threading.Event())
    before, last = card.chip.reads[-2:]
    assert before.sw == 0x9000 and (last.sw, last.count, last.offset) == (0x6282, 0, len(short.files[0x0102]))
