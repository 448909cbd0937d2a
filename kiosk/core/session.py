"""The citizen session as an explicit state machine.

    Attract → ReadingDocument → VerifyingFace → Menu → ServiceForm → Confirm → Printing → Done → Attract
                                      ↓ ↑ (approved)
                             AssistedVerification (staff check the document instead of the camera)

`step(session, event, now)` is a plain function: it returns the next session and the effects to carry out
(read the card, run the service, print, wipe...). It does no I/O, so every transition is unit-tested without Qt
or devices; `kiosk.terminal.terminal.Terminal` carries out the effects and feeds their outcomes back as events.

Cancel and Help work from every state; an inactivity timer runs in every state but Attract ("Are you still
there?" then the end of the session); and every way out of a session goes through `_end()`, which wipes the
holder's data.
"""

from __future__ import annotations

import dataclasses
import itertools
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from contract.privacy import mask_name
from kiosk.config import FaceConfig, SessionConfig
from kiosk.core.face_decision import FaceDecision, FaceOutcome
from kiosk.core.identity import AccessKey, Identity, PassiveAuth


class State(str, Enum):
    ATTRACT = "attract"
    READING_DOCUMENT = "reading_document"
    VERIFYING_FACE = "verifying_face"
    ASSISTED_VERIFICATION = "assisted_verification"  # waiting for staff to verify the citizen in person
    MENU = "menu"
    SERVICE_FORM = "service_form"
    CONFIRM = "confirm"
    PRINTING = "printing"
    DONE = "done"


class EndReason(str, Enum):
    DONE = "done"
    CANCELLED = "cancelled"
    TIMEOUT = "timeout"
    REJECTED = "rejected"  # document or face refused: staff help offered


# ---- events (inputs) -------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Start:
    """The citizen touched Start or tapped a card on the Attract screen."""


@dataclass(frozen=True)
class AccessKeyEntered:
    access_key: AccessKey


@dataclass(frozen=True)
class DocumentRead:
    identity: Identity
    session_id: int


@dataclass(frozen=True)
class DocumentFailed:
    message_key: str
    retryable: bool
    session_id: int
    needs_access_key: bool = False  # the chip refused the key: ask for the MRZ again
    refused: bool = False  # read, but the passive-authentication policy refused the document: the session ends


@dataclass(frozen=True)
class FaceDecided:
    decision: FaceDecision
    session_id: int


@dataclass(frozen=True)
class AssistedVerificationChosen:
    """The citizen declined the face check ("Verify with staff instead" on the face screen)."""


@dataclass(frozen=True)
class AssistedRequestSent:
    """The district's staff queue has the request; staff can find it by this number."""

    request_id: int
    session_id: int


class AssistedOutcome(str, Enum):
    APPROVED = "approved"  # a genuine, bound, unexpired approval: continue to the menu
    DENIED = "denied"
    EXPIRED = "expired"  # the approval arrived after it expired
    UNAVAILABLE = "unavailable"  # the request could not be sent, or the terminal cannot check decisions


@dataclass(frozen=True)
class AssistedDecided:
    outcome: AssistedOutcome
    session_id: int


@dataclass(frozen=True)
class ItemChosen:
    item_id: str
    has_inputs: bool


@dataclass(frozen=True)
class FormSubmitted:
    inputs: dict[str, str]


@dataclass(frozen=True)
class FormInvalid:
    field_key: str
    message_key: str


@dataclass(frozen=True)
class Confirmed:
    queue_if_offline: bool = False


@dataclass(frozen=True)
class ServiceFailed:
    message_key: str
    session_id: int
    can_queue: bool = False  # the district is down and the item accepts queued requests


@dataclass(frozen=True)
class Printed:
    tracking_number: str
    transaction_id: str
    documents: int
    queued: bool
    session_id: int


@dataclass(frozen=True)
class PrintFailed:
    message_key: str
    session_id: int
    tracking_number: str = ""
    transaction_id: str = ""


@dataclass(frozen=True)
class Retry:
    """Try the failed step again (read, face, print)."""


@dataclass(frozen=True)
class Back:
    """Go back one screen (form → menu, confirm → form or menu)."""


@dataclass(frozen=True)
class Rated:
    rating: str  # good | bad


@dataclass(frozen=True)
class Reprint:
    pass


@dataclass(frozen=True)
class Cancel:
    pass


@dataclass(frozen=True)
class HelpRequested:
    pass


