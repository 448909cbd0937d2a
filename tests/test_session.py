"""The citizen session state machine, without Qt and without devices."""

from __future__ import annotations

import pytest

from kiosk.core.face_decision import FaceDecision, FaceOutcome
from kiosk.core.identity import AccessKey, Identity, PassiveAuth
from kiosk.core.session import (
    AccessKeyEntered,
    Activity,
    Back,
    CallStaff,
    Cancel,
    Confirmed,
    DocumentFailed,
    DocumentRead,
    EndReason,
    FaceDecided,
    FormSubmitted,
    HelpClosed,
    HelpRequested,
    ItemChosen,
    LanguageChosen,
    Printed,
    PrintFailed,
    Rated,
    ReadDocument,
    RecordRating,
    RequestAssistedVerification,
    Retry,
    RetryPrint,
    Rules,
    RunService,
    ServiceFailed,
    SessionEnded,
    Start,
    State,
    Tick,
    VerifyFace,
    new_session,
    step,
)

RULES = Rules(inactivity_s=60, warning_s=15, done_return_s=20, max_face_attempts=3)


def identity(pa: PassiveAuth = PassiveAuth.VALID) -> Identity:
    return Identity(document_number="330102198001011234", surname="张", given_names="三丰", photo=b"\xff\xd8jpeg",
                    photo_format="jpeg", passive_auth=pa)


class Driver:
    """Feeds events with a controllable clock and remembers the effects."""

    def __init__(self, rules: Rules = RULES) -> None:
        self.rules = rules
        self.now = 1000.0
        self.s = new_session(rules, self.now)
        self.effects: list = []

    def send(self, event, dt: float = 0.0):
        self.now += dt
        self.s, fx = step(self.s, event, self.now, self.rules)
        self.effects.extend(fx)
        return fx

    def of(self, kind):
        return [e for e in self.effects if isinstance(e, kind)]


def to_menu(d: Driver) -> Identity:
    d.send(Start())
    ident = identity()
    d.send(DocumentRead(ident, d.s.session_id))
    d.send(FaceDecided(FaceDecision(FaceOutcome.MATCH, 0.3, 0.45, "passed"), d.s.session_id))
    assert d.s.state is State.MENU
    return ident


def test_happy_path_visits_every_state_in_order():
    d = Driver()
    assert d.s.state is State.ATTRACT
    d.send(Start())
    assert d.s.state is State.READING_DOCUMENT and d.s.busy
    assert d.of(ReadDocument)[0].access_key is None
    ident = identity()
    d.send(DocumentRead(ident, d.s.session_id))
    assert d.s.state is State.VERIFYING_FACE
    assert d.of(VerifyFace)[0].photo == ident.photo
    d.send(FaceDecided(FaceDecision(FaceOutcome.MATCH, 0.3), d.s.session_id))
    assert d.s.state is State.MENU
    assert d.s.greeting_name() == "张**"
    d.send(ItemChosen("si-contribution-record", has_inputs=True))
    assert d.s.state is State.SERVICE_FORM
    d.send(FormSubmitted({"months": "36"}))
    assert d.s.state is State.CONFIRM
    d.send(Confirmed())
    assert d.s.state is State.PRINTING
    assert d.of(RunService)[0].inputs == {"months": "36"}
    d.send(Printed("SC01-000001", "tx-1", 2, False, d.s.session_id))
    assert d.s.state is State.DONE and d.s.tracking_number == "SC01-000001"
    d.send(Rated("good"))
    assert d.of(RecordRating) == [RecordRating("tx-1", "good")]
    d.send(Rated("bad"))  # one rating per transaction
    assert len(d.of(RecordRating)) == 1
    d.send(Cancel())
    assert d.s.state is State.ATTRACT
    assert d.of(SessionEnded)[-1].reason is EndReason.DONE
    assert ident.document_number == "" and ident.photo == b"" and ident.surname == ""
    assert d.s.identity is None and d.s.inputs == {} and d.s.tracking_number == ""


def test_item_without_inputs_goes_straight_to_confirm_and_back_to_menu():
    d = Driver()
    to_menu(d)
    d.send(ItemChosen("x", has_inputs=False))
    assert d.s.state is State.CONFIRM
    d.send(Back())
    assert d.s.state is State.MENU and d.s.item_id is None


