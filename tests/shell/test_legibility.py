"""Proven legibility: every screen, both languages, both modes, the three panels kiosks ship with.

For each rendered screen the audit (kiosk.ui.legibility) computes, from the widgets' palettes as the style sheets
set them, the WCAG contrast of every visible text against the colour it is drawn on, the physical size of every
touch target at the configured DPI, and whether any text is wider or taller than its widget or any widget lies
beyond the panel. Normal mode: >= 4.5:1 and >= 15 mm; elders' mode: >= 7:1 and >= 20 mm, type >= 1.5x the normal
size, at most six choices on a screen and no scrolling list.

Besides the rendered sessions, the walk drives the terminal like a citizen to a form with a text field and types a
pinyin syllable on the touch keyboard, so the keyboard is audited with its row of Chinese candidates showing.
"""

from __future__ import annotations

import pytest
from PySide6.QtGui import QFontInfo
from PySide6.QtWidgets import QAbstractScrollArea, QApplication, QPushButton, QWidget

from kiosk.core.session import EldersModeChosen, ItemChosen, LanguageChosen, State
from kiosk.ui.legibility import audit, describe, shown_text
from kiosk.ui.widgets import TouchKeyboard
from tests.shell.conftest import shell_config
from tests.shell.drive import find, tap
from tests.shell.screen_walk import TEXT_ITEM, pose, screens

PANELS = ((1280, 800), (1920, 1080), (1080, 1920))
NORMAL = {"contrast": 4.5, "target_mm": 15.0}
ELDERS = {"contrast": 7.0, "target_mm": 20.0}
TYPING = ("form-text", "form-text-candidates", "reading-mrz")  # typing screens: the keys are letters, not choices
SYLLABLE = "HANG"  # 杭, as in 杭州: a syllable with a full row of candidates


def show(window, session) -> None:
    window.render(session)
    QApplication.processEvents()
    window.layout().activate()  # texts changed: lay out now, not at some later event
    QApplication.processEvents()


def choices_on(screen: QWidget) -> list[str]:
    """The choices a screen offers (the keyboard's keys are typing, not choices)."""
    return [shown_text(b) or describe(b) for b in screen.findChildren(QPushButton)
            if b.isVisibleTo(screen) and b.objectName() != "key" and not b.objectName().startswith("candidate")]


@pytest.fixture()
def window(open_shell, tmp_path, district):
    w = open_shell(shell_config(tmp_path / "kiosk", district.url))
    w._ticker.stop()  # the walk renders sessions itself: no tick may render the terminal's own in between
    w._status_timer.stop()
    return w


def problems(window, name: str, elders: bool, body_px: int) -> list[str]:
    """What the audit finds on the screen shown now, and in the elders' mode its own rules."""
    limits = ELDERS if elders else NORMAL
    where = f"{window.width()}x{window.height()} {name}"
    found = [f"{where}: {f}" for f in audit(window, window.terminal.config.ui.dpi, limits["contrast"],
                                             limits["target_mm"])]
    if not elders:
        return found
    screen = window.stack.currentWidget()
    for w in window.findChildren(QWidget):
        if w.isVisible() and shown_text(w).strip() and QFontInfo(w.font()).pixelSize() < 1.5 * body_px - 1:
            found.append(f"{where}: small type {describe(w)} {shown_text(w)!r} "
                         f"{QFontInfo(w.font()).pixelSize()} px < 1.5 x {body_px}")
    if name not in TYPING:
        offered = choices_on(screen)
        if len(offered) > 6:
            found.append(f"{where}: {len(offered)} choices > 6: {offered}")
    if any(a.isVisible() for a in screen.findChildren(QAbstractScrollArea)):
        found.append(f"{where}: a scrolling list")
    return found


