"""Assisted verification through a real district on loopback: the kiosk's request, staff's CLI, the signed
decision, and what the kiosk refuses (another session's, another kiosk's, an expired one)."""

from __future__ import annotations

import io
import json
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from contract.assisted_verification import HELP_REQUESTS_PATH, KEY_NAME, public_key_hex
from contract.eventlog import EventLog
from district.assisted_verification import load_or_create_key
from district.cli import main as district_cli
from district.models import HelpDecisionRow, HelpRequestRow
from district.settings import DistrictSettings
from kiosk.core.session import AssistedOutcome, RequestAssistedVerification
from kiosk.errors import ServiceError
from kiosk.link.district_client import HttpDistrictClient
from kiosk.link.enrollment import enroll, signer_for
from kiosk.terminal.assisted_verification import AssistedVerification, pinned_decision_key
from tests.sync.answer_swap_proxy import AnswerSwapProxy
from tests.sync.district_process import ThreadedDistrict

MASKED = "330***********1234"


@pytest.fixture
def world(tmp_path: Path, district_db_url: str):
    """A demo district (SQLite, then PostgreSQL) whose operators' keys folder the CLI shares, and a way to enroll
    kiosks with it."""
    db = district_db_url
    keys = tmp_path / "district-keys"
    server = ThreadedDistrict(DistrictSettings(db_url=db, demo=True, keys_dir=keys)).start()

    class World:
        url = server.url
        engine = server.engine

        @staticmethod
        def kiosk(name: str, via: str | None = None) -> tuple[Path, HttpDistrictClient]:
            data = tmp_path / name
            enroll(data, server.url, name)
            return data, HttpDistrictClient(via or server.url, authenticator=signer_for(data, name))

        @staticmethod
        def cli(*args: str) -> tuple[int, str]:
            out = io.StringIO()
            import contextlib

            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
                code = district_cli([*args[:2], *args[2:], "--db", db,
                                     *(["--keys", str(keys)] if args[1] in ("approve", "deny") else [])])
            return code, out.getvalue()

    World.keys = keys
    yield World
    server.stop()


class Waiting:
    """One kiosk-side wait for staff, on its own thread, as the terminal runs it."""

    def __init__(self, client, data: Path, kiosk: str, session: int, clock_offset_s: float = 0.0) -> None:
        self.log = io.StringIO()
        self.runner = AssistedVerification(client, kiosk, pinned_decision_key(data),
                                           lambda: time.time() + clock_offset_s, 0.05, EventLog(stream=self.log))
        self.effect = RequestAssistedVerification(session, MASKED, "declined")
        self.cancel = threading.Event()
        self.wanted = True
        self.request_id: int | None = None
        self.outcome: AssistedOutcome | None = None
        self.done = threading.Event()
        threading.Thread(target=self._run, daemon=True).start()

    def _run(self) -> None:
        try:
            self.outcome = self.runner.run(self.effect, self.cancel, lambda: self.wanted, self._sent)
        finally:
            self.done.set()

    def _sent(self, request_id: int) -> None:
        self.request_id = request_id

    def sent(self, timeout_s: float = 10.0) -> int:
        deadline = time.monotonic() + timeout_s
        while self.request_id is None:
            assert time.monotonic() < deadline and not self.done.is_set(), self.log.getvalue()
            time.sleep(0.02)
        return self.request_id

    def result(self, timeout_s: float = 10.0) -> AssistedOutcome | None:
        assert self.done.wait(timeout_s), "the kiosk is still waiting"
        return self.outcome

    def refusals(self) -> list[str]:
        return [json.loads(line).get("reason") for line in self.log.getvalue().splitlines()
                if json.loads(line)["event"] == "assisted-decision-refused"]


def test_enrollment_pins_the_district_decision_key(world):
    data, _ = world.kiosk("sc-01")
    pinned = json.loads((data / "district" / "keys.json").read_text())[KEY_NAME]
    assert pinned == public_key_hex(load_or_create_key(world.keys)) == pinned_decision_key(data)
    assert oct((world.keys / "assisted-verification.pem").stat().st_mode & 0o777) == "0o600"


def test_staff_approve_or_deny_with_the_cli_and_the_audit_names_who(world):
    data, client = world.kiosk("sc-01")
    wait = Waiting(client, data, "sc-01", session=4)
    rid = wait.sent()
    code, out = world.cli("help", "list", "--json")
    assert code == 0
    listed, = [r for r in json.loads(out) if r["id"] == rid]
    assert listed["kind"] == "assisted-verification" and listed["state"] == "open"
    assert listed["masked_document"] == MASKED and listed["reason"] == "declined" and listed["decided_by"] is None
    code, out = world.cli("help", "approve", str(rid), "--staff", "李伟")
    assert code == 0, out
    assert wait.result() is AssistedOutcome.APPROVED
    with Session(world.engine) as s:
        row, = s.scalars(select(HelpDecisionRow).where(HelpDecisionRow.request_id == rid))
        assert (row.decided_by, row.verdict, row.kiosk) == ("李伟", "approved", "sc-01")
        assert s.get(HelpRequestRow, rid).state == "approved"
        assert "李伟" not in json.dumps(row.signed, ensure_ascii=False), "the kiosk never learns who decided"
    code, out = world.cli("help", "approve", str(rid), "--staff", "someone else")
    assert code == 4 and "already approved" in out, "one decision per request"
    code, out = world.cli("help", "list", "--json")
    assert [r["decided_by"] for r in json.loads(out) if r["id"] == rid] == ["李伟"]

    denied = Waiting(client, data, "sc-01", session=5)
    code, out = world.cli("help", "deny", str(denied.sent()), "--staff", "王芳")
    assert code == 0, out
    assert denied.result() is AssistedOutcome.DENIED


