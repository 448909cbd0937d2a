"""The terminal without Qt: faults on the way (district down, printer out of paper, card pulled) lose nothing."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from sqlalchemy import text

from contract.eventlog import NullEventLog
from kiosk.assembly import assemble
from kiosk.config import load_config
from kiosk.core.session import (
    Cancel,
    Confirmed,
    DocumentFailed,
    FormSubmitted,
    ItemChosen,
    Retry,
    Start,
    State,
)
from kiosk.errors import CardRemoved
from tests.shell.conftest import enroll_if_reachable
from tests.sync.district_process import ThreadedDistrict, free_port

SI = "si-contribution-record"


def make_terminal(tmp_path: Path, district_url: str):
    config = load_config(None, {
        "terminal": {"data_dir": str(tmp_path / "kiosk"), "district_url": district_url, "kiosk_id": "sc-t-01"},
        "simulated": {"read_delay_s": 0.0, "face_delay_s": 0.0, "print_delay_s": 0.0},
        "ui": {"voice": False}})
    enroll_if_reachable(config)
    terminal = assemble(config, log=NullEventLog())
    terminal.start()
    return terminal


def wait_for(terminal, predicate, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate(terminal.session):
        assert time.monotonic() < deadline, f"stuck in {terminal.session.state}: {terminal.session.message_key}"
        time.sleep(0.005)


def to_confirm(terminal) -> None:
    terminal.dispatch(Start())
    wait_for(terminal, lambda s: s.state is State.MENU)
    terminal.dispatch(ItemChosen(SI, True))
    terminal.dispatch(FormSubmitted({"months": "12"}))
    assert terminal.session.state is State.CONFIRM


def rows(terminal, sql: str) -> list:
    with terminal._store.engine.connect() as c:
        return c.execute(text(sql)).all()


@pytest.fixture()
def district(tmp_path: Path):
    from district.settings import DistrictSettings

    server = ThreadedDistrict(DistrictSettings(db_url=f"sqlite:///{tmp_path / 'd.db'}", demo=True)).start()
    yield server
    server.stop()


def test_district_down_queues_the_request_with_a_claim_receipt(tmp_path):
    terminal = make_terminal(tmp_path, f"http://127.0.0.1:{free_port()}")  # nothing listens there
    try:
        to_confirm(terminal)
        terminal.dispatch(Confirmed())
        wait_for(terminal, lambda s: s.message_key is not None)
        assert terminal.session.message_key == "error.district.unavailable" and terminal.session.can_queue
        assert rows(terminal, "select count(*) from transactions")[0][0] == 0, "nothing recorded before consent"
        terminal.dispatch(Confirmed(queue_if_offline=True))
        wait_for(terminal, lambda s: s.state is State.DONE)
        assert terminal.session.queued and terminal.session.tracking_number
        (status, state), = rows(terminal, "select t.status, o.state from transactions t join outbox o "
                                          "on o.transaction_id = t.id")
        assert (status, state) == ("queued", "pending")
        printed = list((tmp_path / "kiosk" / "printed").glob("*receipt*.pdf"))
        assert len(printed) == 1, "a claim receipt is printed"
    finally:
        terminal.close()


def test_printer_out_of_paper_keeps_the_transaction_and_retries_the_print(tmp_path, district):
    terminal = make_terminal(tmp_path, district.url)
    try:
        terminal.devices.printer.set_fault("paper_out")
        to_confirm(terminal)
        terminal.dispatch(Confirmed())
        wait_for(terminal, lambda s: s.message_key is not None)
        assert terminal.session.message_key == "error.printer.paper" and terminal.session.can_retry
        assert rows(terminal, "select count(*) from transactions")[0][0] == 1, "recorded before printing"
        terminal.devices.printer.set_fault(None)  # staff refilled the paper
        terminal.dispatch(Retry())
        wait_for(terminal, lambda s: s.state is State.DONE)
        assert rows(terminal, "select count(*) from transactions")[0][0] == 1, "a retry does not record twice"
        kinds = sorted(p.name.split("-")[2] for p in (tmp_path / "kiosk" / "printed").glob("*.pdf"))
        assert kinds == ["certificate", "receipt"]
    finally:
        terminal.close()


def test_card_pulled_mid_read_offers_a_retry(tmp_path, district):
    terminal = make_terminal(tmp_path, district.url)
    try:
        terminal.devices.reader.fail_next(CardRemoved("pulled"))
        terminal.dispatch(Start())
        wait_for(terminal, lambda s: s.message_key is not None)
        assert terminal.session.message_key == "error.card.removed" and terminal.session.can_retry
        terminal.dispatch(Retry())
        wait_for(terminal, lambda s: s.state is State.VERIFYING_FACE or s.state is State.MENU)
    finally:
        terminal.close()


def test_results_of_an_abandoned_session_are_never_shown_to_the_next(tmp_path, district):
    terminal = make_terminal(tmp_path, district.url)
    try:
        to_confirm(terminal)
        terminal.dispatch(Confirmed())
        terminal.dispatch(Cancel())  # the citizen walks away while the certificate is being issued
        assert terminal.session.state is State.ATTRACT
        time.sleep(1.0)
        assert terminal.session.state is State.ATTRACT and terminal.session.tracking_number == ""
        terminal.dispatch(DocumentFailed("error.card", True, session_id=terminal.session.session_id + 999))
        assert terminal.session.message_key is None
    finally:
        terminal.close()


def test_device_health_file_for_the_heartbeat(tmp_path, district):
    import json

    before = time.monotonic()
    terminal = make_terminal(tmp_path, district.url)
    try:
        terminal.devices.printer.set_fault("paper_out")
        terminal.write_device_health()
        path = tmp_path / "kiosk" / "devices.json"
        deadline = time.monotonic() + 10
        while not path.exists():
            assert time.monotonic() < deadline
            time.sleep(0.02)
        health = json.loads(path.read_text())
        assert health["printer"] == "paper_out" and health["reader"] == "card_present"
        # the shell's uptime since it started (not the host's): at most the time since this test built it
        assert 0 <= health["shell_uptime_s"] <= time.monotonic() - before + 0.1
    finally:
        terminal.close()


def test_help_reaches_the_district_staff_queue(tmp_path, district):
    from district.stats import district_stats
    from kiosk.core.session import HelpRequested
    from kiosk.link.enrollment import enroll

    enroll(tmp_path / "kiosk", district.url, "sc-t-01")  # the daemon's job on a real terminal
    terminal = make_terminal(tmp_path, district.url)
    try:
        terminal.dispatch(Start())
        wait_for(terminal, lambda s: s.state is State.MENU)
        terminal.dispatch(HelpRequested())
        deadline = time.monotonic() + 10
        while district_stats(district.engine)["help_requests_open"] != 1:
            assert time.monotonic() < deadline, "no help request reached the district"
            time.sleep(0.05)
    finally:
        terminal.close()
