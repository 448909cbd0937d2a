"""The reader on the real stack: pyscard -> private pcscd -> vpcd -> emulated eMRTD chip over TCP."""

from __future__ import annotations

import dataclasses
import io
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from PIL import Image

from kiosk.config import DocumentConfig
from kiosk.core.identity import PassiveAuth
from kiosk.devices.document import ReaderEventKind, ReaderState
from kiosk.devices.document.pcsc import PcscDocumentReader
from kiosk.devices.document.trust_store import TrustStore
from kiosk.errors import CardRemoved, DocumentRejected, NoCard, NoReader, WrongAccessKey

from .conftest import ID_CARD_MRZ, PASSPORT_MRZ
from .documents import build_document, make_pki, master_list, td3_mrz

pytestmark = pytest.mark.pcsc
REPO = Path(__file__).resolve().parents[2]
OUTPUT_KEYS = ["document_number", "surname", "given_names", "nationality", "date_of_birth", "sex",
               "date_of_expiry", "document_type", "passive_auth", "passive_auth_detail", "chip_auth",
               "chip_auth_detail", "active_auth", "active_auth_detail", "photo_format", "photo_bytes", "read_ms",
               "access_control"]


def kiosk_cli(pcscd, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kiosk.cli", "card", *args], cwd=REPO, env=pcscd.env(),
                          capture_output=True, text=True, timeout=60)


def reader_for(trust_dir: Path, **config) -> PcscDocumentReader:
    cfg = DocumentConfig(trust_store=trust_dir, **config)
    return PcscDocumentReader(cfg)


def test_passport_td3_jpeg(slot, passport, trust_dir, jpeg_photo) -> None:
    slot.insert(passport)
    result = reader_for(trust_dir).read_document(passport.access_key, threading.Event())
    ident = result.identity
    assert (ident.document_number, ident.surname, ident.given_names) == ("L898902C3", "ERIKSSON", "ANNA MARIA")
    assert (ident.nationality, ident.date_of_birth, ident.sex, ident.date_of_expiry, ident.document_type) == (
        "UTO", "740812", "F", "350415", "P")
    assert ident.photo == jpeg_photo and ident.photo_format == "jpeg"
    assert ident.passive_auth == PassiveAuth.VALID, ident.passive_auth_detail
    assert ident.extra["full_name"] == "ERIKSSON<<ANNA<MARIA"
    assert result.extended_length and result.files.apdus < 40  # 25 KB photo in a few extended reads
    assert Image.open(io.BytesIO(ident.photo)).size == (240, 320)


def test_id_card_td1_jpeg2000_through_the_cli(slot, id_card, trust_dir, jp2_photo, tmp_path) -> None:
    slot.insert(id_card)
    photo_out = tmp_path / "face.jp2"
    proc = kiosk_cli(slot.daemon, "read", "--mrz", ID_CARD_MRZ, "--trust-store", str(trust_dir),
                     "--photo-out", str(photo_out), "--json")
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert list(out) == OUTPUT_KEYS
    assert out["document_number"] == "D23145890" and out["surname"] == "ZHANG"
    assert out["access_control"] == "BAC"  # the chip has no EF.CardAccess
    assert out["given_names"] == "SAN FENG" and out["nationality"] == "CHN" and out["document_type"] == "I"
    assert (out["passive_auth"], out["photo_format"], out["photo_bytes"]) == ("VALID", "jpeg2000", len(jp2_photo))
    assert photo_out.read_bytes() == jp2_photo
    assert Image.open(photo_out).size == (240, 320)  # Pillow's OpenJPEG decodes it


def test_short_length_card_reads_in_short_apdus(slot, passport, trust_dir, jpeg_photo) -> None:
    slot.insert(passport, extended_length=False)
    result = reader_for(trust_dir).read_document(passport.access_key, threading.Event())
    assert not result.extended_length
    assert result.identity.photo == jpeg_photo and result.identity.passive_auth == PassiveAuth.VALID
    assert result.files.apdus > 100  # 25 KB in 223-byte chunks


