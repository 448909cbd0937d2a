"""Issue 17.1, the attack itself on the real stack (pyscard -> private pcscd -> vpcd -> emulated chip): a blank
chip carrying a victim's MRZ and the attacker's own photo, signed by a CSCA the attacker made. Before, the
default configuration read it as UNKNOWN_ISSUER, let it through, and compared the attacker with the attacker.
Now the session ends before any face check, staff are called, and the citizen is told kindly."""

from __future__ import annotations

import io
import json
import threading
import time
from pathlib import Path

import pytest
from PIL import Image

from contract.eventlog import EventLog
from kiosk.config import load_config
from kiosk.core.identity import PassiveAuth
from kiosk.core.session import AccessKeyEntered, State
from kiosk.devices.factory import build_devices
from kiosk.errors import DocumentRejected

# Lives beside the document tests so that it shares their one private pcscd (vpcd listens on a fixed port).
from tests.shell.conftest import district, open_shell, shell_config  # noqa: F401 - fixtures
from tests.shell.drive import find, wait_state

from .conftest import PASSPORT_MRZ
from .documents import build_document, make_pki

pytestmark = pytest.mark.pcsc
PORTRAIT = Path(__file__).resolve().parents[2] / "assets" / "demo" / "portrait.png"


@pytest.fixture(scope="module")
def homemade_chip():
    """The victim's MRZ (the genuine passport's), another face, a document signer under the attacker's CSCA."""
    buf = io.BytesIO()
    Image.open(PORTRAIT).convert("RGB").resize((240, 320)).save(buf, "JPEG", quality=85)
    attacker = make_pki("ec", country="UT", csca_cn="CSCA Utopia Test")  # same names as the real one, own keys
    return build_document(attacker, PASSPORT_MRZ, buf.getvalue())


def wait_for(predicate, timeout_s: float = 20.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.05)


def test_homemade_chip_ends_the_session_by_default(slot, trust_dir, homemade_chip, district, tmp_path):
    from kiosk.assembly import assemble

    # the defaults, plus the real reader and the genuine country's CSCA in the trust store
    config = shell_config(tmp_path / "kiosk", district.url, devices={"document_reader": "pcsc"},
                          document={"trust_store": str(trust_dir)})
    assert not config.terminal.demo
    stream = io.StringIO()
    terminal = assemble(config, log=EventLog(stream=stream))
    terminal.start()
    try:
        slot.insert(homemade_chip)
        wait_for(lambda: terminal.session.state is State.READING_DOCUMENT and terminal.session.needs_access_key)
        refused = terminal.session.session_id
        terminal.dispatch(AccessKeyEntered(homemade_chip.access_key))
        wait_for(lambda: terminal.session.state is State.ATTRACT)
        session = terminal.session
        assert session.message_key == "error.card.rejected" and session.identity is None
    finally:
        terminal.close()
    events = [json.loads(line) for line in stream.getvalue().splitlines()]
    names = [e["event"] for e in events]
    assert "face-verify-init" not in names, "the face check never ran against the homemade chip's photo"
    refusal = next(e for e in events if e["event"] == "document-refused")
    assert refusal["session"] == refused and "UNKNOWN_ISSUER" in refusal["detail"]
    ended = [e for e in events if e["event"] == "session-end"]
    assert [(e["session"], e["reason"]) for e in ended] == [(refused, "rejected")]
    assert any(e["event"] == "help-requested" and e.get("state") == "reading_document" for e in events)


def test_the_file_cannot_turn_the_block_off_outside_demo_mode(slot, trust_dir, homemade_chip, tmp_path):
    config = load_config(None, {"devices": {"document_reader": "pcsc"},
                                "document": {"trust_store": str(trust_dir), "block_unknown_issuer": False}})
    reader = build_devices(config).reader
    slot.insert(homemade_chip)
    with pytest.raises(DocumentRejected, match="UNKNOWN_ISSUER"):
        reader.read(homemade_chip.access_key, threading.Event())
    demo = load_config(None, {"terminal": {"demo": True}, "devices": {"document_reader": "pcsc"},
                              "document": {"trust_store": str(trust_dir), "block_unknown_issuer": False}})
    identity = build_devices(demo).reader.read(homemade_chip.access_key, threading.Event())
    assert identity.passive_auth is PassiveAuth.UNKNOWN_ISSUER  # demo mode only, and it is marked DEMO


def test_the_shell_tells_the_citizen_why_on_the_attract_screen(qtbot, slot, trust_dir, homemade_chip, district,
                                                               tmp_path, open_shell):
    config = shell_config(tmp_path / "kiosk", district.url, devices={"document_reader": "pcsc"},
                          document={"trust_store": str(trust_dir)}, terminal={"demo": True})  # simulated face
    window = open_shell(config)
    slot.insert(homemade_chip)
    wait_state(qtbot, window, State.READING_DOCUMENT, timeout_ms=15000)
    qtbot.waitUntil(lambda: window.terminal.session.needs_access_key, timeout=5000)
    window.terminal.dispatch(AccessKeyEntered(homemade_chip.access_key))
    qtbot.waitUntil(lambda: window.terminal.session.message_key == "error.card.rejected", timeout=20000)
    wait_state(qtbot, window, State.ATTRACT)
    qtbot.waitUntil(lambda: find(window, "attract-message").text() == "此证件未通过验证，已通知工作人员来帮您。",
                    timeout=5000)
