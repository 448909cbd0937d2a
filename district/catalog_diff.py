"""What a catalog changes against another, item by item, and its validation problems as fields an editor can
place (path and line), both for operators reviewing a publication."""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field
from typing import Any

# contract.catalog.model formats each problem as "line N: path: message" or "path: message" (contract.catalog.lines)
_PROBLEM = re.compile(r"^(?:line (?P<line>\d+): )?(?P<path>(?:\(top level\)|[A-Za-z_][\w]*(?:\[\d+\]|\.[\w]+)*)): "
                      r"(?P<message>.*)$", re.S)


@dataclass(frozen=True)
class Problem:
    message: str
    path: str | None = None  # items[3].title_zh
    line: int | None = None


def problems_of(texts: list[str]) -> list[Problem]:
    """CatalogInvalid.problems as (path, line, message); a problem without a place (not JSON) keeps its text."""
    out = []
    for text in texts:
        m = _PROBLEM.match(text)
        if m is None:
            out.append(Problem(text))
        else:
            out.append(Problem(m["message"], m["path"], int(m["line"]) if m["line"] else None))
    return out


@dataclass(frozen=True)
class ChangedField:
    field: str
    old: Any
    new: Any


@dataclass(frozen=True)
class ChangedEntry:
    id: str
    fields: list[ChangedField]


@dataclass(frozen=True)
class Section:
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: list[ChangedEntry] = field(default_factory=list)


@dataclass(frozen=True)
class CatalogDiff:
    old_version: int | None
    new_version: int | None
    items: Section
    categories: Section

    @property
    def empty(self) -> bool:
        return not any((self.items.added, self.items.removed, self.items.changed, self.categories.added,
                        self.categories.removed, self.categories.changed))

    def as_json(self) -> dict[str, Any]:
        return {**asdict(self), "empty": self.empty}

    def lines(self) -> list[str]:
        """The diff for a terminal: + added, - removed, ~ changed field: old -> new."""
        out = [f"version {self.old_version} -> {self.new_version}"]
        for name, section in (("item", self.items), ("category", self.categories)):
            out += [f"+ {name} {i}" for i in section.added]
            out += [f"- {name} {i}" for i in section.removed]
            for entry in section.changed:
                out += [f"~ {name} {entry.id}: {f.field}: {json.dumps(f.old, ensure_ascii=False)} -> "
                        f"{json.dumps(f.new, ensure_ascii=False)}" for f in entry.fields]
        return out


def _section(old: list[dict[str, Any]], new: list[dict[str, Any]]) -> Section:
    before = {e["id"]: e for e in old if isinstance(e, dict) and isinstance(e.get("id"), str)}
    after = {e["id"]: e for e in new if isinstance(e, dict) and isinstance(e.get("id"), str)}
    changed = []
    for key in (k for k in after if k in before):
        fields = [ChangedField(f, before[key].get(f), after[key].get(f))
                  for f in sorted(set(before[key]) | set(after[key])) if before[key].get(f) != after[key].get(f)]
        if fields:
            changed.append(ChangedEntry(key, fields))
    return Section(added=[k for k in after if k not in before], removed=[k for k in before if k not in after],
                   changed=changed)


def diff_catalogs(old: bytes | None, new: bytes) -> CatalogDiff:
    """Item- and category-level differences of catalog JSON `new` against `old` (None: everything is added).
    Both are assumed parsed already (JSON objects); fields compare by value, so key order and spacing do not
    count as changes."""
    before = json.loads(old) if old is not None else {}
    after = json.loads(new)
    return CatalogDiff(before.get("version"), after.get("version"),
                       _section(before.get("items") or [], after.get("items") or []),
                       _section(before.get("categories") or [], after.get("categories") or []))
