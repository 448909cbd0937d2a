"""Menu: the catalog by category (most used first) and a search box matching Chinese, pinyin and initials."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QButtonGroup,
    QGridLayout,
    QHBoxLayout,
    QLineEdit,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from contract.catalog.model import Catalog, CatalogItem
from kiosk.core.session import ItemChosen, Session
from kiosk.ui.screens.base import Screen
from kiosk.ui.text import message, tr
from kiosk.ui.widgets import TouchKeyboard, WrapButton, button, label

POPULAR = "__popular__"
COLUMNS = 2
PAGE = 24


class MenuScreen(Screen):
    def __init__(self, terminal) -> None:
        super().__init__(terminal)
        self._language = ""
        self._catalog: Catalog | None = None
        self._unavailable: dict[str, str] = {}  # item id -> why a failing device keeps it from citizens now
        self._category = POPULAR
        self.greeting = label("", "title")
        self.search = QLineEdit()
        self.search.setMaxLength(20)
        self.search.textChanged.connect(lambda _t: self._fill_items())
        self.keyboard_toggle = button("", self._toggle_keyboard, "", "search-keyboard")
        self.keyboard = TouchKeyboard("full")
        self.keyboard.attach(self.search)
        self.keyboard.hide()
        top = QHBoxLayout()
        top.addWidget(self.search, 1)
        top.addWidget(self.keyboard_toggle)
        body = QHBoxLayout()
        self.categories = QVBoxLayout()
        self.categories.setSpacing(8)
        cat_box = QWidget()
        cat_box.setLayout(self.categories)
        cat_scroll = QScrollArea()
        cat_scroll.setWidget(cat_box)
        cat_scroll.setWidgetResizable(True)
        cat_scroll.setFixedWidth(360)
        self.items = QGridLayout()
        self.items.setSpacing(12)
        items_box = QWidget()
        items_box.setLayout(self.items)
        self.items_scroll = QScrollArea()
        self.items_scroll.setWidget(items_box)
        self.items_scroll.setWidgetResizable(True)
        body.addWidget(cat_scroll)
        body.addWidget(self.items_scroll, 1)
        self.layout_.addWidget(self.greeting)
        self.layout_.addLayout(top)
        self.layout_.addWidget(self.keyboard)
        self.layout_.addLayout(body, 1)
        self._group = QButtonGroup(self)
        self._group.setExclusive(True)

    def _toggle_keyboard(self) -> None:
        self.keyboard.setVisible(not self.keyboard.isVisible())

    def render(self, session: Session) -> None:
        catalog = self.terminal.menu().catalog
        name = session.greeting_name()
        self.greeting.setText(tr("Hello, %1. Please choose a service").replace("%1", name) if name
                              else tr("Please choose a service"))
        self.search.setPlaceholderText(tr("Search: Chinese, pinyin or initials (e.g. sbjf)"))
        self.keyboard_toggle.setText(tr("Keyboard"))
        unavailable = self.terminal.menu().unavailable
        if catalog is not self._catalog or session.language != self._language or unavailable != self._unavailable:
            self._unavailable = unavailable
            self._catalog = catalog
            self._language = session.language
            self._fill_categories()
            self._fill_items()
        if session.state.value == "menu" and not self.isVisible():
            self.search.clear()

    def _title(self, zh: str, en: str) -> str:
        return en if self._language == "en" else zh

    def _fill_categories(self) -> None:
        for old in self._group.buttons():
            self._group.removeButton(old)
        while self.categories.count():
            item = self.categories.takeAt(0)
            if item.widget():
                item.widget().hide()  # deleteLater() waits for the event loop: never show both sets meanwhile
                item.widget().deleteLater()
        assert self._catalog is not None
        entries = [(POPULAR, tr("Most used"))] + [(c.id, self._title(c.title_zh, c.title_en))
                                                  for c in self._catalog.categories]
        for cid, title in entries:
            b = WrapButton(title, lambda c=cid: self._choose_category(c), "category", f"category-{cid}")
            b.setCheckable(True)
            b.setChecked(cid == self._category)
            self._group.addButton(b)
            self.categories.addWidget(b)
        self.categories.addStretch(1)

    def _choose_category(self, category_id: str) -> None:
        self._category = category_id
        self.search.clear()
        self._fill_items()

    def _visible_items(self) -> list[CatalogItem]:
        assert self._catalog is not None
        query = self.search.text().strip()
        if query:
            return self._catalog.search(query, limit=PAGE * 2)
        if self._category == POPULAR:
            return self._catalog.enabled_items()[:PAGE]
        return self._catalog.in_category(self._category)

    def _fill_items(self) -> None:
        if self._catalog is None:
            return
        while self.items.count():
            item = self.items.takeAt(0)
            if item.widget():
                item.widget().hide()
                item.widget().deleteLater()
        shown = self._visible_items()
        for n, item in enumerate(shown):
            b = WrapButton(self._title(item.title_zh, item.title_en), lambda i=item: self._choose(i), "item",
                           f"item-{item.id}")
            if item.id in self._unavailable:  # kiosk.terminal.device_consequences: the reason in one sentence
                b.setText(f"{b.text()}\n{message(self._unavailable[item.id])}")
                b.setEnabled(False)
                b.set_unavailable()
            b.setMinimumHeight(110)
            self.items.addWidget(b, n // COLUMNS, n % COLUMNS)
        if not shown:
            self.items.addWidget(label(tr("No service matches your search."), "hint"), 0, 0)
        self.items.setRowStretch(len(shown) // COLUMNS + 1, 1)
        self.items_scroll.verticalScrollBar().setValue(0)

    def _choose(self, item: CatalogItem) -> None:
        self.terminal.dispatch(ItemChosen(item.id, bool(self.terminal.menu().inputs(item.id))))
