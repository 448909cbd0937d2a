"""Declarative mapping from an upstream's JSON to the record shape the kiosk's service modules expect.

A mapping (from the sources file, TOML) mirrors the shape it produces:
- a string is a dotted path into the upstream answer (`data.unit.name`, `items.0.amount`);
- `{path = "...", type = "...", values = {...}, default = ...}` looks a value up, translates it through `values`
  (upstream codes to ours, e.g. {"1" = "paid"}) and converts it to `type` (str, number, int, month, date, money);
- `{const = ...}` is a literal value (labels, titles, a fixed list);
- `{each = "path", item = SPEC}` maps every element of the list at `path` with SPEC (paths then start at the element);
- any other table maps key by key; an array maps element by element.
A value that is missing or of the wrong type raises MappingError naming the output field and the upstream path.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

TYPES = ("str", "number", "int", "month", "date", "money")
_SPEC_KEYS = {"path", "type", "values", "default"}
_MISSING = object()


class MappingError(ValueError):
    """The upstream answer does not fit the mapping (or the mapping itself is wrong)."""


def check_mapping(spec: Any, where: str = "map") -> None:
    """Refuse a mapping that can never work (unknown type, `each` without `item`) when the config is loaded."""
    if isinstance(spec, str):
        return
    if isinstance(spec, list):
        for n, sub in enumerate(spec):
            check_mapping(sub, f"{where}[{n}]")
        return
    if not isinstance(spec, Mapping):
        raise MappingError(f"{where}: expected a path, a table or an array, not {type(spec).__name__}")
    if "const" in spec:
        return
    if "each" in spec:
        if not isinstance(spec["each"], str) or "item" not in spec:
            raise MappingError(f"{where}: `each` needs a path and an `item` mapping")
        check_mapping(spec["item"], f"{where}.item")
        return
    if "path" in spec:
        unknown = set(spec) - _SPEC_KEYS
        if unknown:
            raise MappingError(f"{where}: unknown keys {sorted(unknown)}")
        if spec.get("type", "str") not in TYPES:
            raise MappingError(f"{where}: type must be one of {', '.join(TYPES)}")
        if "values" in spec and not isinstance(spec["values"], Mapping):
            raise MappingError(f"{where}: values must be a table")
        return
    for key, sub in spec.items():
        check_mapping(sub, f"{where}.{key}")


def apply_mapping(spec: Any, data: Any, where: str = "") -> Any:
    """The value `spec` builds from the upstream answer `data`."""
    if isinstance(spec, str):
        return _lookup(data, spec, where)
    if isinstance(spec, list):
        return [apply_mapping(sub, data, f"{where}[{n}]") for n, sub in enumerate(spec)]
    if "const" in spec:
        return spec["const"]
    if "each" in spec:
        items = _lookup(data, spec["each"], where)
        if not isinstance(items, list):
            raise MappingError(f"{where}: upstream {spec['each']!r} is not a list")
        return [apply_mapping(spec["item"], item, f"{where}[{n}]") for n, item in enumerate(items)]
    if "path" in spec:
        value = _lookup(data, spec["path"], where, spec.get("default", _MISSING))
        values = spec.get("values")
        if values is not None:
            key = str(value)
            if key not in values:
                raise MappingError(f"{where}: upstream {spec['path']!r} has unexpected value {_short(value)}")
            value = values[key]
        return _convert(value, spec.get("type", "str"), where, spec["path"])
    return {key: apply_mapping(sub, data, f"{where}.{key}" if where else key) for key, sub in spec.items()}


def _lookup(data: Any, path: str, where: str, default: Any = _MISSING) -> Any:
    value = data
    for part in path.split("."):
        if isinstance(value, Mapping) and part in value:
            value = value[part]
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            if default is not _MISSING:
                return default
            raise MappingError(f"{where or 'record'}: upstream has no {path!r}")
    if value is None and default is not _MISSING:
        return default
    return value


_MONTH = re.compile(r"^(\d{4})-?(\d{2})$")
_DATE = re.compile(r"^(\d{4})-?(\d{2})-?(\d{2})$")


def _convert(value: Any, kind: str, where: str, path: str) -> Any:
    bad = MappingError(f"{where}: upstream {path!r} is not a {kind}: {_short(value)}")
    if kind == "str":
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise bad
        return str(value)
    if kind in ("number", "money", "int"):
        if isinstance(value, bool):
            raise bad
        if isinstance(value, str):
            try:
                value = float(value.replace(",", ""))
            except ValueError:
                raise bad from None
        if not isinstance(value, int | float) or value != value:  # NaN
            raise bad
        if kind == "int":
            if float(value) != int(value):
                raise bad
            return int(value)
        return f"{float(value):,.2f}" if kind == "money" else float(value)
    text = str(value) if isinstance(value, str | int) and not isinstance(value, bool) else ""
    if kind == "month":
        m = _MONTH.match(text)
        if not m or not 1 <= int(m.group(2)) <= 12:
            raise bad
        return f"{m.group(1)}-{m.group(2)}"
    m = _DATE.match(text)  # date
    if not m:
        raise bad
    import datetime as dt

    try:
        return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3))).isoformat()
    except ValueError:
        raise bad from None


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."
