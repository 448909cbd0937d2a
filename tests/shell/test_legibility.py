"""Proven legibility: every screen, both languages, both modes, the three panels kiosks ship with.

For each rendered screen the audit (kiosk.ui.legibility) computes, from the widgets' palettes as the style sheets
set them, the WCAG contrast of every visible text against the colour it is drawn on, the physical size of every
touch target at the configured DPI, and whether any text is wider or taller than its widget or any widget lies
beyond the panel. Normal mode: >= 4.5:1 and >= 15 mm; elders' mode: >= 7:1 and >= 20 mm, type >= 1.5x the normal
size, at most six choices on a screen and no scrolling list.
"""

from __future__ import annotations

import pytest
from PySide6.QtGui import QFontInfo
from PySide6.QtWidgets import QAbstractScrollArea, QApplication, QPushButton, QWidget

from kiosk.ui.legibility import audit, describe, shown_text
from tests.shell.conftest import shell_config
from tests.shell.screen_walk import pose, screens

PANELS = ((1280, 800), (1920, 1080), (1080, 1920))
NORMAL = {"contrast": 4.5, "target_mm": 15.0}
ELDERS = {"contrast": 7.0, "target_mm": 20.0}


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


@pytest.mark.parametrize("elders", [False, True], ids=["normal", "elders"])
@pytest.mark.parametrize("language", ["zh_CN", "en"])
def test_every_screen_is_legible_on_every_panel(window, language, elders):
    config = window.terminal.config
    limits = ELDERS if elders else NORMAL
    body_px = QFontInfo(QApplication.font()).pixelSize()  # the normal mode's body text (22 pt)
    failures: list[str] = []
    walked = 0
    for width, height in PANELS:
        window.setFixedSize(width, height)
        for name, session in screens(language, elders):
            show(window, session)
            pose(window, name)  # the elders' menu's own steps
            where = f"{width}x{height} {name}"
            found = audit(window, config.ui.dpi, limits["contrast"], limits["target_mm"])
            failures += [f"{where}: {f}" for f in found]
            walked += 1
            if not elders:
                continue
            screen = window.stack.currentWidget()
            for w in window.findChildren(QWidget):
                if w.isVisible() and shown_text(w).strip() and QFontInfo(w.font()).pixelSize() < 1.5 * body_px - 1:
                    failures.append(f"{where}: small type {describe(w)} {shown_text(w)!r} "
                                    f"{QFontInfo(w.font()).pixelSize()} px < 1.5 x {body_px}")
            if name not in ("form-text", "reading-mrz"):  # typing screens: the keys are letters, not choices
                offered = choices_on(screen)
                if len(offered) > 6:
                    failures.append(f"{where}: {len(offered)} choices > 6: {offered}")
            if any(a.isVisible() for a in screen.findChildren(QAbstractScrollArea)):
                failures.append(f"{where}: a scrolling list")
    assert walked == len(PANELS) * len(screens(language, elders))
    assert not failures, f"{len(failures)} problems:\n" + "\n".join(failures[:60])


def test_the_audit_fails_what_it_should(window):
    """The same walk with the elders' limits on the normal mode must fail: white on the normal blue is 6.7:1
    (below 7) and its 15 mm buttons are below 20 mm. A check that cannot fail proves nothing."""
    window.setFixedSize(1280, 800)
    name, session = screens("zh_CN", elders=False)[9]
    assert name == "menu"
    show(window, session)
    found = audit(window, window.terminal.config.ui.dpi, 7.0, 20.0)
    kinds = {f.kind for f in found}
    assert {"contrast", "target"} <= kinds, found
    weak = [f for f in found if f.kind == "contrast"]
    assert any(6.5 < f.value < 7.0 for f in weak), weak  # #ffffff on #0b5cad is 6.7:1 by the WCAG formula
