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


# json's syntax errors end with where they are; a text that is not UTF-8 names the byte's offset
_SYNTAX_AT = re.compile(r": line (?P<line>\d+) column (?P<column>\d+) \(char \d+\)$")
_BYTE_AT = re.compile(r"can't decode bytes? (?:0x[0-9a-f]{2} )?in position (?P<pos>\d+)")


@dataclass(frozen=True)
class Problem:
    message: str
    path: str | None = None  # items[3].title_zh
    line: int | None = None
    column: int | None = None  # for a JSON syntax error or a byte that is not UTF-8


def problems_of(texts: list[str], data: bytes | None = None) -> list[Problem]:
    """CatalogInvalid.problems as (path, line, message); a text that is not JSON gets the line and column of its
    syntax error (of its first byte that is not UTF-8 when `data`, the checked bytes, is given)."""
    out = []
    for text in texts:
        m = _PROBLEM.match(text)
        if m is not None:
            out.append(Problem(m["message"], m["path"], int(m["line"]) if m["line"] else None))
        elif (at := _SYNTAX_AT.search(text)) is not None:
            out.append(Problem(text, None, int(at["line"]), int(at["column"])))
        elif data is not None and (byte := _BYTE_AT.search(text)) is not None:
            before = data[:int(byte["pos"])]
            line_start = before.rfind(b"\n") + 1
            out.append(Problem(text, None, before.count(b"\n") + 1, len(before) - line_start + 1))
        else:
            out.append(Problem(text))
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
