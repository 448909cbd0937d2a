"""The menu's search index: matches Chinese, full pinyin and pinyin initials, as the citizen types.

Keywords are precomputed in the catalog file (`keywords_for()` generates them with pypinyin when the catalog is
authored), so building the index is only normalising strings: no pypinyin at load time (its dictionaries take
~0.3 s to load). A query is matched as a substring of each item's search strings after lower-casing and dropping
spaces and separators; results are ranked by where it matched (start of the title or a keyword; inside one; the department), then
by popularity.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

_SEPARATORS = re.compile(r"[\s\-_·,，、/()（）]+")


def normalise(text: str) -> str:
    """Lower-case, without spaces and separators: 'She Bao' and 'she-bao' both become 'shebao'."""
    return _SEPARATORS.sub("", text).lower()


def keywords_for(text: str) -> list[str]:
    """Full pinyin and pinyin initials of a Chinese text, e.g. '社保' -> ['shebao', 'sb'] (authoring only)."""
    from pypinyin import Style, lazy_pinyin

    hanzi = "".join(ch for ch in text if "\u4e00" <= ch <= "\u9fff")
    if not hanzi:
        return []
    full = "".join(lazy_pinyin(hanzi, errors="ignore"))
    initials = "".join(lazy_pinyin(hanzi, style=Style.FIRST_LETTER, errors="ignore"))
    return [full, initials]


class Searchable(Protocol):
    """What the index reads of an item (read-only, so frozen dataclasses fit)."""

    @property
    def id(self) -> str: ...

    @property
    def title_zh(self) -> str: ...

    @property
    def title_en(self) -> str: ...

    @property
    def department(self) -> str: ...

    @property
    def keywords(self) -> tuple[str, ...]: ...

    @property
    def popularity(self) -> int: ...


@dataclass(frozen=True)
class _Entry:
    item: Searchable
    title_zh: str
    title_en: str
    keywords: tuple[str, ...]
    department: str


class SearchIndex:
    """Items' normalised search strings; `search()` scans them (195 items: well under a millisecond)."""

    def __init__(self, items: Iterable[Searchable]) -> None:
        self._entries = tuple(
            _Entry(item=i, title_zh=normalise(i.title_zh), title_en=normalise(i.title_en),
                   keywords=tuple(normalise(k) for k in i.keywords if k), department=normalise(i.department))
            for i in items)

    def search(self, query: str, limit: int = 50) -> list[Searchable]:
        """Items matching `query` (Chinese, pinyin, initials or English), best first."""
        q = normalise(query)
        if not q:
            return []
        ranked: list[tuple[int, int, str, Searchable]] = []
        for e in self._entries:
            rank = self._rank(e, q)
            if rank is not None:
                ranked.append((rank, -e.item.popularity, e.item.id, e.item))
        ranked.sort(key=lambda r: r[:3])
        return [r[3] for r in ranked[:limit]]

    @staticmethod
    def _rank(e: _Entry, q: str) -> int | None:
        # Two tiers, each ordered by popularity: what the citizen typed starts the title or a keyword (the
        # name they know, '社保' or 'gjj'), or only appears inside one; a department match comes last.
        if e.title_zh.startswith(q) or e.title_en.startswith(q) or any(k.startswith(q) for k in e.keywords):
            return 0
        if q in e.title_zh or q in e.title_en or any(q in k for k in e.keywords):
            return 1
        if q in e.department:
            return 2
        return None


def search_strings(items: Sequence[Searchable]) -> int:
    """How many strings the index holds for `items` (diagnostics)."""
    return sum(3 + len(i.keywords) for i in items)
