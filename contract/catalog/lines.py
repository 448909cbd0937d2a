"""Line numbers of the values in a JSON text, so catalog errors can say where they are.

Only used when a catalog is invalid (it is a plain recursive-descent scan, ~10x slower than json.loads).
"""

from __future__ import annotations

import json.decoder
import re
from collections.abc import Callable

# json's own string scanner: the same rules as the parser that read the file, so lines cannot drift.
_scanstring: Callable[[str, int], tuple[str, int]] = json.decoder.scanstring  # type: ignore[attr-defined]
_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?")
_WS = re.compile(r"[ \t\n\r]*")

Path = tuple[str | int, ...]


def line_map(text: str) -> dict[Path, int]:
    """{path: 1-based line} for every value in `text` (paths as jsonschema's `absolute_path`); {} if unparsable."""
    lines: dict[Path, int] = {}
    newlines = [m.start() for m in re.finditer("\n", text)]

    def line_of(pos: int) -> int:
        import bisect

        return bisect.bisect_left(newlines, pos) + 1

    def skip(pos: int) -> int:
        found = _WS.match(text, pos)
        assert found is not None  # the pattern matches the empty string
        return found.end()

    def value(pos: int, path: Path) -> int:
        pos = skip(pos)
        lines[path] = line_of(pos)
        ch = text[pos]
        if ch == "{":
            pos = skip(pos + 1)
            if text[pos] == "}":
                return pos + 1
            while True:
                key, pos = _scanstring(text, skip(pos) + 1)
                pos = skip(pos)
                if text[pos] != ":":
                    raise ValueError(pos)
                pos = skip(value(pos + 1, (*path, key)))
                if text[pos] == "}":
                    return pos + 1
                if text[pos] != ",":
                    raise ValueError(pos)
                pos += 1
        if ch == "[":
            pos = skip(pos + 1)
            if text[pos] == "]":
                return pos + 1
            n = 0
            while True:
                pos = skip(value(pos, (*path, n)))
                n += 1
                if text[pos] == "]":
                    return pos + 1
                if text[pos] != ",":
                    raise ValueError(pos)
                pos += 1
        if ch == '"':
            end: int = _scanstring(text, pos + 1)[1]
            return end
        for literal in ("true", "false", "null"):
            if text.startswith(literal, pos):
                return pos + len(literal)
        m = _NUMBER.match(text, pos)
        if not m:
            raise ValueError(pos)
        return m.end()

    try:
        value(0, ())
    except (ValueError, IndexError):
        pass
    return lines


def format_path(path: Path) -> str:
    """('items', 3, 'title_zh') -> 'items[3].title_zh'."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"