@dataclass(frozen=True)
class HelpClosed:
    pass


@dataclass(frozen=True)
class LanguageChosen:
    language: str


@dataclass(frozen=True)
class EldersModeChosen:
    """The 长辈版 switch: large type, fewer choices, doubled timeouts; speech follows the switch."""

    on: bool


@dataclass(frozen=True)
class SpeechChosen:
    """Speak every screen (on) or only the short guidance sentences (off)."""

    on: bool


@dataclass(frozen=True)
class VolumeChanged:
    """One step louder (+1) or quieter (-1) for this session."""

    delta: int


@dataclass(frozen=True)
class Activity:
    """Any touch: resets the inactivity timer and dismisses "Are you still there?"."""


@dataclass(frozen=True)
class Tick:
    """Time passed (the shell sends one about every second)."""


Event = (Start | AccessKeyEntered | DocumentRead | DocumentFailed | FaceDecided | AssistedVerificationChosen
         | AssistedRequestSent | AssistedDecided | ItemChosen | FormSubmitted | FormInvalid | Confirmed | ServiceFailed
         | Printed | PrintFailed | Retry | Back | Rated | Reprint | Cancel
         | HelpRequested | HelpClosed | LanguageChosen | EldersModeChosen | SpeechChosen | VolumeChanged | Activity
         | Tick)


# ---- effects (outputs) -----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ReadDocument:
    session_id: int
    access_key: AccessKey | None


@dataclass(frozen=True)
class ScanMrz:
    """Look for the printed MRZ under the camera while the citizen may also type it."""

    session_id: int


@dataclass(frozen=True)
class VerifyFace:
    session_id: int
    photo: bytes  # the chip photo; the verifier encodes it first


@dataclass(frozen=True)
class RequestAssistedVerification:
    """Ask the district's staff to verify the citizen in person, then wait for their signed decision.

    Stops any face check still running. Carries no biometric data; the document number only masked.
    """

    session_id: int
    masked_document: str
    reason: str  # declined | face-failed | camera-unavailable (contract.assisted_verification.AssistedReason)


@dataclass(frozen=True)
class RunService:
    session_id: int
    item_id: str
    inputs: dict[str, str]
    queue_if_offline: bool


@dataclass(frozen=True)
class RetryPrint:
    session_id: int


@dataclass(frozen=True)
class ReprintLast:
    session_id: int


@dataclass(frozen=True)
class RecordRating:
    transaction_id: str
    rating: str


@dataclass(frozen=True)
class CallStaff:
    session_id: int
    state: State


@dataclass(frozen=True)
class Speak:
    key: str  # a guidance sentence key, spoken in the session's language


@dataclass(frozen=True)
class SessionEnded:
    session_id: int
    reason: EndReason


Effect = (ReadDocument | ScanMrz | VerifyFace | RequestAssistedVerification | RunService | RetryPrint | ReprintLast
          | RecordRating | CallStaff | Speak | SessionEnded)


# ---- the session -----------------------------------------------------------------------------------------------

_ids = itertools.count(1)

ELDERS_TIMEOUT_FACTOR = 2.0  # every timeout of the elders' mode is this much longer (WCAG 2.2.1: adjustable)
VOLUME_STEPS = 3


@dataclass
class Session:
    """Everything the terminal knows about the citizen in front of it. Wiped by `_end()`."""

    state: State = State.ATTRACT
    session_id: int = 0
    language: str = "zh_CN"
    identity: Identity | None = None
    needs_access_key: bool = False
    access_key: AccessKey | None = None
    face: FaceDecision | None = None
    face_attempts: int = 0
    verified_by_staff: bool = False  # staff approved this session instead of the face check
    assist_request_id: int | None = None  # the staff queue's number for this citizen's request
    assist_deadline: float | None = None  # monotonic time the waiting for staff ends
    assist_outcome: AssistedOutcome | None = None  # set once the wait is over without an approval
    item_id: str | None = None
    item_has_inputs: bool = False
    inputs: dict[str, str] = field(default_factory=dict)
    invalid_field: str | None = None
    message_key: str | None = None  # a kind sentence to show (error or notice), translated by the UI
    can_retry: bool = False
    can_queue: bool = False
    staff_called: bool = False
    help_open: bool = False
    busy: bool = False  # a device or the district is working: the UI shows progress
    tracking_number: str = ""
    transaction_id: str = ""
    queued: bool = False
    rating: str | None = None
    last_activity: float = 0.0
    warning_since: float | None = None
    entered_at: float = 0.0
    # the citizen's accessibility choices: they belong to this citizen and go with the session
    elders: bool = False
    speech: bool = False
    volume: int = 0  # steps away from the configured volume, within +-VOLUME_STEPS

    def identity_verified(self) -> bool:
        """True when the face check matched or staff verified the holder in person."""
        return self.verified_by_staff or (self.face is not None and self.face.outcome is FaceOutcome.MATCH)

    def greeting_name(self) -> str:
        """The holder's name masked for the screen ('张**'; DG11's Chinese name over the MRZ's pinyin), or ''."""
        return mask_name(self.identity.display_name) if self.identity else ""