def test_extended_length_announced_in_ef_atr_info(slot, passport, trust_dir, jpeg_photo) -> None:
    card = slot.insert(passport, advertise="ef")  # the ATR says nothing, EF.ATR/INFO says 2 KB responses
    result = reader_for(trust_dir).read_document(passport.access_key, threading.Event())
    assert result.extended_length and result.identity.photo == jpeg_photo
    assert 20 < result.files.apdus < 40  # 25 KB in ~2 KB reads
    assert card.chip.mutual_auth_attempts == 1


def test_tampered_photo_is_invalid(slot, pki, trust_dir, jpeg_photo) -> None:
    doc = build_document(pki, PASSPORT_MRZ, jpeg_photo, tamper_dg2=True)
    slot.insert(doc)
    proc = kiosk_cli(slot.daemon, "read", "--mrz", PASSPORT_MRZ, "--trust-store", str(trust_dir), "--json")
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["passive_auth"] == "INVALID" and "DG2" in out["passive_auth_detail"]
    with pytest.raises(DocumentRejected, match="DG2"):  # the session's policy: INVALID blocks by default
        reader_for(trust_dir).read(doc.access_key, threading.Event())


def test_unknown_csca_blocks_by_default_or_warns_when_relaxed(slot, jpeg_photo, trust_dir) -> None:
    stranger = make_pki("rsa", country="ZZ", csca_cn="CSCA Unknown")
    doc = build_document(stranger, PASSPORT_MRZ, jpeg_photo)
    slot.insert(doc)
    with pytest.raises(DocumentRejected, match="UNKNOWN_ISSUER"):  # default: refused (issue 17.1)
        reader_for(trust_dir).read(doc.access_key, threading.Event())
    # the relaxed policy (the factory allows it only in demo mode): the document comes through, flagged
    ident = reader_for(trust_dir, block_unknown_issuer=False).read(doc.access_key, threading.Event())
    assert ident.passive_auth == PassiveAuth.UNKNOWN_ISSUER and ident.document_number == "L898902C3"


def test_master_list_trust_store(slot, pki, passport, tmp_path) -> None:
    (tmp_path / "ICAO.ml").write_bytes(master_list([make_pki("ec", country="OT"), pki], pki))
    slot.insert(passport)
    store = TrustStore.load(tmp_path)
    assert not store.problems and len(store.certificates) == 2
    ident = PcscDocumentReader(DocumentConfig(), trust_store=store).read(passport.access_key, threading.Event())
    assert ident.passive_auth == PassiveAuth.VALID


def test_wrong_mrz_is_one_clear_error(slot, passport, trust_dir) -> None:
    card = slot.insert(passport)
    wrong = td3_mrz("L898902C3", "740812", "350416", "ERIKSSON", "ANNA MARIA")
    proc = kiosk_cli(slot.daemon, "read", "--mrz", wrong, "--trust-store", str(trust_dir), "--json")
    assert proc.returncode == 5
    assert proc.stdout == "" and proc.stderr.count("\n") == 1 and "wrong access key" in proc.stderr
    assert card.chip.mutual_auth_attempts == 1  # no retry storm on the chip
    with pytest.raises(WrongAccessKey):
        reader_for(trust_dir).read_document(
            dataclasses.replace(passport.access_key, date_of_birth="740813"), threading.Event())
    assert card.chip.mutual_auth_attempts == 2


def test_card_removed_mid_read(slot, passport, trust_dir) -> None:
    slot.insert(passport, extended_length=False, pull_after=40)  # during DG2
    started = time.monotonic()
    with pytest.raises(CardRemoved):
        reader_for(trust_dir).read_document(passport.access_key, threading.Event())
    assert time.monotonic() - started < 10


