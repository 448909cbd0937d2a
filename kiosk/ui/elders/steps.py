"""The step indicator ("第2步，共4步"): where the citizen is in the four steps every service takes."""

from __future__ import annotations

from kiosk.core.session import State

TOTAL = 4
_STEP = {
    State.READING_DOCUMENT: 1, State.VERIFYING_FACE: 1, State.ASSISTED_VERIFICATION: 1,
    State.MENU: 2,
    State.SERVICE_FORM: 3, State.CONFIRM: 3,
    State.PRINTING: 4, State.DONE: 4,
}
_NAMES = {1: "Check your identity", 2: "Choose a service", 3: "Check the details", 4: "Take your document"}


def step_of(state: State) -> int | None:
    """The step (1-4) of a session state; None on the Attract screen, which is before the first step."""
    return _STEP.get(state)


def step_name(step: int) -> str:
    """The untranslated name of a step (the shell passes it through tr())."""
    return _NAMES[step]
