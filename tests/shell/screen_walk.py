"""Every screen the shell can show, as sessions to render: each state with its variants (errors, retries,
forms with choices and with typed text), and the two dialogs (help, "are you still there?")."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from kiosk.core.identity import Identity
from kiosk.core.session import AssistedOutcome, Session, State

DEMO = json.loads((Path(__file__).resolve().parents[2] / "assets" / "demo" / "identity.json").read_text())
SI_ITEM = "si-contribution-record"
TEXT_ITEM = "hh-residence-permit-renew"  # a form with typed Chinese text


def demo_identity() -> Identity:
    return Identity(document_number=DEMO["document_number"], surname=DEMO["surname"],
                    given_names=DEMO["given_names"])


def screens(language: str, elders: bool, session_id: int = 900001) -> list[tuple[str, Session]]:
    """(name, session) for every screen and variant."""
    base = Session(session_id=session_id, language=language, elders=elders, speech=elders,
                   identity=demo_identity(), last_activity=0.0)

    def at(state: State, **changes) -> Session:
        return dataclasses.replace(base, state=state, **changes)

    return [
        ("attract", dataclasses.replace(base, session_id=0, identity=None)),
        ("attract-refused", dataclasses.replace(base, session_id=0, identity=None,
                                                message_key="error.card.rejected")),
        ("reading", at(State.READING_DOCUMENT, identity=None, busy=True)),
        ("reading-failed", at(State.READING_DOCUMENT, identity=None, message_key="error.card.removed",
                              can_retry=True)),
        ("reading-mrz", at(State.READING_DOCUMENT, identity=None, needs_access_key=True)),
        ("face", at(State.VERIFYING_FACE, busy=True)),
        ("face-retry", at(State.VERIFYING_FACE, message_key="face.mismatch", can_retry=True)),
        ("assisted-waiting", at(State.ASSISTED_VERIFICATION, assist_request_id=17, assist_deadline=None)),
        ("assisted-denied", at(State.ASSISTED_VERIFICATION, identity=None, assist_outcome=AssistedOutcome.DENIED,
                               message_key="assisted.denied")),
        ("menu", at(State.MENU)),
        *[(name, at(State.MENU)) for name in (MENU_STEPS if elders else ())],
        ("form", at(State.SERVICE_FORM, item_id=SI_ITEM, item_has_inputs=True)),
        ("form-invalid", at(State.SERVICE_FORM, item_id=SI_ITEM, item_has_inputs=True, invalid_field="months",
                            message_key="error.input.invalid")),
        ("form-text", at(State.SERVICE_FORM, item_id=TEXT_ITEM, item_has_inputs=True)),
        ("confirm", at(State.CONFIRM, item_id=SI_ITEM, item_has_inputs=True, inputs={"months": "36"})),
        ("printing", at(State.PRINTING, item_id=SI_ITEM, busy=True)),
        ("printing-failed", at(State.PRINTING, item_id=SI_ITEM, message_key="error.district.unavailable",
                               can_retry=True, can_queue=True)),
        ("done", at(State.DONE, item_id=SI_ITEM, tracking_number="SCTEST01-20261129-0001", transaction_id="t1")),
        ("done-rated", at(State.DONE, item_id=SI_ITEM, tracking_number="SCTEST01-20261129-0001",
                          transaction_id="t1", rating="good")),
        ("help", at(State.MENU, help_open=True)),
        ("still-there", at(State.SERVICE_FORM, item_id=SI_ITEM, item_has_inputs=True, warning_since=0.0)),
    ]


# The elders' menu's own steps (kiosk.ui.elders.finder), reached as a citizen would, from the demo catalog's data.
MENU_STEPS = ("menu-departments", "menu-departments-last", "menu-categories", "menu-services",
              "menu-services-last")


def pose(window, name: str) -> None:
    """After rendering screen `name`: take the elders' menu to its step (its first screen for "menu")."""
    from PySide6.QtWidgets import QApplication

    from kiosk.ui.elders.finder import Level, Place

    menu = window.elders.menu
    if window.stack.currentWidget() is not menu:
        return
    finder = menu.finder()
    home, departments = Place(), Place(Level.DEPARTMENTS)
    last = finder.screen(Place(Level.DEPARTMENTS, page=99)).place
    by_category = next(d for d in finder.departments if finder.needs_categories(d))
    longest = max(finder.departments.values(), key=lambda d: len(d.items) if len(d.categories) == 1 else 0)
    services = Place(Level.SERVICES, longest.name)
    trails = {
        "menu-departments": [home, departments],
        "menu-departments-last": [home, departments, last],
        "menu-categories": [home, departments, Place(Level.CATEGORIES, by_category)],
        "menu-services": [home, departments, services],
        "menu-services-last": [home, departments, services, Place(Level.SERVICES, longest.name, page=99)],
    }
    trail = trails.get(name, [home])
    menu.go_to(trail)
    assert (menu.place.level, menu.place.department) == (trail[-1].level, trail[-1].department), name
    QApplication.processEvents()
    window.layout().activate()
    QApplication.processEvents()
