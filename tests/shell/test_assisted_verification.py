"""Assisted verification end to end: the real window, a real terminal, a real district on loopback, and staff
deciding with `kiosk-district help approve/deny` (declined at the start, the last attempt failed, nobody came,
and an approval for another session slipped into the district's answer)."""

from __future__ import annotations

import contextlib
import dataclasses
import io
import json
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from contract.assisted_verification import HELP_REQUESTS_PATH
from contract.eventlog import EventLog
from district.cli import main as district_cli
from district.settings import DistrictSettings
from kiosk.core.session import Confirmed, FormSubmitted, ItemChosen, State
from kiosk.link.district_client import HttpDistrictClient
from kiosk.link.enrollment import enroll, signer_for
from tests.shell.conftest import shell_config
from tests.shell.drive import find, tap, visible_texts, wait_state
from tests.sync.answer_swap_proxy import AnswerSwapProxy
from tests.sync.district_process import ThreadedDistrict

KIOSK = "sc-test-01"
DEMO = json.loads((Path(__file__).resolve().parents[2] / "assets" / "demo" / "identity.json").read_text())
WAITING_ZH = "请在此稍候，工作人员马上过来核验您的身份证件。"


class RecordingVoice:
    def __init__(self) -> None:
        self.said: list[tuple[str, str]] = []

    def say(self, text: str, language: str) -> None:
        self.said.append((text, language))


@pytest.fixture()
def staffed_district(tmp_path: Path):
    db = f"sqlite:///{tmp_path / 'district.db'}"
    keys = tmp_path / "district-keys"
    server = ThreadedDistrict(DistrictSettings(db_url=db, demo=True, keys_dir=keys)).start()

    def staff(verb: str, request_id: int, who: str = "李伟") -> int:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            return district_cli(["help", verb, str(request_id), "--staff", who, "--db", db, "--keys", str(keys)])

    server.staff = staff
    yield server
    server.stop()


@pytest.fixture()
def kiosk_shell(qtbot, tmp_path: Path, staffed_district, open_shell):
    """open_(url=None, **sections) -> (window, voice, log path): an enrolled kiosk's shell, speaking to a recorder."""
    from kiosk.devices.factory import build_devices

    def open_(url: str | None = None, **sections):
        data = tmp_path / "kiosk"
        enroll(data, staffed_district.url, KIOSK)
        simulated = {"face_delay_s": 30.0, **sections.pop("simulated", {})}  # long: time to decline mid-check
        session = {"assisted_poll_s": 0.2, **sections.pop("session", {})}
        config = shell_config(data, url or staffed_district.url, simulated=simulated, session=session,
                              ui={"voice": True}, **sections)
        voice = RecordingVoice()
        devices = dataclasses.replace(build_devices(config), voice=voice)
        log_path = data / "logs" / "kiosk.jsonl"
        window = open_shell(config, devices=devices, log=EventLog(stream=io.StringIO(), path=log_path))
        return window, voice, log_path

    return open_


def decline(qtbot, window) -> int:
    """Start, let the card be read, press "No face check", and wait until staff have the request."""
    tap(qtbot, window, "start")
    wait_state(qtbot, window, State.VERIFYING_FACE)
    qtbot.waitUntil(lambda: shown(window, "assisted"), timeout=5000)
    tap(qtbot, window, "assisted")
    wait_state(qtbot, window, State.ASSISTED_VERIFICATION)
    qtbot.waitUntil(lambda: window.terminal.session.assist_request_id is not None, timeout=10000)
    rid = window.terminal.session.assist_request_id
    qtbot.waitUntil(lambda: shown(window, "assisted-number") and
                    find(window, "assisted-number").text().endswith(str(rid)), timeout=5000)
    return rid


def shown(window, testid: str) -> bool:
    try:
        return find(window, testid).isEnabled()
    except LookupError:
        return False


def events(log_path: Path, name: str) -> list[dict]:
    return [r for r in map(json.loads, log_path.read_text().splitlines()) if r["event"] == name]


def kiosk_audit(tmp_path: Path) -> list[tuple[str, dict]]:
    engine = create_engine(f"sqlite:///{tmp_path / 'kiosk' / 'kiosk.db'}")
    with engine.connect() as c:
        rows = [(e, json.loads(d) if isinstance(d, str) else d)
                for e, d in c.execute(text("select event, detail from audit_events order by id"))]
    engine.dispose()
    return rows


