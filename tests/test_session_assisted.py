"""Assisted verification in the session state machine: staff verify the citizen when the camera cannot.

Two ways in (declined at the start, the last face attempt failed or no camera), one way on (a checked approval
to the menu), and kind ways out (denied, expired, unavailable, the countdown ran out, cancel), all wiping.
"""

from __future__ import annotations

import pytest

from kiosk.core.face_decision import FaceDecision, FaceOutcome
from kiosk.core.session import (
    Activity,
    AssistedDecided,
    AssistedOutcome,
    AssistedRequestSent,
    AssistedVerificationChosen,
    CallStaff,
    Cancel,
    DocumentRead,
    EndReason,
    FaceDecided,
    HelpRequested,
    ItemChosen,
    RequestAssistedVerification,
    Retry,
    Rules,
    SessionEnded,
    Speak,
    Start,
    State,
    Tick,
    VerifyFace,
)
from tests.test_session import Driver, identity

RULES = Rules(inactivity_s=60, warning_s=15, done_return_s=20, max_face_attempts=3, assisted_wait_s=300)


def declined(d: Driver):
    """Start, read the document, then press "No face check" while the face check runs."""
    d.send(Start())
    ident = identity()
    d.send(DocumentRead(ident, d.s.session_id))
    assert d.s.state is State.VERIFYING_FACE and d.s.busy
    d.send(AssistedVerificationChosen(), dt=2)
    return ident


def test_declining_the_face_check_asks_staff_with_the_masked_number_only():
    d = Driver(RULES)
    declined(d)
    assert d.s.state is State.ASSISTED_VERIFICATION and d.s.busy and d.s.staff_called
    request, = d.of(RequestAssistedVerification)
    assert request.session_id == d.s.session_id and request.reason == "declined"
    assert request.masked_document == "330***********1234"  # contract.privacy's mask of 330102198001011234
    assert not any(isinstance(f, (bytes, bytearray)) for f in vars(request).values()), "no photo, no template"
    assert Speak("assisted_waiting") in d.effects, "the waiting sentence is spoken like the others"
    assert d.s.assist_deadline == d.now + RULES.assisted_wait_s


def test_last_failed_attempt_goes_to_staff_and_camera_failure_at_once():
    d = Driver(RULES)
    d.send(Start())
    d.send(DocumentRead(identity(), d.s.session_id))
    d.send(FaceDecided(FaceDecision(FaceOutcome.MISMATCH, 0.7), d.s.session_id))
    assert d.s.state is State.VERIFYING_FACE and d.s.can_retry and not d.of(RequestAssistedVerification)
    d.send(Retry())
    d.send(FaceDecided(FaceDecision(FaceOutcome.NO_FACE), d.s.session_id))
    d.send(Retry())
    d.send(FaceDecided(FaceDecision(FaceOutcome.LIVENESS_FAILED), d.s.session_id))
    assert d.s.state is State.ASSISTED_VERIFICATION
    assert [r.reason for r in d.of(RequestAssistedVerification)] == ["face-failed"]
    assert len(d.of(VerifyFace)) == 3

    cam = Driver(RULES)
    cam.send(Start())
    cam.send(DocumentRead(identity(), cam.s.session_id))
    cam.send(FaceDecided(FaceDecision(FaceOutcome.CAMERA_UNAVAILABLE), cam.s.session_id))
    assert cam.s.state is State.ASSISTED_VERIFICATION
    assert [r.reason for r in cam.of(RequestAssistedVerification)] == ["camera-unavailable"]


def test_approval_continues_to_the_menu_as_verified():
    d = Driver(RULES)
    ident = declined(d)
    d.send(AssistedRequestSent(17, d.s.session_id))
    assert d.s.assist_request_id == 17 and d.s.state is State.ASSISTED_VERIFICATION
    d.send(AssistedDecided(AssistedOutcome.APPROVED, d.s.session_id), dt=40)
    assert d.s.state is State.MENU and d.s.verified_by_staff and d.s.identity is ident
    assert d.s.identity_verified() and d.s.face is None, "verified by staff, not by a face match"
    assert d.effects[-1] == Speak("choose_service")
    d.send(ItemChosen("x", has_inputs=False))
    assert d.s.state is State.CONFIRM


