"""The document reader's health on a real pcscd with vpcd: service down, no reader, empty, card, mute card.

Expected values come from PC/SC and the cards themselves: the chip's ATR is the one the emulated chip sends
(tests/document/emrtd_chip.py), the mute card's ATR starts with a TS byte ISO/IEC 7816-3 does not allow.
"""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import pytest

from tests.diagnostics.cli import diagnostics, write_config
from tests.diagnostics.mute_card import MuteCard
from tests.document.documents import build_document, make_pki, td3_mrz
from tests.document.emrtd_chip import ATR_EXTENDED, EmrtdChip, VirtualCard, _fix_atr_tck
from tests.document.pcscd import Pcscd

MRZ = td3_mrz("L898902C3", "740812", "350415", "ERIKSSON", "ANNA MARIA", sex="F")


@pytest.fixture(scope="module")
def daemon():
    d = Pcscd()
    d.start()
    yield d
    d.cleanup()


@pytest.fixture()
def config(tmp_path: Path) -> Path:
    return write_config(tmp_path / "kiosk.toml", tmp_path / "data", devices={"document_reader": "pcsc"},
                        document={"block_unknown_issuer": False}, terminal={"demo": True})


def reader(config: Path, env: dict[str, str], level: str = "internal") -> tuple[int, dict]:
    result = diagnostics("run", "--device", "reader", "--level", level, "--config", str(config), "--json", env=env)
    return result.code, result.device("reader")


def wait_state(env: dict[str, str], config: Path, status_id: str, timeout: float = 10.0) -> dict:
    """vpcd notices a card within its polling period: ask until the state shows (or fail with the last one)."""
    deadline = time.monotonic() + timeout
    while True:
        _, line = reader(config, env)
        if line["status_id"] == status_id or time.monotonic() > deadline:
            return line
        time.sleep(0.3)


def test_service_down_is_a_failure_naming_pcscd(tmp_path: Path, config: Path):
    env = {"PCSCLITE_CSOCK_NAME": str(tmp_path / "nobody-listens.comm")}
    code, line = reader(config, env)
    assert code == 2
    assert (line["status_id"], line["health"], line["state"]) == ("RDR-SERVICE-DOWN", "fail", "ERROR")
    assert "pcscd" in line["fix_en"] and "pcscd" in line["fix_zh"]


def test_no_reader_connected(tmp_path: Path, config: Path):
    # A pcscd whose reader configuration is empty: the service runs, no reader is there.
    root = tmp_path / "bare"
    (root / "run").mkdir(parents=True)
    (root / "conf").mkdir()
    proc = subprocess.Popen(["unshare", "-m", "sh", "-c", f'mkdir -p /run/pcscd && mount --bind "{root}/run" '
                             f'/run/pcscd && exec pcscd -f -c "{root}/conf"'], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 10
        while not (root / "run" / "pcscd.comm").exists():
            assert time.monotonic() < deadline, "bare pcscd did not start"
            time.sleep(0.05)
        code, line = reader(config, {"PCSCLITE_CSOCK_NAME": str(root / "run" / "pcscd.comm")})
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    assert code == 2
    assert (line["status_id"], line["power"]) == ("RDR-NO-READER", "OFF_OFFLINE")
    assert "USB" in line["fix_en"]


def test_configured_reader_missing_names_it(tmp_path: Path, daemon: Pcscd):
    config = write_config(tmp_path / "kiosk.toml", tmp_path / "data", devices={"document_reader": "pcsc"},
                          document={"reader_name": "ACS ACR1281U 00 00", "block_unknown_issuer": False},
                          terminal={"demo": True})
    code, line = reader(config, daemon.env())
    assert code == 2 and line["status_id"] == "RDR-NO-READER"
    assert "ACS ACR1281U 00 00" in line["text"] and "Virtual PCD 00 00" in line["text"]


def test_empty_reader_passes_internally_and_asks_for_a_card_externally(daemon: Pcscd, config: Path):
    code, line = reader(config, daemon.env())
    assert code == 0 and line["status_id"] == "RDR-OK" and line["media"] == {"card": "out"}
    assert "Virtual PCD 00 00" in line["text"]
    code, line = reader(config, daemon.env(), "external")
    assert code == 1 and line["status_id"] == "RDR-EXT-NO-CARD"


def test_card_present_reports_its_atr_and_the_external_read_selects_the_emrtd(daemon: Pcscd, config: Path):
    document = build_document(make_pki("ec"), MRZ, b"\xff\xd8\xff\xd9", "jpeg")
    card = VirtualCard(EmrtdChip(document.files, document.access_key), daemon.port)
    card.insert()
    try:
        line = wait_state(daemon.env(), config, "RDR-CARD-PRESENT")
        atr = _fix_atr_tck(ATR_EXTENDED).hex().upper()
        assert line["status_id"] == "RDR-CARD-PRESENT" and line["facts"]["atr"] == atr
        code, line = reader(config, daemon.env(), "external")
        assert code == 0 and line["status_id"] == "RDR-READ-OK"
        assert line["facts"]["atr"] == atr and line["facts"]["emrtd_select_sw"] == "9000"
        assert "eMRTD application selected" in line["text"]
    finally:
        card.remove()


def test_mute_card_answering_garbage_to_the_reset(daemon: Pcscd, config: Path):
    # the previous test's card leaves the slot within vpcd's polling period: start from an empty reader
    assert wait_state(daemon.env(), config, "RDR-OK")["status_id"] == "RDR-OK"
    card = MuteCard(daemon.port, "garbage")
    card.insert()
    try:
        line = wait_state(daemon.env(), config, "RDR-CARD-MUTE")
        assert (line["status_id"], line["health"]) == ("RDR-CARD-MUTE", "warn")
        assert line["facts"]["atr"] == "FF00" and "TS must be 3B or 3F" in line["text"]
        assert "known good document" in line["fix_en"]
        code, line = reader(config, daemon.env(), "external")
        assert code == 1 and line["status_id"] == "RDR-CARD-MUTE"  # pcscd: "Card protocol mismatch"
    finally:
        card.remove()


def test_a_card_that_never_answers_looks_like_an_empty_slot(daemon: Pcscd, config: Path):
    # vpcd announces a card only once it has its ATR: a silent card never shows up in PC/SC at all.
    card = MuteCard(daemon.port, "silence")
    card.insert()
    try:
        time.sleep(1.5)
        code, line = reader(config, daemon.env())
        assert code == 0 and line["status_id"] == "RDR-OK" and line["media"] == {"card": "out"}
    finally:
        card.remove()
