"""The elders' mode (长辈版) in the real window: one tap to switch, reset with the session, few taps to a
certificate, nothing lost to confusion (walking away, double taps, tapping while the terminal speaks)."""

from __future__ import annotations

import time

from PySide6.QtCore import QProcess
from sqlalchemy import create_engine, text

from kiosk.core.session import State
from tests.shell.conftest import shell_config
from tests.shell.drive import find, tap, visible_texts


def wait_state(qtbot, window, state: State, timeout_ms: int = 15000) -> None:
    """Like drive.wait_state, for either mode: the elders' mode has its own menu and form screens."""
    def shown() -> bool:
        session = window.terminal.session
        return session.state is state and window.stack.currentWidget() is (
            window.elders.screen_for(session) or window.screens[state])
    qtbot.waitUntil(shown, timeout=timeout_ms)

SI_ITEM = "si-contribution-record"


class Taps:
    """Counts the citizen's taps."""

    def __init__(self, qtbot, window) -> None:
        self.qtbot, self.window, self.count = qtbot, window, 0

    def __call__(self, testid: str) -> None:
        tap(self.qtbot, self.window, testid)
        self.count += 1


def transactions(tmp_path) -> list:
    engine = create_engine(f"sqlite:///{tmp_path / 'kiosk' / 'kiosk.db'}")
    with engine.connect() as c:
        return c.execute(text("select id, status from transactions")).all()


def verified(qtbot, window, elders: bool) -> Taps:
    """From Attract to 'document read and face verified' (the menu); the taps are counted from there."""
    taps = Taps(qtbot, window)
    if elders:
        taps("elders-switch")
        assert taps.count == 1 and window.terminal.session.elders, "the elders' switch is one tap"
    tap(qtbot, window, "start")
    wait_state(qtbot, window, State.MENU)
    assert window.terminal.session.identity_verified()
    taps.count = 0
    return taps


def test_elders_switch_is_one_tap_applies_everywhere_and_ends_with_the_session(qtbot, shell):
    window = shell
    taps = Taps(qtbot, window)
    taps("elders-switch")
    session = window.terminal.session
    assert taps.count == 1 and session.elders and session.speech  # speech is on by default in the elders' mode
    assert window.styleSheet(), "the elders' style sheet is applied"
    tap(qtbot, window, "start")
    wait_state(qtbot, window, State.MENU)
    assert window.stack.currentWidget() is window.elders.menu
    assert find(window, "steps").text()  # the step indicator
    tap(qtbot, window, "volume-up")
    assert window.terminal.session.volume == 1
    # it can be switched off (and on again) from any later screen
    tap(qtbot, window, "elders-toggle")
    assert not window.terminal.session.elders and window.stack.currentWidget() is window.screens[State.MENU]
    tap(qtbot, window, "elders-toggle")
    assert window.terminal.session.elders
    tap(qtbot, window, "cancel")
    wait_state(qtbot, window, State.ATTRACT)
    session = window.terminal.session
    assert (session.elders, session.speech, session.volume) == (False, False, 0), "reset for the next citizen"
    assert window.styleSheet() == ""


def test_tap_counts_to_the_social_insurance_certificate(qtbot, shell, tmp_path):
    """From 'document read and face verified' to 'certificate printed': <= 3 taps (elders'), <= 4 (normal)."""
    window = shell
    counts = {}
    for elders in (True, False):
        taps = verified(qtbot, window, elders)
        if elders:
            first = window.elders.menu.buttons[0]
            assert first.property("testid") == f"elders-item-{SI_ITEM}", "the certificate is the first button"
            taps(f"elders-item-{SI_ITEM}")
        else:
            taps(f"item-{SI_ITEM}")
        wait_state(qtbot, window, State.SERVICE_FORM)
        taps("next")  # months: 36 already chosen
        wait_state(qtbot, window, State.CONFIRM)
        taps("confirm")
        wait_state(qtbot, window, State.DONE, timeout_ms=30000)
        counts[elders] = taps.count
        tap(qtbot, window, "finish")
        wait_state(qtbot, window, State.ATTRACT)
    printed = sorted((tmp_path / "kiosk" / "printed").glob("*certificate*.pdf"))
    assert len(printed) == 2, printed  # one certificate per journey, really printed
    assert counts[True] <= 3 and counts[False] <= 4, counts