def test_no_card_and_reader_states(slot, passport, trust_dir) -> None:
    proc = kiosk_cli(slot.daemon, "read", "--mrz", PASSPORT_MRZ, "--json")
    assert proc.returncode == 4 and "no card" in proc.stderr
    reader = reader_for(trust_dir)
    assert reader.status().state == ReaderState.NO_CARD
    with pytest.raises(NoCard):
        reader.read(passport.access_key, threading.Event())
    slot.insert(passport)
    assert reader.status().state == ReaderState.CARD_PRESENT
    proc = kiosk_cli(slot.daemon, "readers", "--json")
    listed = json.loads(proc.stdout)
    assert listed["service"] is True
    assert [(r["name"], r["card_present"]) for r in listed["readers"]] == [
        ("Virtual PCD 00 00", True), ("Virtual PCD 00 01", False)]


def _wait_for(events: list, kind: ReaderEventKind, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(e.kind == kind for e in events):
            return
        time.sleep(0.02)
    raise AssertionError(f"no {kind} event; got {events}")


def test_reader_pulled_and_plugged_back(slot, passport, trust_dir) -> None:
    """Stopping pcscd takes the (virtual) readers away; starting it again brings them back: no restart needed."""
    reader = reader_for(trust_dir, reader_name="Virtual PCD 00 00")
    events: list = []
    reader.start(events.append)
    try:
        card = slot.insert(passport)
        _wait_for(events, ReaderEventKind.CARD_INSERTED)
        events.clear()
        slot.daemon.stop()
        card.remove()
        _wait_for(events, ReaderEventKind.READER_REMOVED)
        assert reader.status().state == ReaderState.NO_READER
        with pytest.raises(NoReader):
            reader.read(passport.access_key, threading.Event())
        proc = kiosk_cli(slot.daemon, "read", "--mrz", PASSPORT_MRZ, "--json")
        assert proc.returncode == 3 and "no reader" in proc.stderr
        events.clear()
        slot.daemon.start()
        _wait_for(events, ReaderEventKind.READER_ADDED)
        assert reader.status().state == ReaderState.NO_CARD
        slot.insert(passport)
        _wait_for(events, ReaderEventKind.CARD_INSERTED)
        assert reader.read(passport.access_key, threading.Event()).passive_auth == PassiveAuth.VALID
        slot.pull_all()
        _wait_for(events, ReaderEventKind.CARD_REMOVED)
    finally:
        reader.stop()
        slot.daemon.start()


def test_cancel_stops_the_read(slot, passport, trust_dir) -> None:
    slot.insert(passport)
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(Exception, match="cancelled"):
        reader_for(trust_dir).read(passport.access_key, cancel)


def test_pcscd_env_is_private(pcscd) -> None:
    assert os.environ["PCSCLITE_CSOCK_NAME"] == str(pcscd.socket)
    assert not Path("/run/pcscd/pcscd.comm").exists() or Path("/run/pcscd/pcscd.comm") != pcscd.socket


def test_cli_with_typed_fields_and_reader_names(slot, passport, trust_dir) -> None:
    slot.insert(passport)
    proc = kiosk_cli(slot.daemon, "read", "--reader", "Virtual PCD 00 00", "--doc", "L898902C3", "--dob", "740812",
                     "--expiry", "350415", "--trust-store", str(trust_dir), "--json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["passive_auth"] == "VALID"
    proc = kiosk_cli(slot.daemon, "read", "--reader", "No Such Reader", "--mrz", PASSPORT_MRZ, "--json")
    assert proc.returncode == 3 and "no reader" in proc.stderr
    proc = kiosk_cli(slot.daemon, "read", "--reader", "Virtual PCD 00 01", "--mrz", PASSPORT_MRZ, "--json")
    assert proc.returncode == 4 and "no card" in proc.stderr
    proc = kiosk_cli(slot.daemon, "read", "--doc", "L898902C3", "--dob", "7408", "--expiry", "350415")
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1