@dataclass(frozen=True)
class Rules:
    """The timing and retry rules `step` applies, taken from the configuration."""

    inactivity_s: float = 60.0
    warning_s: float = 15.0
    done_return_s: float = 20.0
    max_face_attempts: int = 3
    assisted_wait_s: float = 300.0  # how long the citizen waits for staff before the session ends kindly
    block_invalid_document: bool = True
    block_unknown_issuer: bool = True
    default_language: str = "zh_CN"
    reader_needs_access_key: bool = False

    @classmethod
    def from_config(cls, session: SessionConfig, face: FaceConfig, block_invalid: bool, block_unknown: bool,
                    language: str, reader_needs_access_key: bool) -> Rules:
        """Rules built from the `[session]`, `[face]` and `[document]` configuration sections."""
        return cls(inactivity_s=session.inactivity_s, warning_s=session.warning_s,
                   done_return_s=session.done_return_s, max_face_attempts=face.max_attempts,
                   assisted_wait_s=session.assisted_wait_s,
                   block_invalid_document=block_invalid, block_unknown_issuer=block_unknown,
                   default_language=language, reader_needs_access_key=reader_needs_access_key)


def refuses(rules: Rules, passive_auth: PassiveAuth) -> bool:
    """Whether the passive-authentication policy refuses a document with this outcome (the session ends)."""
    return (passive_auth is PassiveAuth.INVALID and rules.block_invalid_document) or (
        passive_auth is PassiveAuth.UNKNOWN_ISSUER and rules.block_unknown_issuer)


def new_session(rules: Rules, now: float) -> Session:
    """A fresh Attract session in the default language."""
    return Session(language=rules.default_language, last_activity=now, entered_at=now)


def step(session: Session, event: Any, now: float, rules: Rules) -> tuple[Session, list[Effect]]:
    """Apply `event` at monotonic time `now`; return the next session and the effects to carry out.

    The input session is never modified (except the wipe of its Identity when the session ends, which is the
    point of ending it), so callers can compare before and after.
    """
    s = dataclasses.replace(session, inputs=dict(session.inputs))

    # Results of work started by an earlier session (a read finishing after Cancel) are dropped.
    sid = getattr(event, "session_id", None)
    if sid is not None and sid != s.session_id:
        return session, []

    if isinstance(event, Tick):
        return _tick(s, now, rules)
    if not isinstance(event, (DocumentRead, DocumentFailed, FaceDecided, AssistedRequestSent, AssistedDecided,
                              ServiceFailed, Printed, PrintFailed)):
        s.last_activity = now  # a touch by the citizen
        s.warning_since = None
    else:
        s.last_activity = now  # the terminal made progress: the citizen is still waiting for it

    if isinstance(event, Activity):
        return s, []
    if isinstance(event, LanguageChosen):
        s.language = event.language if event.language in ("zh_CN", "en") else s.language
        return s, []
    if isinstance(event, EldersModeChosen):
        s.elders = s.speech = bool(event.on)  # speech is on by default in the elders' mode
        return s, []
    if isinstance(event, SpeechChosen):
        s.speech = bool(event.on)
        return s, []
    if isinstance(event, VolumeChanged):
        s.volume = max(-VOLUME_STEPS, min(VOLUME_STEPS, s.volume + (1 if event.delta > 0 else -1)))
        return s, []
    if isinstance(event, HelpRequested):
        s.help_open = True
        return s, [CallStaff(s.session_id, s.state)] if s.state is not State.ATTRACT else []
    if isinstance(event, HelpClosed):
        s.help_open = False
        return s, []
    if isinstance(event, Cancel):
        if s.state is State.ATTRACT:
            return s, []
        if s.state is State.DONE:
            return _end(s, EndReason.DONE, now, rules)
        return _end(s, EndReason.REJECTED if s.assist_outcome is not None else EndReason.CANCELLED, now, rules)

    handler = _HANDLERS.get(s.state)
    if handler is None:
        return session, []
    return handler(s, event, now, rules)