def test_walking_away_mid_form_is_asked_then_wiped(qtbot, tmp_path, district, open_shell):
    config = shell_config(tmp_path / "kiosk", district.url, session={"inactivity_s": 1.0, "warning_s": 1.0})
    window = open_shell(config)
    terminal = window.terminal
    verified(qtbot, window, elders=True)
    tap(qtbot, window, f"elders-item-{SI_ITEM}")
    wait_state(qtbot, window, State.SERVICE_FORM)
    tap(qtbot, window, "elders-choice-months-12")
    identity = terminal.session.identity
    started = time.monotonic()
    qtbot.waitUntil(lambda: window.still_there.isVisible(), timeout=8000)
    asked_after = time.monotonic() - started
    assert asked_after >= 1.9, "elders' timeouts are doubled (inactivity 1 s -> 2 s)"
    assert "Do you need more time" in window.still_text.text() or "更多时间" in window.still_text.text()
    assert terminal.session.state is State.SERVICE_FORM, "asked first: the screen has not changed"
    wait_state(qtbot, window, State.ATTRACT, timeout_ms=8000)  # nobody answered (2 x 1 s)
    assert identity is not None and identity.document_number == "" and identity.photo == b""
    assert terminal.session.identity is None and terminal.session.inputs == {} and not terminal.session.elders
    assert window.elders.form._values == {} and window.elders.form._fields == []  # the form forgot the choice


def test_more_time_keeps_the_form(qtbot, tmp_path, district, open_shell):
    config = shell_config(tmp_path / "kiosk", district.url, session={"inactivity_s": 1.0, "warning_s": 1.0})
    window = open_shell(config)
    verified(qtbot, window, elders=True)
    tap(qtbot, window, f"elders-item-{SI_ITEM}")
    wait_state(qtbot, window, State.SERVICE_FORM)
    tap(qtbot, window, "elders-choice-months-12")
    qtbot.waitUntil(lambda: window.still_there.isVisible(), timeout=8000)
    tap(qtbot, window, "still-here")  # "Yes, I need more time"
    qtbot.waitUntil(lambda: not window.still_there.isVisible(), timeout=2000)
    assert window.terminal.session.state is State.SERVICE_FORM
    assert find(window, "elders-choice-months-12").isChecked(), "the citizen's choice is still there"


def test_a_double_tap_never_submits_twice(qtbot, shell, tmp_path):
    window = shell
    verified(qtbot, window, elders=True)
    tap(qtbot, window, f"elders-item-{SI_ITEM}")
    wait_state(qtbot, window, State.SERVICE_FORM)
    tap(qtbot, window, "next")
    wait_state(qtbot, window, State.CONFIRM)
    confirm = find(window, "confirm")
    confirm.click()  # two taps in the same instant, before anything is redrawn
    confirm.click()
    wait_state(qtbot, window, State.DONE, timeout_ms=30000)
    time.sleep(0.5)
    assert len(transactions(tmp_path)) == 1
    assert len(list((tmp_path / "kiosk" / "printed").glob("*certificate*.pdf"))) == 1


def test_a_tap_during_speech_answers_at_once_and_silences_it(qtbot, tmp_path, district, open_shell):
    """Speech runs in its own process (espeak-ng, discarded here); a tap acts at once and kills it."""
    config = shell_config(tmp_path / "kiosk", district.url, elders={"speech_sink": "null"})
    window = open_shell(config)
    speaker = window.elders.speaker
    if not speaker.available:
        import pytest
        pytest.skip("espeak-ng is not installed")
    verified(qtbot, window, elders=True)
    # the menu is being read out, its services too
    qtbot.waitUntil(lambda: speaker.speaking and "社会保险" in speaker.last_text, timeout=5000)
    speaking = speaker._proc
    ended: list = []
    speaking.finished.connect(lambda _code, status: ended.append(status))
    started = time.monotonic()
    tap(qtbot, window, f"elders-item-{SI_ITEM}")
    answered = time.monotonic() - started
    assert window.terminal.session.state is State.SERVICE_FORM, "the tap was answered, not queued behind speech"
    assert answered < 1.0, answered  # generous: the point is that nothing waited for the sentence to end
    # the old sentence's process was killed (not left talking over the new screen), the new screen is spoken
    qtbot.waitUntil(lambda: bool(ended), timeout=2000)
    assert ended == [QProcess.ExitStatus.CrashExit], "killed, not left to finish its sentence"
    qtbot.waitUntil(lambda: "月" in speaker.last_text, timeout=5000)


