"""The whole citizen journey through the real window, on simulated devices and a real district server."""

from __future__ import annotations

import gc
import json
from pathlib import Path

from sqlalchemy import create_engine, text

from kiosk.core.identity import Identity
from kiosk.core.session import Session, State
from tests.shell.drive import find, tap, visible_texts, wait_state

SI_ITEM = "si-contribution-record"
DEMO = json.loads((Path(__file__).resolve().parents[2] / "assets" / "demo" / "identity.json").read_text())


def test_full_journey_prints_records_and_wipes(qtbot, shell, tmp_path, log_stream):
    window = shell
    terminal = window.terminal
    seen: list[Session] = []
    terminal.subscribe(seen.append)
    assert window.stack.currentWidget() is window.screens[State.ATTRACT]

    tap(qtbot, window, "start")  # the citizen touches Start (a card tap does the same)
    wait_state(qtbot, window, State.MENU)
    assert "王*" in " ".join(visible_texts(window)), "the greeting shows the masked name"
    identity = next(s.identity for s in seen if s.identity is not None)
    assert isinstance(identity, Identity) and identity.document_number == DEMO["document_number"]

    tap(qtbot, window, f"item-{SI_ITEM}")
    wait_state(qtbot, window, State.SERVICE_FORM)
    tap(qtbot, window, "next")  # months defaults to 36
    wait_state(qtbot, window, State.CONFIRM)
    tap(qtbot, window, "confirm")
    wait_state(qtbot, window, State.DONE, timeout_ms=30000)
    tracking = terminal.session.tracking_number
    assert tracking.startswith("SCTEST01-") or tracking
    assert tracking in " ".join(visible_texts(window))

    printed = sorted((tmp_path / "kiosk" / "printed").glob("*.pdf"))
    kinds = {p.name.split("-")[2] for p in printed}
    assert {"certificate", "receipt"} <= kinds, printed
    assert all(p.read_bytes().startswith(b"%PDF") for p in printed)

    tap(qtbot, window, "rate-good")
    qtbot.waitUntil(lambda: terminal.session.rating == "good")
    engine = create_engine(f"sqlite:///{tmp_path / 'kiosk' / 'kiosk.db'}")

    def stored():
        with engine.connect() as c:
            return c.execute(text("select t.id, t.status, t.rating, o.state, o.seq, t.holder from transactions t "
                                  "join outbox o on o.transaction_id = t.id")).all()
    qtbot.waitUntil(lambda: stored() and stored()[0][2] == "good", timeout=5000)
    (tx_id, status, rating, outbox_state, seq, holder), = stored()
    assert status == "completed" and rating == "good" and seq == 1
    assert DEMO["document_number"] not in holder

    tap(qtbot, window, "finish")
    wait_state(qtbot, window, State.ATTRACT)
    # nothing personal left: the Identity object is wiped, the session holds none, no widget shows any of it
    assert identity.document_number == "" and identity.photo == b"" and identity.surname == ""
    assert terminal.session.identity is None and terminal.session.tracking_number == ""
    assert terminal._pending is None
    texts = " ".join(visible_texts(window))
    for secret in (DEMO["document_number"], DEMO["given_names"], DEMO["surname"] + DEMO["given_names"], tracking):
        assert secret not in texts, secret
    gc.collect()
    for obj in gc.get_objects():  # no object left anywhere in the process holds this citizen's identity
        if isinstance(obj, Identity):
            assert obj.document_number != DEMO["document_number"], "a live Identity still holds the citizen's data"
    # logs carry masked numbers only
    assert DEMO["document_number"] not in log_stream.getvalue()
    assert DEMO["document_number"] not in (tmp_path / "kiosk" / "logs" / "kiosk.jsonl").read_text()


def test_cancel_mid_journey_returns_to_attract_and_wipes(qtbot, shell):
    window = shell
    tap(qtbot, window, "start")
    wait_state(qtbot, window, State.MENU)
    identity = window.terminal.session.identity
    tap(qtbot, window, "cancel")
    wait_state(qtbot, window, State.ATTRACT)
    assert identity is not None and identity.document_number == ""
    assert not find(window, "start").isHidden()


def test_language_toggle_switches_every_screen_to_english(qtbot, shell):
    window = shell
    tap(qtbot, window, "language")
    qtbot.waitUntil(lambda: window.terminal.session.language == "en")
    assert find(window, "start").text() == "Touch here to start"
    tap(qtbot, window, "language")
    qtbot.waitUntil(lambda: window.terminal.session.language == "zh_CN")
    assert find(window, "start").text() != "Touch here to start", "Chinese translation is loaded"


def test_sync_indicator_shows_the_backlog(qtbot, shell):
    window = shell
    tap(qtbot, window, "start")
    wait_state(qtbot, window, State.MENU)
    tap(qtbot, window, f"item-{SI_ITEM}")
    wait_state(qtbot, window, State.SERVICE_FORM)
    tap(qtbot, window, "next")
    tap(qtbot, window, "confirm")
    wait_state(qtbot, window, State.DONE, timeout_ms=30000)
    window.terminal.poll_sync_status()  # no sync daemon runs in this test: the transaction waits
    qtbot.waitUntil(lambda: "1" in window.status.text(), timeout=5000)
