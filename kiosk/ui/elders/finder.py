"""Finding a service in the elders' mode in a few taps, with at most six choices on a screen and no scrolling.

The first screen offers the most used services and "Other services"; that opens the departments (most used
first), a department opens its services, and a department too large for one screen whose services fall into
several categories opens its categories first. Every list is paged: a screen shows at most `per_page` choices
plus Back and More. Everything is derived from the catalog (its items' department and category fields), so a
newly published catalog brings its own departments and steps.

Pure (no Qt): the elders' menu screen draws what `screen()` says and goes where `open()` and `more()` lead.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from enum import Enum

from contract.catalog.model import Catalog, CatalogItem


class Level(str, Enum):
    HOME = "home"  # the most used services
    DEPARTMENTS = "departments"
    CATEGORIES = "categories"  # of one (large) department
    SERVICES = "services"  # of one department, or of one category in it


@dataclass(frozen=True)
class Place:
    """Where the citizen is in the elders' menu: a level, what it is about, and which page of it."""

    level: Level = Level.HOME
    department: str = ""
    category: str = ""
    page: int = 0


class ChoiceKind(str, Enum):
    ITEM = "item"
    DEPARTMENT = "department"
    CATEGORY = "category"


@dataclass(frozen=True)
class Choice:
    """One big button: a service (key = item id), a department (key = its name) or a category (key = its id)."""

    kind: ChoiceKind
    key: str
    title_zh: str
    title_en: str
    detail_zh: str = ""  # in plain words what a department does: the titles of its categories
    detail_en: str = ""


@dataclass(frozen=True)
class FinderScreen:
    place: Place
    choices: tuple[Choice, ...]
    pages: int
    more: Place | None  # where "More" leads (the next page), None on the last page
    others: Place | None  # on the first screen: where "Other services" leads, when the catalog has more


@dataclass(frozen=True)
class _Department:
    name: str
    items: tuple[CatalogItem, ...]  # most used first
    categories: tuple[str, ...]  # category ids, the most used first


class ServiceFinder:
    """The elders' menu over one catalog, `per_page` choices a screen (the screen adds Back and More)."""

    def __init__(self, catalog: Catalog, per_page: int) -> None:
        self.catalog = catalog
        self.per_page = max(1, per_page)
        self.items = catalog.enabled_items()  # most used first
        grouped: dict[str, list[CatalogItem]] = defaultdict(list)
        for item in self.items:
            grouped[item.department].append(item)
        departments = []
        for name, items in grouped.items():
            use: dict[str, int] = defaultdict(int)
            for item in items:
                use[item.category] += item.popularity
            categories = tuple(sorted(use, key=lambda c: (-use[c], self._category_order(c), c)))
            departments.append(_Department(name, tuple(items), categories))
        # the most used departments first: by the summed use of their services
        departments.sort(key=lambda d: (-sum(i.popularity for i in d.items), d.name))
        self.departments = {d.name: d for d in departments}

    def _category_order(self, category_id: str) -> int:
        category = self.catalog.category(category_id)
        return category.order if category is not None else 1 << 30

    def needs_categories(self, department: str) -> bool:
        """A department whose services do not fit on one screen and fall into several categories is entered by
        category: that keeps every list short (the largest demo department has 35 services, 9 pages)."""
        d = self.departments[department]
        return len(d.items) > self.per_page and len(d.categories) > 1

    def screen(self, place: Place) -> FinderScreen:
        """What the screen at `place` shows (a page past the end shows the last page)."""
        choices = self._choices(place)
        pages = max(1, -(-len(choices) // self.per_page))
        page = max(0, min(place.page, pages - 1))
        place = Place(place.level, place.department, place.category, page)
        shown = tuple(choices[page * self.per_page:(page + 1) * self.per_page])
        more = Place(place.level, place.department, place.category, page + 1) if page < pages - 1 else None
        others = None
        if place.level is Level.HOME:
            more, pages = None, 1  # the first screen is one page: everything else is found by department
            if len(self.items) > len(shown):
                others = Place(Level.DEPARTMENTS)
        return FinderScreen(place, shown, pages, more, others)

    def open(self, place: Place, choice: Choice) -> Place | None:
        """Where touching a department, or a category of the department at `place`, leads; None for a service
        (the citizen has chosen it)."""
        if choice.kind is ChoiceKind.DEPARTMENT:
            level = Level.CATEGORIES if self.needs_categories(choice.key) else Level.SERVICES
            return Place(level, choice.key)
        if choice.kind is ChoiceKind.CATEGORY:
            return Place(Level.SERVICES, place.department, choice.key)
        return None

    def title(self, place: Place, language: str) -> str:
        """The department (and category) a screen is about, in `language`; empty on the first two levels."""
        if not place.department:
            return ""
        name = self.catalog.department_title(place.department, language)
        if place.category:
            return f"{name}: {self._category_title(place.category, language)}" if language == "en" \
                else f"{name}：{self._category_title(place.category, language)}"
        return name

    def _category_title(self, category_id: str, language: str) -> str:
        category = self.catalog.category(category_id)
        if category is None:
            return category_id
        return category.title_en if language == "en" else category.title_zh

    def _choices(self, place: Place) -> list[Choice]:
        if place.level is Level.HOME:
            return [_item(i) for i in self.items]
        if place.level is Level.DEPARTMENTS:
            return [self._department(d) for d in self.departments.values()]
        d = self.departments.get(place.department)
        if d is None:
            return []  # a department the newly published catalog no longer has
        if place.level is Level.CATEGORIES:
            return [Choice(ChoiceKind.CATEGORY, c, self._category_title(c, "zh_CN"), self._category_title(c, "en"))
                    for c in d.categories]
        return [_item(i) for i in d.items if not place.category or i.category == place.category]

    def _department(self, d: _Department) -> Choice:
        return Choice(ChoiceKind.DEPARTMENT, d.name, d.name, self.catalog.department_title(d.name, "en"),
                      "、".join(self._category_title(c, "zh_CN") for c in d.categories),
                      ", ".join(self._category_title(c, "en") for c in d.categories))


def _item(item: CatalogItem) -> Choice:
    return Choice(ChoiceKind.ITEM, item.id, item.title_zh, item.title_en)