def test_every_screen_speaks_and_repeat_repeats(qtbot, tmp_path, district, open_shell):
    config = shell_config(tmp_path / "kiosk", district.url, elders={"speech_sink": "null"})
    window = open_shell(config)
    speaker = window.elders.speaker
    if not speaker.available:
        import pytest
        pytest.skip("espeak-ng is not installed")
    heard: list[str] = []
    speaker.started.connect(lambda _t: heard.append(speaker.last_text))
    tap(qtbot, window, "elders-switch")
    qtbot.waitUntil(lambda: len(heard) >= 1, timeout=5000)
    assert "身份证件" in heard[-1]  # the Attract screen: place your document on the reader
    tap(qtbot, window, "start")
    wait_state(qtbot, window, State.MENU)
    qtbot.waitUntil(lambda: "第2步" in heard[-1], timeout=5000)  # the step, then the menu
    spoken = len(heard)
    tap(qtbot, window, "repeat")
    qtbot.waitUntil(lambda: len(heard) > spoken, timeout=5000)
    assert heard[-1] == heard[spoken - 1], "repeat says the same screen again"
    tap(qtbot, window, "elders-others")  # the departments: a new screen, spoken
    qtbot.waitUntil(lambda: "部门" in heard[-1] and "第1页" in heard[-1], timeout=5000)
    tap(qtbot, window, "elders-next")  # a new page is a new screen: spoken
    qtbot.waitUntil(lambda: "第2页" in heard[-1], timeout=5000)
    assert "长辈版" in " ".join(visible_texts(window))


def test_the_face_checks_head_turn_prompts_are_spoken(qtbot, tmp_path, district, open_shell):
    config = shell_config(tmp_path / "kiosk", district.url, elders={"speech_sink": "null"},
                          simulated={"face_delay_s": 2.0})
    window = open_shell(config)
    speaker = window.elders.speaker
    if not speaker.available:
        import pytest
        pytest.skip("espeak-ng is not installed")
    heard: list[str] = []
    speaker.started.connect(lambda _t: heard.append(speaker.last_text))
    tap(qtbot, window, "elders-switch")
    tap(qtbot, window, "start")
    wait_state(qtbot, window, State.MENU, timeout_ms=20000)
    # the simulated challenge asks to turn left, then right (kiosk.devices.face.simulated.STEPS)
    assert any("向左" in h for h in heard), heard
    assert any("向右" in h for h in heard), heard


def test_a_citizen_at_work_is_never_asked(qtbot, tmp_path, district, open_shell):
    """Taps that change nothing in the session (a month, a page) still count: no "more time?" while working."""
    from kiosk.ui.elders.finder import Level

    config = shell_config(tmp_path / "kiosk", district.url, session={"inactivity_s": 1.0, "warning_s": 1.0})
    window = open_shell(config)
    verified(qtbot, window, elders=True)
    end = time.monotonic() + 4.0  # twice the elders' inactivity time (2 x 1 s)
    while time.monotonic() < end:
        tap(qtbot, window, "elders-others" if window.elders.menu.place.level is Level.HOME else "elders-back")
        qtbot.wait(500)
        assert not window.still_there.isVisible()
    assert window.terminal.session.state is State.MENU


def test_a_syllable_left_unpicked_is_kept_when_the_citizen_taps_next(qtbot, shell):
    from kiosk.core.session import ItemChosen
    from kiosk.ui.widgets import TouchKeyboard
    from tests.shell.screen_walk import TEXT_ITEM

    window = shell
    verified(qtbot, window, elders=True)
    window.terminal.dispatch(ItemChosen(TEXT_ITEM, True))
    wait_state(qtbot, window, State.SERVICE_FORM)
    form = window.elders.form
    keyboard = form.findChildren(TouchKeyboard)[0]
    qtbot.waitUntil(lambda: keyboard.isVisible() and keyboard.chinese, timeout=5000)
    question = form.question
    for key in "HANG":
        tap(qtbot, window, f"key-{key}")
    tap(qtbot, window, "next")  # no candidate picked: the letters are the answer, as an input method does
    key = form._fields[question].key
    assert form._values[key].endswith("hang"), form._values