def _enter(s: Session, state: State, now: float) -> None:
    s.state = state
    s.entered_at = now
    s.message_key = None
    s.can_retry = False
    s.can_queue = False
    s.busy = False
    s.help_open = False


def _end(s: Session, reason: EndReason, now: float, rules: Rules) -> tuple[Session, list[Effect]]:
    if s.identity is not None:
        s.identity.wipe()
    ended = s.session_id
    fresh = new_session(rules, now)
    return fresh, [SessionEnded(ended, reason)]


def _refuse_document(s: Session, now: float, rules: Rules,
                     message_key: str = "error.card.rejected") -> tuple[Session, list[Effect]]:
    """A document the passive-authentication policy refuses ends the session: nothing of it goes further (no
    face check against its photo), staff are called, and the Attract screen tells the citizen why, in their
    language, until `done_return_s` has passed or the next session starts."""
    refused_id, language = s.session_id, s.language
    fresh, effects = _end(s, EndReason.REJECTED, now, rules)
    fresh.message_key = message_key  # the refusal's own sentence (e.g. a chip that is not genuine)
    fresh.language = language
    return fresh, [Speak("document_refused"), CallStaff(refused_id, State.READING_DOCUMENT), *effects]


def timeout_factor(s: Session) -> float:
    """How much longer this citizen's timeouts run (the elders' mode doubles them)."""
    return ELDERS_TIMEOUT_FACTOR if s.elders else 1.0


def _tick(s: Session, now: float, rules: Rules) -> tuple[Session, list[Effect]]:
    factor = timeout_factor(s)
    if s.state is State.ATTRACT:
        if s.message_key is not None and now - s.entered_at >= rules.done_return_s:
            s.message_key = None  # the refused citizen's notice does not greet the next one
            s.language = rules.default_language
        if (s.elders or s.speech or s.volume) and now - s.last_activity >= rules.inactivity_s:
            s.elders, s.speech, s.volume = False, False, 0  # chosen, then nobody started: the next citizen
        return s, []
    # in the elders' mode a touch on the Done screen restarts its timer ("more time" must give more time)
    done_since = max(s.entered_at, s.last_activity) if s.elders else s.entered_at
    if s.state is State.DONE and now - done_since >= rules.done_return_s * factor and s.warning_since is None:
        if not s.elders:
            return _end(s, EndReason.DONE, now, rules)
        # the elders' mode never changes the screen unasked: "Do you need more time?" first
        s.warning_since = now
        return s, [Speak("more_time")]
    if s.state is State.ASSISTED_VERIFICATION:
        return _assisted_tick(s, now, rules)
    if s.warning_since is not None:
        if now - s.warning_since >= rules.warning_s * factor:
            return _end(s, EndReason.DONE if s.state is State.DONE else EndReason.TIMEOUT, now, rules)
        return s, []
    if now - s.last_activity >= rules.inactivity_s * factor:
        s.warning_since = now
        return s, [Speak("more_time" if s.elders else "still_there")]
    return s, []


def _attract(s: Session, event: Any, now: float, rules: Rules) -> tuple[Session, list[Effect]]:
    if not isinstance(event, Start):
        return s, []
    s.session_id = next(_ids)
    _enter(s, State.READING_DOCUMENT, now)
    if rules.reader_needs_access_key:
        s.needs_access_key = True
        return s, [Speak("enter_access_key"), ScanMrz(s.session_id)]
    s.busy = True
    return s, [Speak("tap_card"), ReadDocument(s.session_id, None)]


