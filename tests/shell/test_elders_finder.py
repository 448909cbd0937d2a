"""Finding any of the catalog's services in the elders' mode (长辈版) in few taps: the most used first, then
"Other services" -> departments -> (a large department's categories) -> services, at most six choices a screen.

The tap counts are measured on the real menu widget by tapping every button it shows, over the shipped 195-item
demo catalog; the bound they must meet is derived from the catalog's own department and category counts.
"""

from __future__ import annotations

import dataclasses
import json
import math
from collections import Counter, defaultdict, deque
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QPushButton

from contract.catalog.model import load_catalog, parse_catalog
from kiosk.core.session import ItemChosen, Session, State
from kiosk.ui.elders.finder import Level, Place, ServiceFinder
from kiosk.ui.elders.menu import EldersMenuScreen
from kiosk.ui.legibility import audit
from kiosk.ui.speech import spoken_text
from kiosk.ui.text import tr
from tests.shell.conftest import shell_config
from tests.shell.drive import find, tap
from tests.shell.screen_walk import demo_identity
from tests.shell.test_elders import SI_ITEM, wait_state

SHIPPED = Path(__file__).resolve().parents[2] / "assets" / "catalog" / "catalog.json"
PER_PAGE = 4  # [elders] page_size: four big buttons, Back and More


class MenuOnly:
    """What the menu screen asks of the terminal: the active catalog and the items' inputs; records choices."""

    def __init__(self, catalog) -> None:
        self.catalog = catalog
        self.chosen: list[str] = []
        self.session = Session()

    def menu(self):
        return self

    def inputs(self, item_id: str) -> tuple:
        return ()

    def dispatch(self, event) -> None:
        if isinstance(event, ItemChosen):
            self.chosen.append(event.item_id)


def go_to(menu: EldersMenuScreen, trail) -> None:
    menu.go_to(list(trail))
    menu.layout().activate()  # buttons just shown get their size: a tap lands inside them
    QApplication.processEvents()


def shown_buttons(menu: EldersMenuScreen) -> list[QPushButton]:
    return [b for b in menu.findChildren(QPushButton) if b.isVisible()]


def taps_to_every_item(qtbot, menu: EldersMenuScreen) -> dict[str, int]:
    """Breadth first over the screens the citizen reaches by tapping (More, Other services, a department, a
    category, Back): the fewest taps from the first screen to touching each service."""
    taps: dict[str, int] = {}
    start = tuple(menu.trail)
    depth = {start: 0}
    queue = deque([start])
    while queue:
        trail = queue.popleft()
        go_to(menu, trail)
        buttons = shown_buttons(menu)
        assert len(buttons) <= 6, [b.text() for b in buttons]  # at most six choices on a screen
        for b, testid in [(b, b.property("testid")) for b in buttons]:  # as shown, before any tap
            if testid.startswith("elders-item-"):
                taps.setdefault(testid.removeprefix("elders-item-"), depth[trail] + 1)
                continue
            go_to(menu, trail)
            qtbot.mouseClick(b, Qt.MouseButton.LeftButton)
            reached = tuple(menu.trail)
            if reached not in depth:
                depth[reached] = depth[trail] + 1
                queue.append(reached)
    return taps


def derived_worst_case(doc: dict, per_page: int) -> int:
    """The most taps the steps can take, from the catalog's counts alone: Other services, the departments'
    pages, a department, a category where the department is entered by category, the longest list's pages, the
    service. (Each term is that step's own worst; the real worst is at most their sum.)"""
    pages = lambda n: math.ceil(n / per_page)
    items = [i for i in doc["items"] if i.get("enabled", True)]
    by_department = Counter(i["department"] for i in items)
    categories: dict[str, Counter] = defaultdict(Counter)
    for i in items:
        categories[i["department"]][i["category"]] += 1
    lists, category_step = [], 0
    for department, n in by_department.items():
        if n > per_page and len(categories[department]) > 1:  # entered by category
            category_step = max(category_step, pages(len(categories[department])))
            lists += list(categories[department].values())
        else:
            lists.append(n)
    return 1 + pages(len(by_department)) + category_step + pages(max(lists))


