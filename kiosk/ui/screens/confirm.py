"""Confirm: what will be done and printed, in plain words; one big button to go ahead."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout

from kiosk.core.session import Back, Confirmed, Session
from kiosk.ui.screens.base import Screen
from kiosk.ui.text import tr
from kiosk.ui.widgets import button, label


class ConfirmScreen(Screen):
    def __init__(self, terminal) -> None:
        super().__init__(terminal)
        self.title = label("", "title")
        self.summary = label("", "subtitle")
        self.back = button("", self.send(Back()), "", "back")
        self.go = button("", self.send(Confirmed()), "primary", "confirm")
        self.go.setMinimumHeight(120)
        nav = QHBoxLayout()
        nav.addWidget(self.back)
        nav.addStretch(1)
        nav.addWidget(self.go, 2)
        self.layout_.addWidget(self.title)
        self.layout_.addWidget(self.summary)
        self.layout_.addStretch(1)
        self.layout_.addLayout(nav)

    def render(self, session: Session) -> None:
        menu = self.terminal.menu()
        item = menu.catalog.get(session.item_id or "")
        en = session.language == "en"
        self.title.setText(tr("Please confirm"))
        lines = [(item.title_en if en else item.title_zh) if item else ""]
        fields = {f.key: f for f in menu.inputs(item.id)} if item else {}
        for key, value in session.inputs.items():
            f = fields.get(key)
            if f is None:
                continue
            shown = next(((c[2] if en else c[1]) for c in f.choices if c[0] == value), value)
            lines.append(f"{f.label_en if en else f.label_zh}: {shown}")
        lines.append(tr("Your document and a receipt will be printed."))
        self.summary.setText("\n".join(lines))
        self.back.setText(tr("Back"))
        self.go.setText(tr("Confirm and print"))
