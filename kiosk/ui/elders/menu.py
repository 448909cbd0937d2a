"""The elders' menu: a few big buttons a screen and no scrolling list. First the most used services (the
social-insurance certificate leads) and "Other services"; that opens the departments, a department its services
(a large one its categories first), each list paged with "More" and every screen with a "Back" that goes one step
back. At most six choices on a screen: four big buttons, Back and More (kiosk.ui.elders.finder decides what)."""

from __future__ import annotations

from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QSizePolicy

from contract.catalog.model import Catalog
from kiosk.core.session import ItemChosen, Session
from kiosk.ui.elders.finder import Choice, ChoiceKind, FinderScreen, Level, Place, ServiceFinder
from kiosk.ui.screens.base import Screen
from kiosk.ui.text import tr
from kiosk.ui.widgets import WrapButton, button, label


class EldersMenuScreen(Screen):
    def __init__(self, terminal, page_size: int) -> None:
        super().__init__(terminal)
        self.page_size = max(1, min(4, page_size))  # four choices + Back + More: six choices at most
        self._session_id = -1
        self._language = ""
        self._catalog: Catalog | None = None
        self._finder: ServiceFinder | None = None
        self.trail: list[Place] = [Place()]  # the screens the citizen went through: Back returns along it
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
        self.back = button("", self._back, "", "elders-back")
        self.others = button("", lambda: self._go(self._screen.others), "", "elders-others")
        self.next = button("", lambda: self._go(self._screen.more), "", "elders-next")
        nav = QHBoxLayout()
        nav.addWidget(self.back)
        nav.addStretch(1)
        nav.addWidget(self.others)
        nav.addWidget(self.next)
        self.layout_.addWidget(self.greeting)
        self.layout_.addWidget(self.where)
        self.layout_.addLayout(self.grid, 1)
        self.layout_.addLayout(nav)
        self._screen = FinderScreen(Place(), (), 1, None, None)
        self._name = ""

    @property
    def place(self) -> Place:
        return self._screen.place

    @property
    def choices(self) -> tuple[Choice, ...]:
        """What the big buttons show now, in order."""
        return self._screen.choices

    def finder(self) -> ServiceFinder:
        """The finder over the active catalog; a newly published catalog starts the citizen at the top again."""
        catalog = self.terminal.menu().catalog
        if self._finder is None or catalog is not self._catalog:
            self._catalog = catalog
            self._finder = ServiceFinder(catalog, self.page_size)
            self.trail = [Place()]
        return self._finder

    def render(self, session: Session) -> None:
        if session.session_id != self._session_id:
            self._session_id = session.session_id
            self.trail = [Place()]  # each citizen starts on the first screen
        self._language = session.language
        self._name = session.greeting_name()
        self._fill()

    def go_to(self, trail: list[Place]) -> None:
        """Show the screen at the end of `trail` (Back returns along it): the legibility walk and screenshots."""
        self.finder()
        self.trail = list(trail) or [Place()]
        self._fill()

    def _fill(self) -> None:
        finder = self.finder()
        place = self.trail[-1]
        if place.department and place.department not in finder.departments:
            self.trail = [Place()]  # the department is gone from the catalog now active
            place = self.trail[-1]
        self._screen = finder.screen(place)
        self.trail[-1] = self._screen.place
        en = self._language == "en"
        for n, b in enumerate(self.buttons):
            if n < len(self._screen.choices):
                choice = self._screen.choices[n]
                b.setText(_caption(choice, en))
                b.setProperty("testid", f"elders-{choice.kind.value}-{choice.key}")
                b.show()
            else:
                b.hide()
        self._say_where(finder, en)
        self.back.setText(tr("Back"))
        self.back.setVisible(len(self.trail) > 1)
        self.others.setText(tr("Other services"))
        self.others.setVisible(self._screen.others is not None)
        self.next.setText(tr("More departments") if place.level is Level.DEPARTMENTS else tr("More services"))
        self.next.setVisible(self._screen.more is not None)

    def _say_where(self, finder: ServiceFinder, en: bool) -> None:
        """The screen's one question, and where the citizen is: the department and the page."""
        screen = self._screen
        level = screen.place.level
        if level is Level.HOME:
            self.greeting.setText(tr("Hello, %1. What do you need?").replace("%1", self._name) if self._name
                                  else tr("What do you need?"))
            self.where.setText(tr("Not here? Touch Other services.")
                               if screen.others is not None else "")
            self.where.setVisible(screen.others is not None)
            return
        self.greeting.setText({Level.DEPARTMENTS: tr("Which department handles it?"),
                               Level.CATEGORIES: tr("What is it about?"),
                               Level.SERVICES: tr("Which service do you need?")}[level])
        page = (tr("Page %1 of %2.").replace("%1", str(screen.place.page + 1)).replace("%2", str(screen.pages))
                if screen.pages > 1 else "")
        about = finder.title(screen.place, "en" if en else "zh_CN")
        if about:
            about += "." if en else "。"
        self.where.setText((" " if en else "").join(t for t in (about, page) if t))
        self.where.setVisible(bool(self.where.text()))

    def _go(self, place: Place | None) -> None:
        if place is None:
            return
        self.trail.append(place)
        self._fill()
        self.page_turned()

    def _back(self) -> None:
        if len(self.trail) > 1:
            self.trail.pop()
            self._fill()
            self.page_turned()

    def page_turned(self) -> None:
        """Replaced by the elders' shell: a new page is a new screen to speak."""

    def _choose(self, n: int) -> None:
        if n >= len(self._screen.choices):
            return
        choice = self._screen.choices[n]
        if choice.kind is ChoiceKind.ITEM:
            self.terminal.dispatch(ItemChosen(choice.key, bool(self.terminal.menu().inputs(choice.key))))
            return
        self._go(self.finder().open(self._screen.place, choice))


def _caption(choice: Choice, en: bool) -> str:
    title = choice.title_en if en else choice.title_zh
    detail = choice.detail_en if en else choice.detail_zh
    return f"{title}\n{detail}" if detail else title
