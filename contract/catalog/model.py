"""The service catalog: data (never code) listing the items citizens can choose, and the menu's search index.

A catalog file is JSON validated against the published `contract/catalog/catalog.schema.json` (JSON Schema 2020-12)
and then against what a schema cannot know (duplicate ids, unknown modules and categories); each item names a
service module by id plus that module's parameters. Loading validates everything up front and raises
`CatalogInvalid` listing every problem with its line and field, so a corrupt catalog is rejected whole and the
last good one stays active. The menu's search index (contract.catalog.search) is built with the catalog.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from contract.catalog.lines import format_path, line_map
from contract.catalog.search import SearchIndex
from contract.errors import ContractError

SCHEMA_PATH = Path(__file__).with_name("catalog.schema.json")


class CatalogInvalid(ContractError):
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
class Department:
    """A department's English name; items name their department in Chinese (`CatalogItem.department`)."""

    name: str
    title_en: str


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
    # "" = as the module declares; else online | queue | local, applied by the kiosk only where stricter than
    # the module's own policy (catalog.schema.json)
    offline_policy: str = ""


@dataclass(frozen=True)
class Catalog:
    version: int
    items: tuple[CatalogItem, ...]
    categories: tuple[Category, ...]
    sha256: str = ""
    departments: tuple[Department, ...] = ()
    _index: SearchIndex = field(init=False, repr=False, compare=False)
    _by_id: dict[str, CatalogItem] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # The search index and id map are derived once; the catalog itself stays immutable.
        object.__setattr__(self, "_index", SearchIndex(self.enabled_items()))
        object.__setattr__(self, "_by_id", {i.id: i for i in self.items})

    def get(self, item_id: str) -> CatalogItem | None:
        """The item with this id, enabled or not."""
        return self._by_id.get(item_id)

    def category(self, category_id: str) -> Category | None:
        """The category with this id."""
        return next((c for c in self.categories if c.id == category_id), None)

    def department_title(self, name: str, language: str) -> str:
        """A department's name in `language` ("en" or Chinese); the Chinese name when no English one is given."""
        if language == "en":
            return next((d.title_en for d in self.departments if d.name == name), name)
        return name

    def enabled_items(self) -> list[CatalogItem]:
        """Enabled items, most used first."""
        return sorted((i for i in self.items if i.enabled), key=lambda i: (-i.popularity, i.id))

    def in_category(self, category_id: str) -> list[CatalogItem]:
        """Enabled items of one category, most used first."""
        return [i for i in self.enabled_items() if i.category == category_id]

    def search(self, query: str, limit: int = 50) -> list[CatalogItem]:
        """Enabled items matching `query` in Chinese, full pinyin, pinyin initials or English, best first
        (an empty query lists the most used items)."""
        if not query.strip():
            return self.enabled_items()[:limit]
        return self._index.search(query, limit)  # type: ignore[return-value]


def _schema_validator() -> Any:
    """A validator of the published schema with its $refs inlined (3x faster to run than resolving them)."""
    from jsonschema import Draft202012Validator  # type: ignore[import-untyped]

    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    defs = schema.pop("$defs", {})

    def inline(node: Any) -> Any:
        if isinstance(node, dict):
            if "$ref" in node:
                target = defs[node["$ref"].rsplit("/", 1)[-1]]
                return {**inline(target), **{k: inline(v) for k, v in node.items() if k != "$ref"}}
            return {k: inline(v) for k, v in node.items()}
        if isinstance(node, list):
            return [inline(v) for v in node]
        return node

    return Draft202012Validator(inline(schema))


def _schema_problems(doc: Any, text: str) -> list[str]:
    validator = _schema_validator()
    errors = sorted(validator.iter_errors(doc), key=lambda e: [str(p) for p in e.absolute_path])
    if not errors:
        return []
    lines = line_map(text)
    problems = []
    for e in errors:
        path = tuple(e.absolute_path)
        where = format_path(path)
        if e.validator == "required":
            missing = e.message.split("'")[1] if "'" in e.message else e.message
            message = f"missing {missing}"
        elif e.validator == "additionalProperties":
            message = e.message.replace("Additional properties are not allowed", "unknown key(s)")
        else:
            message = e.message
        line = lines.get(path)
        problems.append(f"line {line}: {where}: {message}" if line else f"{where}: {message}")
    return problems