def _reading(s: Session, event: Any, now: float, rules: Rules) -> tuple[Session, list[Effect]]:
    if isinstance(event, AccessKeyEntered):
        s.access_key = event.access_key
        s.needs_access_key = False
        s.message_key = None
        s.busy = True
        return s, [Speak("tap_card"), ReadDocument(s.session_id, event.access_key)]
    if isinstance(event, Retry) and s.can_retry:
        s.message_key = None
        s.can_retry = False
        if s.needs_access_key:
            return s, []
        s.busy = True
        return s, [ReadDocument(s.session_id, s.access_key)]
    if isinstance(event, DocumentFailed):
        if event.refused:
            return _refuse_document(s, now, rules, event.message_key or "error.card.rejected")
        s.busy = False
        s.message_key = event.message_key
        s.can_retry = event.retryable or event.needs_access_key
        if event.needs_access_key:
            s.needs_access_key = True
            s.access_key = None
            return s, [Speak("document_failed"), ScanMrz(s.session_id)]
        return s, [Speak("document_failed")]
    if isinstance(event, DocumentRead):
        if refuses(rules, event.identity.passive_auth):
            event.identity.wipe()
            return _refuse_document(s, now, rules)
        s.identity = event.identity
        s.access_key = None  # BAC key material is not needed past the read
        _enter(s, State.VERIFYING_FACE, now)
        s.busy = True
        s.face_attempts = 1
        return s, [Speak("look_at_camera"), VerifyFace(s.session_id, event.identity.photo)]
    return s, []


def _verifying(s: Session, event: Any, now: float, rules: Rules) -> tuple[Session, list[Effect]]:
    if isinstance(event, FaceDecided):
        s.busy = False
        s.face = event.decision
        outcome = event.decision.outcome
        if outcome is FaceOutcome.MATCH:
            _enter(s, State.MENU, now)
            return s, [Speak("choose_service")]
        if outcome is FaceOutcome.CANCELLED:
            return s, []
        s.message_key = f"face.{outcome.value}"
        if s.face_attempts < rules.max_face_attempts and outcome is not FaceOutcome.CAMERA_UNAVAILABLE:
            s.can_retry = True
            return s, [Speak("face_retry")]
        # The last attempt failed (or there is no camera): staff verify the citizen in person instead.
        return _start_assisted(s, "camera-unavailable" if outcome is FaceOutcome.CAMERA_UNAVAILABLE
                               else "face-failed", now, rules)
    if isinstance(event, AssistedVerificationChosen) and s.identity is not None:
        return _start_assisted(s, "declined", now, rules)
    if isinstance(event, Retry) and s.can_retry and s.identity is not None:
        s.face_attempts += 1
        s.message_key = None
        s.can_retry = False
        s.busy = True
        return s, [VerifyFace(s.session_id, s.identity.photo)]
    return s, []


def _start_assisted(s: Session, reason: str, now: float, rules: Rules) -> tuple[Session, list[Effect]]:
    assert s.identity is not None
    _enter(s, State.ASSISTED_VERIFICATION, now)
    s.staff_called = True
    s.busy = True
    s.assist_request_id = None
    s.assist_outcome = None
    s.assist_deadline = now + rules.assisted_wait_s
    return s, [Speak("assisted_waiting"),
               RequestAssistedVerification(s.session_id, s.identity.masked_document_number, reason)]


def _assisted(s: Session, event: Any, now: float, rules: Rules) -> tuple[Session, list[Effect]]:
    if s.assist_outcome is not None:  # the closing sentence is shown: only Cancel (Finish) or the timer end it
        return s, []
    if isinstance(event, AssistedRequestSent):
        s.assist_request_id = event.request_id
        return s, []
    if isinstance(event, AssistedDecided):
        if event.outcome is AssistedOutcome.APPROVED:
            s.verified_by_staff = True
            s.assist_deadline = None
            _enter(s, State.MENU, now)
            return s, [Speak("choose_service")]
        return _close_assisted(s, event.outcome, now)
    return s, []


def _assisted_tick(s: Session, now: float, rules: Rules) -> tuple[Session, list[Effect]]:
    """No inactivity warning here: the citizen is waiting for staff, not for themselves."""
    if s.assist_outcome is not None:
        if now - s.entered_at >= rules.done_return_s * timeout_factor(s):
            return _end(s, EndReason.REJECTED, now, rules)
        return s, []
    if s.assist_deadline is not None and now >= s.assist_deadline:
        return _close_assisted(s, AssistedOutcome.EXPIRED, now)
    return s, []


def _close_assisted(s: Session, outcome: AssistedOutcome, now: float) -> tuple[Session, list[Effect]]:
    """No approval: say so kindly, and wipe the holder's data now rather than when the sentence goes away."""
    if s.identity is not None:
        s.identity.wipe()
        s.identity = None
    s.assist_outcome = outcome
    s.assist_deadline = None
    s.busy = False
    s.entered_at = now  # the closing sentence stays for `done_return_s`
    s.warning_since = None
    s.message_key = f"assisted.{outcome.value}"
    return s, [Speak(f"assisted_{outcome.value}")]