def test_any_of_the_195_services_is_a_few_taps_away(qtbot):
    doc = json.loads(SHIPPED.read_text(encoding="utf-8"))
    catalog = load_catalog(SHIPPED)
    enabled = catalog.enabled_items()
    assert len(enabled) == 195
    terminal = MenuOnly(catalog)
    menu = EldersMenuScreen(terminal, PER_PAGE)
    qtbot.addWidget(menu)
    menu.resize(1280, 600)
    menu.show()
    menu.render(dataclasses.replace(Session(), session_id=1, language="zh_CN", state=State.MENU))
    taps = taps_to_every_item(qtbot, menu)
    assert set(taps) == {i.id for i in enabled}, "every enabled service can be found"
    worst, mean = max(taps.values()), sum(taps.values()) / len(taps)
    # before: one list of four a page, most used first: the n-th service took n // 4 "More" taps and its own
    before = {i.id: n // PER_PAGE + 1 for n, i in enumerate(enabled)}
    before_worst, before_mean = max(before.values()), sum(before.values()) / len(before)
    print(f"\nelders' menu, taps from the menu to a service over {len(taps)} services: worst {worst} (before "
          f"{before_worst}), mean {mean:.2f} (before {before_mean:.2f})")
    assert before_worst == 49  # 195 services, four a page: 49 pages
    bound = derived_worst_case(doc, PER_PAGE)
    assert bound == 11  # 1 + 4 department pages + 1 category page + 5 pages of the longest list (18)
    assert worst <= bound, (worst, bound)
    assert mean <= 6.0, mean  # against 24.9 before
    assert taps[SI_ITEM] == 1 and all(taps[i.id] == 1 for i in enabled[:PER_PAGE]), "most used first, one tap"
    go_to(menu, [Place()])
    qtbot.mouseClick(menu.buttons[0], Qt.MouseButton.LeftButton)
    assert terminal.chosen == [SI_ITEM]


def test_the_steps_follow_a_newly_published_catalog():
    """No department is built in: a catalog with another department brings its own step; a department that fits
    on one screen is not split by category; one that does not fit and has several categories is."""
    doc = json.loads(SHIPPED.read_text(encoding="utf-8"))
    doc["items"] = doc["items"][:12]
    for n, item in enumerate(doc["items"][:7]):
        item["department"] = "区新设便民服务中心"
        item["category"] = "family" if n < 3 else "elderly"  # elderly: four services, the most used
        item["popularity"] = 5000 + n
    doc["departments"] = [{"name": "区新设便民服务中心", "title_en": "New citizens' centre"}]
    finder = ServiceFinder(parse_catalog(json.dumps(doc, ensure_ascii=False).encode()), PER_PAGE)
    first = finder.screen(Place(Level.DEPARTMENTS)).choices[0]
    assert (first.title_zh, first.title_en) == ("区新设便民服务中心", "New citizens' centre"), "most used first"
    titles = {c.id: c.title_en for c in finder.catalog.categories}
    assert first.detail_en == f"{titles['elderly']}, {titles['family']}", "what it does, in plain words"
    assert finder.open(Place(Level.DEPARTMENTS), first) == Place(Level.CATEGORIES, "区新设便民服务中心")
    others = [d for d in finder.departments if d != "区新设便民服务中心"]
    assert all(not finder.needs_categories(d) for d in others if len(finder.departments[d].items) <= PER_PAGE)
    # a department the operators did not name in English is shown by its Chinese name
    untitled = finder.screen(Place(Level.DEPARTMENTS)).choices[1]
    assert untitled.title_en == untitled.title_zh


def test_a_citizen_goes_several_levels_deep_and_back_out(qtbot, tmp_path, district, open_shell):
    """Tapping like a citizen: Other services, More departments, a department, a category, More services, the
    service; then Back from the service's screen returns to the list it came from, and Back again step by step to
    the first screen. Every step is spoken."""
    window = open_shell(shell_config(tmp_path / "kiosk", district.url, elders={"speech_sink": "null"}))
    speaker = window.elders.speaker
    heard: list[str] = []
    speaker.started.connect(lambda _t: heard.append(speaker.last_text))
    catalog = window.terminal.menu().catalog
    finder = window.elders.menu.finder()
    # a department entered by category and not on the departments' first page, its least used service
    department = next(d for n, d in enumerate(finder.departments) if n >= PER_PAGE and finder.needs_categories(d))
    category = finder.departments[department].categories[0]
    target = [i for i in finder.departments[department].items if i.category == category][-1]
    tap(qtbot, window, "elders-switch")
    tap(qtbot, window, "start")
    wait_state(qtbot, window, State.MENU)
    menu = window.elders.menu
    taps = 0

    def touch(testid: str) -> None:
        nonlocal taps
        tap(qtbot, window, testid)
        taps += 1

    def visible(testid: str) -> bool:
        return any(b.property("testid") == testid and b.isVisible() for b in menu.findChildren(QPushButton))

    touch("elders-others")
    assert menu.place.level is Level.DEPARTMENTS
    if speaker.available:
        qtbot.waitUntil(lambda: tr("Which department handles it?") in heard[-1], timeout=5000)
    while not visible(f"elders-department-{department}"):
        touch("elders-next")  # More departments
    touch(f"elders-department-{department}")
    assert menu.place == Place(Level.CATEGORIES, department)
    touch(f"elders-category-{category}")
    while not visible(f"elders-item-{target.id}"):
        touch("elders-next")  # More services
    deep = menu.place
    assert deep.level is Level.SERVICES and deep.page > 0, deep
    if speaker.available:
        qtbot.waitUntil(lambda: (target.title_zh in heard[-1] and
                                 tr("Which service do you need?") in heard[-1]), timeout=5000)
        assert heard[-1].startswith(find(window, "steps").text()), "the step indicator is spoken first"
        said = len(heard)
        tap(qtbot, window, "repeat")
        qtbot.waitUntil(lambda: len(heard) > said, timeout=5000)
        assert heard[-1] == heard[said - 1], "Repeat says this step again"
    touch(f"elders-item-{target.id}")
    assert taps <= 8, taps
    state = State.SERVICE_FORM if window.terminal.menu().inputs(target.id) else State.CONFIRM
    wait_state(qtbot, window, state)
    assert window.terminal.session.item_id == target.id
    tap(qtbot, window, "back")
    wait_state(qtbot, window, State.MENU)
    assert menu.place == deep, "Back from the service returns to the list it was chosen from"
    backs = 0
    while menu.place != Place():
        trail = list(menu.trail)
        tap(qtbot, window, "elders-back")
        backs += 1
        assert menu.trail == trail[:-1], "Back goes one step back"
    assert backs == taps - 1 and not find(window, "elders-others").isHidden()
    assert not visible("elders-back"), "the first screen has no Back: Cancel ends the session"
    assert menu.buttons[0].property("testid") == f"elders-item-{SI_ITEM}"
    assert catalog is window.terminal.menu().catalog


def test_every_step_of_the_menu_is_legible_and_spoken(open_shell, tmp_path, district):
    """Every screen of the finder over the demo catalog (all departments, categories and pages), at 1280x800:
    >= 7:1, >= 20 mm, nothing clipped, at most six choices; and what is spoken says the screen's question, where
    the citizen is, and every choice on it."""
    window = open_shell(shell_config(tmp_path / "kiosk", district.url))
    window._ticker.stop()  # this test renders its own session
    window._status_timer.stop()
    window.setFixedSize(1280, 800)
    failures: list[str] = []
    for language in ("zh_CN", "en"):
        failures += menu_steps_problems(window, language)
    assert not failures, f"{len(failures)} problems:\n" + "\n".join(failures[:40])


def menu_steps_problems(window, language: str) -> list[str]:
    session = Session(session_id=900002, language=language, elders=True, speech=True, identity=demo_identity(),
                      last_activity=0.0, state=State.MENU)
    window.render(session)
    menu = window.elders.menu
    finder = menu.finder()
    trails: list[list[Place]] = [[Place()]]
    seen = {Place()}
    for trail in trails:  # grows as it goes: every place reachable from the first screen
        screen = finder.screen(trail[-1])
        nexts = [finder.open(screen.place, c) for c in screen.choices] + [screen.more, screen.others]
        for place in nexts:
            if place is not None and place not in seen:
                seen.add(place)
                trails.append([*trail, place])
    assert len(trails) > 40
    failures: list[str] = []
    for trail in trails:
        menu.go_to(trail)
        QApplication.processEvents()
        window.layout().activate()
        QApplication.processEvents()
        where = f"{language} {trail[-1]}"
        failures += [f"{where}: {f}" for f in audit(window, window.terminal.config.ui.dpi, 7.0, 20.0)]
        buttons = shown_buttons(menu)
        if len(buttons) > 6:
            failures.append(f"{where}: {len(buttons)} choices")
        spoken = spoken_text(menu, tr("You can choose:"))
        for text in [menu.greeting.text(), menu.where.text(), *(b.text() for b in buttons)]:
            if " ".join(text.split()) not in " ".join(spoken.split()):
                failures.append(f"{where}: not spoken: {text!r} in {spoken!r}")
        page = trail[-1].page
        if finder.screen(trail[-1]).pages > 1 and str(page + 1) not in menu.where.text():
            failures.append(f"{where}: no page shown: {menu.where.text()!r}")
    return failures


def test_every_string_of_the_menu_has_chinese():
    """Every tr() text of the elders' menu is in the shipped translations (the screens speak them too)."""
    import re

    from kiosk.i18n.translations import Translations

    source = (Path(__file__).resolve().parents[2] / "kiosk" / "ui" / "elders" / "menu.py").read_text("utf-8")
    texts = re.findall(r'tr\("([^"]+)"\)', source)
    assert len(texts) >= 9, texts
    zh = Translations.load("zh_CN")
    assert [t for t in texts if zh.translate("", t) == t] == []


def test_a_catalog_published_while_a_citizen_browses_starts_the_menu_over(qtbot):
    """The citizen is inside a department when the operators' new catalog arrives without it: the menu goes back
    to its first screen over the new catalog instead of showing an empty list."""
    doc = json.loads(SHIPPED.read_text(encoding="utf-8"))
    terminal = MenuOnly(parse_catalog(json.dumps(doc, ensure_ascii=False).encode()))
    menu = EldersMenuScreen(terminal, PER_PAGE)
    qtbot.addWidget(menu)
    menu.render(dataclasses.replace(Session(), session_id=1, language="en", state=State.MENU))
    gone = "区退役军人事务局"
    menu.go_to([Place(), Place(Level.DEPARTMENTS), Place(Level.SERVICES, gone)])
    assert [b.text() for b in menu.buttons if not b.isHidden()] == ["Benefits for veterans"]
    doc["items"] = [i for i in doc["items"] if i["department"] != gone]
    doc["departments"] = [d for d in doc["departments"] if d["name"] != gone]
    terminal.catalog = parse_catalog(json.dumps(doc, ensure_ascii=False).encode())
    menu.render(dataclasses.replace(Session(), session_id=1, language="en", state=State.MENU))
    assert menu.trail == [Place()] and menu.place == Place()
    assert menu.buttons[0].property("testid") == f"elders-item-{SI_ITEM}"
