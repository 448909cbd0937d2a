"""The service catalog: data (never code) listing the items citizens can choose, and the menu's search index.

A catalog file is JSON validated against `assets/catalog/catalog.schema.json`; each item names a service module
by id plus that module's parameters. Loading validates everything up front and raises `CatalogInvalid` listing
every problem, so a corrupt catalog is rejected whole and the last good one stays active.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kiosk.errors import KioskError


class CatalogInvalid(KioskError):
    message_key = "error.catalog"

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Category:
    id: str
    title_zh: str
    title_en: str
    icon: str = ""
    order: int = 0


@dataclass(frozen=True)
class CatalogItem:
    id: str
    title_zh: str
    title_en: str
    department: str
    category: str
    module: str
    params: dict[str, Any] = field(default_factory=dict)
    keywords: tuple[str, ...] = ()
    icon: str = ""
    enabled: bool = True
    popularity: int = 0  # higher first in the menu
    help_zh: str = ""
    help_en: str = ""


@dataclass(frozen=True)
class Catalog:
    version: int
    items: tuple[CatalogItem, ...]
    categories: tuple[Category, ...]
    sha256: str = ""

    def get(self, item_id: str) -> CatalogItem | None:
        """The item with this id, enabled or not."""
        return next((i for i in self.items if i.id == item_id), None)

    def enabled_items(self) -> list[CatalogItem]:
        """Enabled items, most used first."""
        return sorted((i for i in self.items if i.enabled), key=lambda i: (-i.popularity, i.id))

    def in_category(self, category_id: str) -> list[CatalogItem]:
        """Enabled items of one category, most used first."""
        return [i for i in self.enabled_items() if i.category == category_id]

    def search(self, query: str, limit: int = 50) -> list[CatalogItem]:
        """Enabled items whose title or keywords contain `query` (case-insensitive), most used first."""
        q = query.strip().lower()
        if not q:
            return self.enabled_items()[:limit]
        hits = [i for i in self.enabled_items()
                if q in i.title_zh.lower() or q in i.title_en.lower() or any(q in k.lower() for k in i.keywords)]
        return hits[:limit]


def parse_catalog(data: bytes, known_modules: set[str] | None = None) -> Catalog:
    """Parse and validate catalog JSON bytes; raise CatalogInvalid listing every problem."""
    problems: list[str] = []
    try:
        doc = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CatalogInvalid([f"not valid JSON: {exc}"]) from exc
    if not isinstance(doc, dict):
        raise CatalogInvalid(["top level must be an object"])
    categories = []
    for n, c in enumerate(doc.get("categories") or []):
        try:
            categories.append(Category(id=c["id"], title_zh=c["title_zh"], title_en=c["title_en"],
                                       icon=c.get("icon", ""), order=int(c.get("order", n))))
        except (KeyError, TypeError, ValueError) as exc:
            problems.append(f"categories[{n}]: missing or bad {exc}")
    items = []
    seen: set[str] = set()
    for n, raw in enumerate(doc.get("items") or []):
        where = f"items[{n}]"
        if not isinstance(raw, dict):
            problems.append(f"{where}: must be an object")
            continue
        for key in ("id", "title_zh", "title_en", "department", "category", "module"):
            if not isinstance(raw.get(key), str) or not raw.get(key):
                problems.append(f"{where}.{key}: missing")
        if any(p.startswith(where + ".") for p in problems):
            continue
        if raw["id"] in seen:
            problems.append(f"{where}.id: duplicate id {raw['id']!r}")
        seen.add(raw["id"])
        if known_modules is not None and raw["module"] not in known_modules:
            problems.append(f"{where}.module: unknown module {raw['module']!r}")
        items.append(CatalogItem(
            id=raw["id"], title_zh=raw["title_zh"], title_en=raw["title_en"], department=raw["department"],
            category=raw["category"], module=raw["module"], params=dict(raw.get("params") or {}),
            keywords=tuple(raw.get("keywords") or ()), icon=raw.get("icon", ""),
            enabled=bool(raw.get("enabled", True)), popularity=int(raw.get("popularity", 0)),
            help_zh=raw.get("help_zh", ""), help_en=raw.get("help_en", "")))
    if problems:
        raise CatalogInvalid(problems)
    return Catalog(version=int(doc.get("version", 0)), items=tuple(items),
                   categories=tuple(sorted(categories, key=lambda c: c.order)),
                   sha256=hashlib.sha256(data).hexdigest())


def load_catalog(path: Path, known_modules: set[str] | None = None) -> Catalog:
    """Read and validate the catalog file at `path`."""
    return parse_catalog(Path(path).read_bytes(), known_modules)