def _menu(s: Session, event: Any, now: float, rules: Rules) -> tuple[Session, list[Effect]]:
    if isinstance(event, ItemChosen):
        s.item_id = event.item_id
        s.item_has_inputs = event.has_inputs
        s.inputs = {}
        _enter(s, State.SERVICE_FORM if event.has_inputs else State.CONFIRM, now)
        return s, []
    return s, []


def _form(s: Session, event: Any, now: float, rules: Rules) -> tuple[Session, list[Effect]]:
    if isinstance(event, FormSubmitted):
        s.inputs = dict(event.inputs)
        s.invalid_field = None
        _enter(s, State.CONFIRM, now)
        return s, []
    if isinstance(event, FormInvalid):
        s.invalid_field = event.field_key
        s.message_key = event.message_key
        return s, []
    if isinstance(event, Back):
        s.item_id = None
        s.inputs = {}
        s.invalid_field = None
        _enter(s, State.MENU, now)
        return s, []
    return s, []


def _confirm(s: Session, event: Any, now: float, rules: Rules) -> tuple[Session, list[Effect]]:
    if isinstance(event, Confirmed):
        _enter(s, State.PRINTING, now)
        s.busy = True
        assert s.item_id is not None
        return s, [Speak("printing"), RunService(s.session_id, s.item_id, dict(s.inputs), event.queue_if_offline)]
    if isinstance(event, Back):
        _enter(s, State.SERVICE_FORM if s.item_has_inputs else State.MENU, now)
        if not s.item_has_inputs:
            s.item_id = None
        return s, []
    return s, []


def _printing(s: Session, event: Any, now: float, rules: Rules) -> tuple[Session, list[Effect]]:
    if isinstance(event, Printed):
        _enter(s, State.DONE, now)
        s.tracking_number = event.tracking_number
        s.transaction_id = event.transaction_id
        s.queued = event.queued
        return s, [Speak("done_queued" if event.queued else "done")]
    if isinstance(event, ServiceFailed):
        s.busy = False
        s.message_key = event.message_key
        s.can_queue = event.can_queue
        s.can_retry = True
        return s, [Speak("service_failed")]
    if isinstance(event, PrintFailed):
        s.busy = False
        s.message_key = event.message_key
        s.tracking_number = event.tracking_number or s.tracking_number
        s.transaction_id = event.transaction_id or s.transaction_id
        s.can_retry = True
        return s, [Speak("print_failed")]
    if isinstance(event, Retry) and s.can_retry and s.item_id is not None:
        s.message_key = None
        s.can_retry = False
        s.busy = True
        if s.transaction_id:  # the transaction is recorded: only the printing is repeated
            return s, [RetryPrint(s.session_id)]
        return s, [RunService(s.session_id, s.item_id, dict(s.inputs), False)]
    if isinstance(event, Confirmed) and s.can_queue and s.item_id is not None:
        s.message_key = None
        s.can_queue = False
        s.can_retry = False
        s.busy = True
        return s, [RunService(s.session_id, s.item_id, dict(s.inputs), True)]
    if isinstance(event, Back) and not s.busy:
        s.item_id = None
        s.inputs = {}
        _enter(s, State.MENU, now)
        return s, []
    return s, []


def _done(s: Session, event: Any, now: float, rules: Rules) -> tuple[Session, list[Effect]]:
    if isinstance(event, Rated) and event.rating in ("good", "bad") and s.rating is None and s.transaction_id:
        s.rating = event.rating
        return s, [RecordRating(s.transaction_id, event.rating), Speak("thanks")]
    if isinstance(event, Reprint):
        return s, [ReprintLast(s.session_id)]
    if isinstance(event, Back):  # "another service" keeps the verified identity
        s.item_id = None
        s.inputs = {}
        s.tracking_number = ""
        s.transaction_id = ""
        s.queued = False
        s.rating = None
        _enter(s, State.MENU, now)
        return s, []
    return s, []


_HANDLERS = {
    State.ATTRACT: _attract,
    State.READING_DOCUMENT: _reading,
    State.VERIFYING_FACE: _verifying,
    State.ASSISTED_VERIFICATION: _assisted,
    State.MENU: _menu,
    State.SERVICE_FORM: _form,
    State.CONFIRM: _confirm,
    State.PRINTING: _printing,
    State.DONE: _done,
}