def test_an_approval_that_arrives_expired_ends_the_wait_as_expired(world):
    data, client = world.kiosk("sc-01")
    wait = Waiting(client, data, "sc-01", session=6, clock_offset_s=600.0)  # the district's time, 10 min on
    code, out = world.cli("help", "approve", str(wait.sent()), "--staff", "li", "--valid-for", "120")
    assert code == 0, out
    assert wait.result() is AssistedOutcome.EXPIRED
    assert wait.refusals() == ["expired"]


def test_an_approval_for_another_session_or_another_kiosk_is_refused(world):
    data, client = world.kiosk("sc-01")
    first = Waiting(client, data, "sc-01", session=1)
    first_id = first.sent()
    assert world.cli("help", "approve", str(first_id), "--staff", "li")[0] == 0
    assert first.result() is AssistedOutcome.APPROVED
    approved_for_session_1 = json.dumps(client.get_json(f"{HELP_REQUESTS_PATH}/{first_id}")).encode()

    other_data, other_client = world.kiosk("sc-02")
    other = Waiting(other_client, other_data, "sc-02", session=2)
    assert world.cli("help", "approve", str(other.sent()), "--staff", "li")[0] == 0
    assert other.result() is AssistedOutcome.APPROVED
    approved_for_other_kiosk = json.dumps(other_client.get_json(f"{HELP_REQUESTS_PATH}/{other.request_id}"))

    proxy = AnswerSwapProxy(world.url).start()
    try:
        _, via_proxy = world.kiosk("sc-01", via=proxy.url)
        wait = Waiting(via_proxy, data, "sc-01", session=2)
        path = f"{HELP_REQUESTS_PATH}/{wait.sent()}"
        proxy.swap[path] = approved_for_session_1  # genuine, signed, but for session 1
        while len(proxy.swapped) < 3:
            time.sleep(0.02)
        proxy.swap[path] = approved_for_other_kiosk.encode()  # genuine, signed, but for sc-02
        n = len(proxy.swapped)
        while len(proxy.swapped) < n + 3:
            time.sleep(0.02)
        assert not wait.done.is_set(), "the kiosk keeps waiting for its own decision"
        assert {"other-session", "other-kiosk"} <= set(wait.refusals())
        del proxy.swap[path]
        assert world.cli("help", "deny", str(wait.request_id), "--staff", "li")[0] == 0
        assert wait.result() is AssistedOutcome.DENIED, "then its own decision is acted on"
    finally:
        proxy.stop()


def test_a_kiosk_sees_and_withdraws_only_its_own_requests(world):
    data, client = world.kiosk("sc-01")
    _, stranger = world.kiosk("sc-02")
    wait = Waiting(client, data, "sc-01", session=3)
    rid = wait.sent()
    for call in (lambda: stranger.get_json(f"{HELP_REQUESTS_PATH}/{rid}"),
                 lambda: stranger.post_json(f"{HELP_REQUESTS_PATH}/{rid}/withdraw", {})):
        with pytest.raises(ServiceError, match="404"):
            call()
    wait.wanted = False  # the citizen left: the terminal withdraws the request
    assert wait.result() is None
    with Session(world.engine) as s:
        assert s.get(HelpRequestRow, rid).state == "withdrawn"
    code, out = world.cli("help", "approve", str(rid), "--staff", "li")
    assert code == 4 and "withdrawn" in out
    assert world.cli("help", "list", "--json", "--open")[1].strip() == "[]"


def test_bad_requests_are_refused_and_store_nothing(world):
    _, client = world.kiosk("sc-01")
    unmasked = {"kind": "assisted-verification", "session": 1, "challenge": "0" * 32,
                "masked_document": "330102198001011234", "reason": "declined"}
    with pytest.raises(ServiceError, match="422"):
        client.post_json(HELP_REQUESTS_PATH, unmasked)
    with Session(world.engine) as s:
        assert s.scalars(select(HelpRequestRow)).all() == []
    plain = client.post_json(HELP_REQUESTS_PATH, {"kind": "help", "state": "menu"})["id"]
    code, out = world.cli("help", "approve", str(plain), "--staff", "li")
    assert code == 4 and "not an assisted verification" in out
    assert world.cli("help", "deny", "999", "--staff", "li")[0] == 3
    code, out = world.cli("help", "approve", str(plain), "--staff", "li", "--valid-for", "3600")
    assert code == 2 and "validity" in out


def test_a_kiosk_without_the_pinned_key_does_not_call_staff_for_nothing(world, tmp_path):
    data, client = world.kiosk("sc-01")
    keys = json.loads((data / "district" / "keys.json").read_text())
    del keys[KEY_NAME]
    (data / "district" / "keys.json").write_text(json.dumps(keys))
    wait = Waiting(client, data, "sc-01", session=1)
    assert wait.result() is AssistedOutcome.UNAVAILABLE and wait.request_id is None
    assert wait.refusals() == ["no-pinned-key"]
    with Session(world.engine) as s:
        assert s.scalars(select(HelpRequestRow)).all() == []