@pytest.mark.parametrize("state_path", ["reading", "face", "menu", "form", "confirm", "printing", "done"])
def test_cancel_from_every_state_ends_and_wipes(state_path):
    d = Driver()
    d.send(Start())
    ident = identity()
    if state_path != "reading":
        d.send(DocumentRead(ident, d.s.session_id))
    if state_path not in ("reading", "face"):
        d.send(FaceDecided(FaceDecision(FaceOutcome.MATCH, 0.3), d.s.session_id))
    if state_path in ("form", "confirm", "printing", "done"):
        d.send(ItemChosen("i", has_inputs=True))
    if state_path in ("confirm", "printing", "done"):
        d.send(FormSubmitted({"a": "1"}))
    if state_path in ("printing", "done"):
        d.send(Confirmed())
    if state_path == "done":
        d.send(Printed("T", "tx", 1, False, d.s.session_id))
    d.send(Cancel())
    assert d.s.state is State.ATTRACT
    assert d.s.identity is None and d.s.inputs == {} and d.s.item_id is None
    if state_path != "reading":
        assert ident.document_number == "" and ident.photo == b""


# AssistedVerification has no inactivity warning (the citizen waits for staff): its own countdown is tested in
# tests/test_session_assisted.py.
@pytest.mark.parametrize("target", [s for s in State if s is not State.ASSISTED_VERIFICATION])
def test_inactivity_timeout_in_every_state_returns_to_attract_and_wipes(target):
    d = Driver()
    ident = identity()
    route = [Start(), "read", "face", ItemChosen("i", True), FormSubmitted({"a": "1"}), Confirmed(), "printed"]
    for ev in route:
        if d.s.state is target:
            break
        if ev == "read":
            ev = DocumentRead(ident, d.s.session_id)
        elif ev == "face":
            ev = FaceDecided(FaceDecision(FaceOutcome.MATCH, 0.3), d.s.session_id)
        elif ev == "printed":
            ev = Printed("T", "tx", 1, False, d.s.session_id)
        d.send(ev)
    assert d.s.state is target
    if target is State.ATTRACT:
        d.send(Tick(), dt=10_000)
        assert d.s.state is State.ATTRACT and not d.of(SessionEnded)
        return
    if target is State.DONE:
        d.send(Tick(), dt=RULES.done_return_s + 0.1)
        assert d.s.state is State.ATTRACT
        assert d.of(SessionEnded)[-1].reason is EndReason.DONE
        return
    d.send(Tick(), dt=RULES.inactivity_s - 1)
    assert d.s.state is target and d.s.warning_since is None
    d.send(Tick(), dt=1.5)
    assert d.s.warning_since is not None, "Are you still there? must show"
    d.send(Tick(), dt=RULES.warning_s + 0.1)
    assert d.s.state is State.ATTRACT
    assert d.of(SessionEnded)[-1].reason is EndReason.TIMEOUT
    assert d.s.identity is None
    if target not in (State.READING_DOCUMENT,):
        assert ident.document_number == ""


def test_still_there_touch_keeps_the_session():
    d = Driver()
    to_menu(d)
    d.send(Tick(), dt=61)
    assert d.s.warning_since is not None
    d.send(Activity(), dt=5)
    assert d.s.warning_since is None and d.s.state is State.MENU
    d.send(Tick(), dt=30)
    assert d.s.state is State.MENU


def test_late_result_of_a_cancelled_session_is_dropped():
    d = Driver()
    d.send(Start())
    old = d.s.session_id
    d.send(Cancel())
    d.send(Start())
    late = identity()
    d.send(DocumentRead(late, old))
    assert d.s.state is State.READING_DOCUMENT and d.s.identity is None


def test_document_failure_offers_retry_and_retries_read():
    d = Driver()
    d.send(Start())
    d.send(DocumentFailed("error.card.removed", True, d.s.session_id))
    assert d.s.message_key == "error.card.removed" and d.s.can_retry and not d.s.busy
    d.send(Retry())
    assert len(d.of(ReadDocument)) == 2 and d.s.busy


def test_access_key_flow_for_bac_readers():
    d = Driver(Rules(reader_needs_access_key=True))
    d.send(Start())
    assert d.s.needs_access_key and not d.of(ReadDocument)
    key = AccessKey("L898902C3", "740812", "120415")
    d.send(AccessKeyEntered(key))
    assert d.of(ReadDocument)[0].access_key == key
    d.send(DocumentFailed("error.card.wrong_access_key", False, d.s.session_id, needs_access_key=True))
    assert d.s.needs_access_key and d.s.access_key is None
    d.send(Retry())
    assert len(d.of(ReadDocument)) == 1, "a wrong key is not retried without a new key (no retry storm)"


@pytest.mark.parametrize("pa,blocked", [(PassiveAuth.INVALID, True), (PassiveAuth.UNKNOWN_ISSUER, True),
                                        (PassiveAuth.VALID, False), (PassiveAuth.NOT_CHECKED, False)])