def parse_catalog(data: bytes, known_modules: set[str] | None = None) -> Catalog:
    """Parse and validate catalog JSON bytes against the published schema and the installed modules;
    raise CatalogInvalid listing every problem with its line and field."""
    try:
        text = data.decode("utf-8")
        doc = json.loads(text)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CatalogInvalid([f"not valid JSON: {exc}"]) from exc
    problems = _schema_problems(doc, text)
    lines: dict[tuple[str | int, ...], int] | None = None

    def at(path: tuple[str | int, ...]) -> str:
        nonlocal lines
        if lines is None:
            lines = line_map(text)
        line = lines.get(path)
        return f"line {line}: {format_path(path)}" if line else format_path(path)

    # What a schema cannot see, checked even when it failed so that one run names every problem.
    raw_categories = [c for c in (doc.get("categories") if isinstance(doc, dict) else None) or []
                      if isinstance(c, dict)]
    raw_items = [(n, r) for n, r in enumerate((doc.get("items") if isinstance(doc, dict) else None) or [])
                 if isinstance(r, dict)]
    category_ids: set[str] = set()
    for n, c in enumerate(raw_categories):
        category_id = c.get("id")
        if not isinstance(category_id, str):
            continue  # the schema check above has named it
        if category_id in category_ids:
            problems.append(f"{at(('categories', n, 'id'))}: duplicate category id {category_id!r}")
        category_ids.add(category_id)
    department_names: set[str] = set()
    for n, d in enumerate((doc.get("departments") if isinstance(doc, dict) else None) or []):
        if isinstance(d, dict) and isinstance(d.get("name"), str):
            if d["name"] in department_names:
                problems.append(f"{at(('departments', n, 'name'))}: duplicate department {d['name']!r}")
            department_names.add(d["name"])
    seen: set[str] = set()
    for n, raw in raw_items:
        item_id, module, category = raw.get("id"), raw.get("module"), raw.get("category")
        if isinstance(item_id, str):
            if item_id in seen:
                problems.append(f"{at(('items', n, 'id'))}: duplicate id {item_id!r}")
            seen.add(item_id)
        if known_modules is not None and isinstance(module, str) and module not in known_modules:
            problems.append(f"{at(('items', n, 'module'))}: unknown module {module!r}")
        if isinstance(category, str) and category not in category_ids:
            problems.append(f"{at(('items', n, 'category'))}: unknown category {category!r}")
        inputs = (raw.get("params") or {}).get("fields") if isinstance(raw.get("params"), dict) else None
        input_keys: set[str] = set()
        for m, definition in enumerate(inputs if isinstance(inputs, list) else []):
            key = definition.get("key") if isinstance(definition, dict) else None
            if isinstance(key, str):
                if key in input_keys:
                    problems.append(f"{at(('items', n, 'params', 'fields', m, 'key'))}: duplicate input key {key!r}")
                input_keys.add(key)
    if problems:
        raise CatalogInvalid(problems)

    categories = [Category(id=c["id"], title_zh=c["title_zh"], title_en=c["title_en"], icon=c.get("icon", ""),
                           order=int(c.get("order", n))) for n, c in enumerate(doc["categories"])]
    items = [CatalogItem(
        id=raw["id"], title_zh=raw["title_zh"], title_en=raw["title_en"], department=raw["department"],
        category=raw["category"], module=raw["module"], params=dict(raw.get("params") or {}),
        keywords=tuple(raw.get("keywords") or ()), icon=raw.get("icon", ""),
        enabled=bool(raw.get("enabled", True)), popularity=int(raw.get("popularity", 0)),
        help_zh=raw.get("help_zh", ""), help_en=raw.get("help_en", ""),
        offline_policy=raw.get("offline_policy", "")) for raw in doc["items"]]
    departments = tuple(Department(name=d["name"], title_en=d["title_en"]) for d in doc.get("departments", ()))
    return Catalog(version=int(doc["version"]), items=tuple(items),
                   categories=tuple(sorted(categories, key=lambda c: c.order)),
                   sha256=hashlib.sha256(data).hexdigest(), departments=departments)


def load_catalog(path: Path, known_modules: set[str] | None = None) -> Catalog:
    """Read and validate the catalog file at `path`."""
    return parse_catalog(Path(path).read_bytes(), known_modules)
