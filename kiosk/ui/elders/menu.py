"""The elders' menu: a few big buttons per page, most used first (the social-insurance certificate leads), and
Previous/Next instead of a scrolling list: at most six choices on a screen."""

from __future__ import annotations

from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QSizePolicy

from contract.catalog.model import CatalogItem
from kiosk.core.session import ItemChosen, Session
from kiosk.ui.screens.base import Screen
from kiosk.ui.text import tr
from kiosk.ui.widgets import WrapButton, button, label


class EldersMenuScreen(Screen):
    def __init__(self, terminal, page_size: int) -> None:
        super().__init__(terminal)
        self.page_size = max(1, min(4, page_size))  # four services + Previous + Next: six choices at most
        self.page = 0
        self._session_id = -1
        self._language = ""
        self.greeting = label("", "title")
        self.where = label("", "hint")
        self.grid = QGridLayout()
        self.grid.setSpacing(16)
        self.buttons: list[WrapButton] = []
        for n in range(self.page_size):
            b = WrapButton("", lambda n=n: self._choose(n), "item", f"elders-item-{n}")
            b.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Expanding)
            self.buttons.append(b)
            self.grid.addWidget(b, n // 2, n % 2)
        self.previous = button("", lambda: self._turn(-1), "", "elders-previous")
        self.next = button("", lambda: self._turn(1), "", "elders-next")
        nav = QHBoxLayout()
        nav.addWidget(self.previous)
        nav.addStretch(1)
        nav.addWidget(self.next)
        self.layout_.addWidget(self.greeting)
        self.layout_.addWidget(self.where)
        self.layout_.addLayout(self.grid, 1)
        self.layout_.addLayout(nav)
        self._shown: list[CatalogItem] = []

    def items(self) -> list[CatalogItem]:
        return self.terminal.menu().catalog.enabled_items()  # most used first

    def pages(self) -> int:
        return max(1, -(-len(self.items()) // self.page_size))

    def render(self, session: Session) -> None:
        if session.session_id != self._session_id:
            self._session_id = session.session_id
            self.page = 0  # each citizen starts on the first page
        self._language = session.language
        name = session.greeting_name()
        self.greeting.setText(tr("Hello, %1. What do you need?").replace("%1", name) if name
                              else tr("What do you need?"))
        self._fill()

    def _fill(self) -> None:
        items = self.items()
        self.page = max(0, min(self.page, self.pages() - 1))
        self._shown = items[self.page * self.page_size:(self.page + 1) * self.page_size]
        en = self._language == "en"
        for n, b in enumerate(self.buttons):
            if n < len(self._shown):
                item = self._shown[n]
                b.setText(item.title_en if en else item.title_zh)
                b.setProperty("testid", f"elders-item-{item.id}")
                b.show()
            else:
                b.hide()
        self.where.setText(tr("Page %1 of %2. Touch the service you need.")
                           .replace("%1", str(self.page + 1)).replace("%2", str(self.pages())))
        self.previous.setText(tr("Previous page"))
        self.next.setText(tr("More services"))
        self.previous.setVisible(self.page > 0)
        self.next.setVisible(self.page < self.pages() - 1)

    def _turn(self, delta: int) -> None:
        self.page += delta
        self._fill()
        self.page_turned()

    def page_turned(self) -> None:
        """Replaced by the elders' shell: a new page is a new screen to speak."""

    def _choose(self, n: int) -> None:
        if n < len(self._shown):
            item = self._shown[n]
            self.terminal.dispatch(ItemChosen(item.id, bool(self.terminal.menu().inputs(item.id))))