@pytest.mark.parametrize("outcome", [AssistedOutcome.DENIED, AssistedOutcome.EXPIRED, AssistedOutcome.UNAVAILABLE])
def test_no_approval_says_so_kindly_wipes_at_once_and_ends(outcome):
    d = Driver(RULES)
    ident = declined(d)
    d.send(AssistedDecided(outcome, d.s.session_id), dt=10)
    assert d.s.state is State.ASSISTED_VERIFICATION and d.s.assist_outcome is outcome
    assert d.s.message_key == f"assisted.{outcome.value}" and not d.s.busy
    assert d.effects[-1] == Speak(f"assisted_{outcome.value}")
    assert d.s.identity is None and ident.document_number == "" and ident.photo == b"", "wiped before the end"
    assert not d.of(SessionEnded)
    d.send(AssistedDecided(AssistedOutcome.APPROVED, d.s.session_id))
    assert d.s.state is State.ASSISTED_VERIFICATION, "nothing reopens a closed verification"
    d.send(Tick(), dt=RULES.done_return_s - 1)
    assert not d.of(SessionEnded)
    d.send(Tick(), dt=1.5)
    assert d.s.state is State.ATTRACT and d.of(SessionEnded)[-1].reason is EndReason.REJECTED


def test_finish_ends_the_closed_verification_at_once():
    d = Driver(RULES)
    declined(d)
    d.send(AssistedDecided(AssistedOutcome.DENIED, d.s.session_id))
    d.send(Cancel())
    assert d.s.state is State.ATTRACT and d.of(SessionEnded)[-1].reason is EndReason.REJECTED


def test_the_countdown_runs_out_without_a_still_there_warning():
    d = Driver(RULES)
    ident = declined(d)
    d.send(Tick(), dt=RULES.inactivity_s + RULES.warning_s + 1)
    assert d.s.state is State.ASSISTED_VERIFICATION and d.s.warning_since is None, "waiting for staff is not idling"
    d.send(Tick(), dt=RULES.assisted_wait_s - RULES.inactivity_s - RULES.warning_s - 2)
    assert d.s.assist_outcome is None
    d.send(Tick(), dt=1.5)
    assert d.s.assist_outcome is AssistedOutcome.EXPIRED and d.s.message_key == "assisted.expired"
    assert ident.document_number == ""
    d.send(Tick(), dt=RULES.done_return_s + 0.1)
    assert d.s.state is State.ATTRACT and d.of(SessionEnded)[-1].reason is EndReason.REJECTED


def test_cancel_while_waiting_ends_and_wipes():
    d = Driver(RULES)
    ident = declined(d)
    d.send(Cancel())
    assert d.s.state is State.ATTRACT and d.of(SessionEnded)[-1].reason is EndReason.CANCELLED
    assert ident.document_number == ""


def test_results_for_another_session_or_late_face_results_change_nothing():
    d = Driver(RULES)
    declined(d)
    sid = d.s.session_id
    before = d.s
    d.send(AssistedDecided(AssistedOutcome.APPROVED, sid + 1000))
    d.send(AssistedRequestSent(5, sid - 1))
    assert d.s is before, "an approval for another session is dropped"
    d.send(FaceDecided(FaceDecision(FaceOutcome.MATCH, 0.2), sid))  # the declined check finishing late
    assert d.s.state is State.ASSISTED_VERIFICATION and not d.s.verified_by_staff and d.s.face is None


def test_declining_needs_a_read_document_and_is_only_on_the_face_step():
    d = Driver(RULES)
    d.send(Start())
    d.send(AssistedVerificationChosen())
    assert d.s.state is State.READING_DOCUMENT and not d.of(RequestAssistedVerification)


def test_help_and_activity_while_waiting_keep_waiting():
    d = Driver(RULES)
    declined(d)
    d.send(Activity())
    d.send(Retry())
    assert d.s.state is State.ASSISTED_VERIFICATION and d.s.assist_outcome is None
    d.send(Retry())
    assert not d.of(VerifyFace)[1:], "no face attempt restarts once staff are asked"
    d.send(HelpRequested())
    assert d.s.help_open and d.of(CallStaff)[-1].state is State.ASSISTED_VERIFICATION