def open_text_form(qtbot, window, language: str, elders: bool) -> TouchKeyboard:
    """The terminal itself (not a rendered session) at a form whose first field is typed in Chinese: the keys
    typed next are a citizen's touches, which the terminal sees (each counts as activity and renders again)."""
    terminal = window.terminal
    terminal.dispatch(LanguageChosen(language))
    terminal.dispatch(EldersModeChosen(elders))
    tap(qtbot, window, "start")
    # the menu on screen, as a citizen sees it before choosing: a choice made while the face check's worker
    # thread still has the menu's render queued would have that stale render land over the form
    qtbot.waitUntil(lambda: terminal.session.state is State.MENU and window.stack.currentWidget() is (
        window.elders.screen_for(terminal.session) or window.screens[State.MENU]), timeout=15000)
    terminal.dispatch(ItemChosen(TEXT_ITEM, True))
    qtbot.waitUntil(lambda: terminal.session.state is State.SERVICE_FORM and window.stack.currentWidget()
                    .findChildren(TouchKeyboard)[0].isVisible(), timeout=15000)
    keyboard = window.stack.currentWidget().findChildren(TouchKeyboard)[0]
    assert keyboard.chinese, "a text field opens the keyboard in pinyin"
    return keyboard


def type_syllable(qtbot, window, keyboard: TouchKeyboard) -> None:
    for key in SYLLABLE:
        tap(qtbot, window, f"key-{key}")
    show_laid_out(window)
    assert find(window, "candidate-0").isVisible() and keyboard.isVisible()


def erase_syllable(qtbot, window) -> None:
    for _ in SYLLABLE:
        tap(qtbot, window, "key-⌫")


def show_laid_out(window) -> None:
    QApplication.processEvents()
    window.layout().activate()
    QApplication.processEvents()


@pytest.mark.parametrize("elders", [False, True], ids=["normal", "elders"])
@pytest.mark.parametrize("language", ["zh_CN", "en"])
def test_every_screen_is_legible_on_every_panel(qtbot, window, language, elders):
    body_px = QFontInfo(QApplication.font()).pixelSize()  # the normal mode's body text (22 pt)
    failures: list[str] = []
    walked = 0
    for width, height in PANELS:
        window.setFixedSize(width, height)
        for name, session in screens(language, elders):
            show(window, session)
            pose(window, name)  # the elders' menu's own steps
            failures += problems(window, name, elders, body_px)
            walked += 1
    assert walked == len(PANELS) * len(screens(language, elders))
    # the touch keyboard with the pinyin candidates showing, typed like a citizen on each panel
    keyboard = open_text_form(qtbot, window, language, elders)
    for width, height in PANELS:
        window.setFixedSize(width, height)
        show_laid_out(window)
        type_syllable(qtbot, window, keyboard)
        failures += problems(window, "form-text-candidates", elders, body_px)
        erase_syllable(qtbot, window)
    assert not failures, f"{len(failures)} problems:\n" + "\n".join(failures[:60])


def test_the_audit_fails_what_it_should(window):
    """The same walk with the elders' limits on the normal mode must fail: white on the normal blue is 6.7:1
    (below 7) and its 15 mm buttons are below 20 mm; and keys pushed beyond the panel must be seen. A check that
    cannot fail proves nothing."""
    window.setFixedSize(1280, 800)
    name, session = screens("zh_CN", elders=False)[9]
    assert name == "menu"
    show(window, session)
    found = audit(window, window.terminal.config.ui.dpi, 7.0, 20.0)
    kinds = {f.kind for f in found}
    assert {"contrast", "target"} <= kinds, found
    weak = [f for f in found if f.kind == "contrast"]
    assert any(6.5 < f.value < 7.0 for f in weak), weak  # #ffffff on #0b5cad is 6.7:1 by the WCAG formula
    # A fifth row of keys' height on the touch keyboard (where the pinyin candidates used to go, above the four
    # rows of keys) does not fit a 1280x800 form: the audit must name the bottom row's keys as cut off.
    name, session = screens("zh_CN", elders=False)[12]
    assert name == "form-text"
    show(window, session)
    assert not audit(window, window.terminal.config.ui.dpi, NORMAL["contrast"], NORMAL["target_mm"])
    keyboard = window.stack.currentWidget().findChildren(TouchKeyboard)[0]
    row = QWidget()
    row.setFixedHeight(find(window, "key-Q").height() + keyboard.layout().spacing())
    keyboard.layout().insertWidget(0, row)
    show_laid_out(window)
    found = audit(window, window.terminal.config.ui.dpi, NORMAL["contrast"], NORMAL["target_mm"])
    cut = {f.widget for f in found if f.kind == "cut off"}
    assert {"QPushButton[key-Z]", "QPushButton[key-␣]"} <= cut, found