def test_passive_auth_policy_by_default(pa, blocked):
    """By default a chip of an unknown issuer (a homemade CSCA) is refused like an altered one (issue 17.1)."""
    d = Driver()
    d.send(Start())
    refused = d.s.session_id
    ident = identity(pa)
    d.send(DocumentRead(ident, d.s.session_id))
    if blocked:
        # the session ended: wiped, no face check against the chip's photo, staff called, a kind sentence shown
        assert d.s.state is State.ATTRACT and d.s.identity is None and d.s.message_key == "error.card.rejected"
        assert ident.document_number == "" and ident.photo == b""
        assert d.of(SessionEnded) == [SessionEnded(refused, EndReason.REJECTED)]
        assert d.of(CallStaff) and not d.of(VerifyFace)
    else:
        assert d.s.state is State.VERIFYING_FACE and d.of(VerifyFace)


def test_demo_rules_may_let_unknown_issuers_through():
    d = Driver(Rules(block_unknown_issuer=False))
    d.send(Start())
    d.send(DocumentRead(identity(PassiveAuth.UNKNOWN_ISSUER), d.s.session_id))
    assert d.s.state is State.VERIFYING_FACE


def test_document_refused_by_the_reader_ends_the_session_too():
    d = Driver(Rules(reader_needs_access_key=True))
    d.send(Start())
    refused = d.s.session_id
    d.send(AccessKeyEntered(AccessKey("L898902C3", "740812", "350415")))
    d.send(DocumentFailed("error.card.rejected", False, refused, refused=True))
    assert d.s.state is State.ATTRACT and d.s.message_key == "error.card.rejected" and not d.s.needs_access_key
    assert d.of(SessionEnded) == [SessionEnded(refused, EndReason.REJECTED)] and d.of(CallStaff)


def test_refusal_notice_speaks_the_citizens_language_then_clears():
    d = Driver()
    d.send(Start())
    d.send(LanguageChosen("en"))
    d.send(DocumentRead(identity(PassiveAuth.UNKNOWN_ISSUER), d.s.session_id))
    assert d.s.language == "en" and d.s.message_key == "error.card.rejected"
    d.send(Tick(), dt=RULES.done_return_s - 1)
    assert d.s.message_key == "error.card.rejected"
    d.send(Tick(), dt=1)
    assert d.s.message_key is None and d.s.language == RULES.default_language
    d.send(Start())  # the next citizen starts clean
    assert d.s.state is State.READING_DOCUMENT and d.s.message_key is None


def test_face_attempts_are_limited_then_staff_is_called():
    d = Driver()
    d.send(Start())
    d.send(DocumentRead(identity(), d.s.session_id))
    for attempt in range(1, 4):
        d.send(FaceDecided(FaceDecision(FaceOutcome.MISMATCH, 0.7), d.s.session_id))
        if attempt < 3:
            assert d.s.can_retry
            d.send(Retry())
    assert len(d.of(VerifyFace)) == 3
    # staff are called to verify the citizen in person (tests/test_session_assisted.py follows that path)
    assert not d.s.can_retry and d.s.staff_called
    assert d.s.state is State.ASSISTED_VERIFICATION
    assert [e.reason for e in d.of(RequestAssistedVerification)] == ["face-failed"]


def test_district_down_offers_queue_then_queues():
    d = Driver()
    to_menu(d)
    d.send(ItemChosen("i", False))
    d.send(Confirmed())
    d.send(ServiceFailed("error.district.unavailable", d.s.session_id, can_queue=True))
    assert d.s.can_queue and d.s.message_key
    d.send(Confirmed())
    assert d.of(RunService)[-1].queue_if_offline is True


def test_print_failure_retries_print_only_once_recorded():
    d = Driver()
    to_menu(d)
    d.send(ItemChosen("i", False))
    d.send(Confirmed())
    d.send(PrintFailed("error.printer.paper", d.s.session_id, "T-1", "tx-1"))
    assert d.s.can_retry and d.s.transaction_id == "tx-1"
    d.send(Retry())
    assert d.of(RetryPrint) and len(d.of(RunService)) == 1


def test_help_and_language_from_any_state():
    d = Driver()
    to_menu(d)
    d.send(HelpRequested())
    assert d.s.help_open and d.of(CallStaff)
    d.send(HelpClosed())
    assert not d.s.help_open
    d.send(LanguageChosen("en"))
    assert d.s.language == "en"
    d.send(Cancel())
    assert d.s.language == RULES.default_language