def test_declined_face_check_then_staff_approve_reaches_the_menu_and_a_face_level_service(
        qtbot, tmp_path, staffed_district, kiosk_shell):
    window, voice, log_path = kiosk_shell()
    rid = decline(qtbot, window)
    texts = " ".join(visible_texts(window))
    assert WAITING_ZH in texts and f"您的求助编号：{rid}" in texts
    countdown = find(window, "assisted-countdown").text()
    assert countdown.startswith("剩余时间：4:5") or countdown.startswith("剩余时间：5:00"), countdown
    assert (WAITING_ZH, "zh_CN") in voice.said, "the waiting sentence is spoken like the others"
    assert DEMO["document_number"] not in log_path.read_text()

    assert staffed_district.staff("approve", rid) == 0
    wait_state(qtbot, window, State.MENU)
    terminal = window.terminal
    assert terminal.session.verified_by_staff and terminal.session.face is None
    # A service that requires document + face accepts staff's verification in its place.
    terminal.dispatch(ItemChosen("si-pension-qualification", True))
    terminal.dispatch(FormSubmitted({"phone": "13800138000"}))
    terminal.dispatch(Confirmed())
    wait_state(qtbot, window, State.DONE, timeout_ms=30000)
    assert terminal.session.tracking_number
    outcome, = events(log_path, "assisted-verification-complete")
    assert outcome["outcome"] == "approved" and outcome["request"] == rid
    audit = dict(kiosk_audit(tmp_path))
    assert audit["assisted-verification"] == {"outcome": "approved", "reason": "declined", "request": rid}
    assert DEMO["document_number"] not in json.dumps(kiosk_audit(tmp_path), ensure_ascii=False)


def test_last_failed_attempt_then_staff_deny_ends_kindly_in_english(qtbot, tmp_path, staffed_district,
                                                                    kiosk_shell):
    window, voice, log_path = kiosk_shell(simulated={"face_result": "mismatch", "face_delay_s": 0.1})
    tap(qtbot, window, "start")
    wait_state(qtbot, window, State.VERIFYING_FACE)
    tap(qtbot, window, "language")
    for _ in range(2):
        qtbot.waitUntil(lambda: shown(window, "retry"), timeout=10000)
        tap(qtbot, window, "retry")
    wait_state(qtbot, window, State.ASSISTED_VERIFICATION)
    qtbot.waitUntil(lambda: window.terminal.session.assist_request_id is not None, timeout=10000)
    rid = window.terminal.session.assist_request_id
    assert staffed_district.staff("deny", rid, "王芳") == 0
    qtbot.waitUntil(lambda: shown(window, "assisted-finish"), timeout=10000)
    sentence = find(window, "assisted-outcome").text()
    assert sentence.startswith("Staff could not confirm your identity") and "gladly help you" in sentence
    assert (sentence, "en") in voice.said
    assert window.terminal.session.identity is None, "wiped as soon as the answer is no"
    assert not window.cancel.isVisible(), "one clear way out: Finish"
    tap(qtbot, window, "assisted-finish")
    wait_state(qtbot, window, State.ATTRACT)
    assert [e["reason"] for e in events(log_path, "session-end")] == ["rejected"]
    assert ("assisted-verification", {"outcome": "denied", "reason": "face-failed", "request": rid}) in \
        kiosk_audit(tmp_path)


def test_nobody_comes_in_time_the_session_ends_kindly_and_the_request_is_withdrawn(
        qtbot, tmp_path, staffed_district, kiosk_shell):
    window, voice, _ = kiosk_shell(session={"assisted_wait_s": 3.0, "done_return_s": 3.0})
    rid = decline(qtbot, window)
    qtbot.waitUntil(lambda: shown(window, "assisted-finish"), timeout=10000)
    sentence = find(window, "assisted-outcome").text()
    assert sentence == "工作人员未能及时赶到，本次办理已结束。请到服务台，工作人员会很乐意为您办理。"
    assert (sentence, "zh_CN") in voice.said
    engine = create_engine(f"sqlite:///{tmp_path / 'district.db'}")
    with engine.connect() as c:
        qtbot.waitUntil(lambda: c.execute(text("select state from help_requests where id = :i"),
                                          {"i": rid}).scalar() == "withdrawn", timeout=5000)
    engine.dispose()
    assert staffed_district.staff("approve", rid) == 4, "staff cannot approve a citizen who has left"
    wait_state(qtbot, window, State.ATTRACT, timeout_ms=10000)


def test_an_approval_for_another_session_is_refused_and_the_citizen_keeps_waiting(
        qtbot, tmp_path, staffed_district, kiosk_shell):
    proxy = AnswerSwapProxy(staffed_district.url).start()
    try:
        window, _, log_path = kiosk_shell(url=proxy.url)
        first = decline(qtbot, window)
        assert staffed_district.staff("approve", first) == 0
        wait_state(qtbot, window, State.MENU)
        tap(qtbot, window, "cancel")
        wait_state(qtbot, window, State.ATTRACT)
        data = tmp_path / "kiosk"
        client = HttpDistrictClient(staffed_district.url, authenticator=signer_for(data, KIOSK))
        first_approval = json.dumps(client.get_json(f"{HELP_REQUESTS_PATH}/{first}")).encode()

        second = decline(qtbot, window)
        proxy.swap[f"{HELP_REQUESTS_PATH}/{second}"] = first_approval  # genuine and signed, for session 1
        qtbot.waitUntil(lambda: len(proxy.swapped) >= 3, timeout=10000)
        assert window.terminal.session.state is State.ASSISTED_VERIFICATION
        assert window.terminal.session.assist_outcome is None and not window.terminal.session.verified_by_staff
        refused = events(log_path, "assisted-decision-refused")
        assert refused and {r["reason"] for r in refused} == {"other-session"}
        proxy.swap.clear()
        assert staffed_district.staff("approve", second) == 0
        wait_state(qtbot, window, State.MENU)
    finally:
        proxy.stop()
