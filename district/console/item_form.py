"""The console's form for one catalog item: what the posted fields change in the catalog text, and where the
validator's problems go beside them.

The form edits what contract/catalog/catalog.schema.json defines for an item: titles, department (and that
department's English name, kept in the catalog's `departments` list), category, module, shown or not, the offline
policy, and the inputs an application form asks for (`params.fields`: key,
kind, labels, required, choices, maximum length). Whatever the form does not show (icon, popularity,
other params, an input's default or bounds, keys the operator never touched) is carried over unchanged, and a
value left at what its absence means is not written: opening an item and saving it changes nothing. The search
keywords are edited for every item (a citizen who cannot find a service is answered with a keyword). Nothing is
judged here: the text goes to the one validator (contract.catalog.model.parse_catalog) like a pasted one.

A new item is the same form, empty, plus what only a new item needs: its id and the module's other parameters
(a JSON object). The id is checked like every other field, by the validator (pattern,
and a duplicate is named at the new item, which comes last).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

TEXT_FIELDS = ("title_zh", "title_en", "department", "category", "module")
POLICIES = ("online", "queue", "local")
INPUT_KINDS = ("text", "digits", "phone", "date", "choice", "months")
INPUT_PARTS = ("key", "kind", "label_zh", "label_en", "required", "max_length", "choices")
NEW_ITEM_FIELDS = ("id", "keywords", "params")
MAX_INPUTS = 40  # rows the form accepts (the catalog's largest form has 7)
_INPUT_PATH = re.compile(r"^params\.fields\[(?P<m>\d+)\](?:\.(?P<part>\w+))?")


def takes_inputs(item: Mapping[str, Any]) -> bool:
    """Whether the form shows the inputs editor: the module that asks for declared inputs, or an item that has
    some already."""
    params = item.get("params")
    return item.get("module") == "application-form" or (isinstance(params, dict) and "fields" in params)


def choices_text(choices: Any) -> str:
    """[[value, zh, en], ...] as the form's lines `value | 中文 | English`."""
    if not isinstance(choices, list):
        return ""
    return "\n".join(" | ".join(str(part) for part in c) if isinstance(c, list) else str(c) for c in choices)


def _choices(text: str) -> list[list[str]]:
    # A line with the wrong number of parts stays as the operator wrote it: the schema names it beside the field.
    return [[part.strip() for part in line.split("|")] for line in text.splitlines() if line.strip()]


def _number(text: str) -> int | str:
    text = text.strip()
    return int(text) if text.isdigit() else text  # not a number: the schema refuses it by name


def _apply_input(old: dict[str, Any], form: Mapping[str, str], row: int) -> dict[str, Any]:
    new = dict(old)  # default, minimum, maximum and any other key: carried over
    for part in ("key", "label_zh", "label_en"):
        new[part] = form.get(f"in-{row}-{part}", "").strip()
    kind = form.get(f"in-{row}-kind", "text")
    if kind != "text" or "kind" in old:
        new["kind"] = kind
    required = form.get(f"in-{row}-required") == "on"
    if required != bool(old.get("required", True)) or "required" in old:
        new["required"] = required
    max_length = form.get(f"in-{row}-max_length", "").strip()
    if max_length:
        new["max_length"] = _number(max_length)
    else:
        new.pop("max_length", None)
    choices = _choices(form.get(f"in-{row}-choices", ""))
    if choices or kind == "choice":
        new["choices"] = choices
    else:
        new.pop("choices", None)
    return new


def _inputs(old: list[Any], form: Mapping[str, str]) -> list[Any]:
    count = form.get("inputs_count", "")
    rows = min(int(count), MAX_INPUTS) if count.isdigit() else 0
    out: list[Any] = []
    for row in range(rows + 1):  # the last row is the empty one for a new input
        if f"in-{row}-key" not in form or form.get(f"in-{row}-remove") == "on":
            continue
        original = old[row] if row < rows and row < len(old) and isinstance(old[row], dict) else {}
        if not original and not any(form.get(f"in-{row}-{p}", "").strip() for p in ("key", "label_zh", "label_en")):
            continue  # the new-input row left empty
        out.append(_apply_input(original, form, row))
    return out


def department_english(doc: Mapping[str, Any], name: Any) -> str:
    """The English name the catalog's `departments` list gives department `name`, or ""."""
    listed = doc.get("departments")
    for d in listed if isinstance(listed, list) else []:
        if isinstance(d, dict) and d.get("name") == name and isinstance(d.get("title_en"), str):
            return d["title_en"]
    return ""


def _apply_department_english(doc: dict[str, Any], item: Mapping[str, Any], form: Mapping[str, str]) -> None:
    """The department's English name as the form says, in the catalog's top-level `departments` list.

    The name belongs to the department, shared by all its items, so it is written to the department the item
    names now. When the operator changed the department but left the English field as the old department had
    it, the field still speaks of the old one: nothing is written, and the page shown next offers the new
    department's own English name. Emptying the field removes the entry (citizens then read the Chinese name).
    """
    if "department_en" not in form or not isinstance(item.get("department"), str):
        return
    posted = form["department_en"].strip()
    shown_for = form.get("department_en_for", item["department"])
    if shown_for != item["department"] and posted == department_english(doc, shown_for):
        return
    listed = doc.get("departments")
    if listed is not None and not isinstance(listed, list):
        return  # the validator names what is wrong with it
    entries = listed if isinstance(listed, list) else []
    at = next((n for n, d in enumerate(entries) if isinstance(d, dict) and d.get("name") == item["department"]),
              None)
    if posted and at is None:
        entries.append({"name": item["department"], "title_en": posted})
    elif posted and at is not None:
        entries[at]["title_en"] = posted
    elif at is not None:
        del entries[at]
    if entries or "departments" in doc:
        doc["departments"] = entries


def apply_item_form(text: str, index: int, form: Mapping[str, str]) -> tuple[str, dict[str, Any]]:
    """The catalog text with item `index` changed as the form says (every other item and key as it was), and
    that item. Raises ValueError, KeyError, IndexError or TypeError when the text is not a catalog to edit."""
    doc = json.loads(text)
    item = doc["items"][index]
    for name in TEXT_FIELDS:
        if name in form:
            item[name] = form[name]
    _apply_department_english(doc, item, form)
    if "keywords" in form and form["keywords"] != ", ".join(map(str, item.get("keywords") or [])):
        item["keywords"] = keywords_of(form["keywords"])  # as shown: untouched, a keyword with a comma stays whole
    enabled = form.get("enabled") == "on"
    if enabled != bool(item.get("enabled", True)) or "enabled" in item:
        item["enabled"] = enabled
    if "offline_policy" in form:
        if form["offline_policy"]:
            item["offline_policy"] = form["offline_policy"]
        else:
            item.pop("offline_policy", None)  # as the module declares
    if "inputs_count" in form and isinstance(item.get("params", {}), dict):
        params = item.setdefault("params", {})
        old = params.get("fields")
        fields = _inputs(old if isinstance(old, list) else [], form)
        if fields or "fields" in params:
            params["fields"] = fields
        if not params:
            del item["params"]
    return json.dumps(doc, ensure_ascii=False, indent=1), item


def keywords_of(text: str) -> list[str]:
    """The form's keywords (separated by commas or new lines; a keyword may hold spaces)."""
    return [k.strip() for k in re.split(r"[,，\n]", text) if k.strip()]


def params_of(text: str) -> Any:
    """The module's parameters as posted: a JSON object, or the text itself when it is not JSON, for the
    validator to refuse beside the field (`is not of type 'object'`) instead of a second check here."""
    if not text.strip():
        return {}
    try:
        return json.loads(text)
    except ValueError:
        return text


def params_text(item: Mapping[str, Any]) -> str:
    """The new item's parameters other than its inputs (those have their own editor), as the form shows them."""
    params = item.get("params")
    if not isinstance(params, dict):
        return "" if params is None else str(params)
    rest = {k: v for k, v in params.items() if k != "fields"}
    return json.dumps(rest, ensure_ascii=False, indent=1) if rest else ""


def add_item_form(text: str, index: int, form: Mapping[str, str]) -> tuple[str, dict[str, Any]]:
    """The catalog text with the new item made as the form says, and that item. `index` is where the new item
    is: the end of the items on the first post, the item an earlier check of this form appended after that (so
    checking twice does not add it twice). Raises like apply_item_form."""
    doc = json.loads(text)
    items = doc["items"]
    if index == len(items):
        # The schema's order of an item's keys, so the published text reads like the others.
        items.append({"id": "", "title_zh": "", "title_en": "", "department": "", "category": "", "module": "",
                      "keywords": []})
    item = items[index]  # IndexError past the end
    item["id"] = form.get("id", "").strip()
    item["keywords"] = keywords_of(form.get("keywords", ""))
    params = params_of(form.get("params", ""))
    fields = item.get("params", {}).get("fields") if isinstance(item.get("params"), dict) else None
    if isinstance(params, dict) and fields is not None:
        params = {**params, "fields": fields}  # the inputs editor below owns them
    if params != {}:
        item["params"] = params
    else:
        item.pop("params", None)
    return apply_item_form(json.dumps(doc, ensure_ascii=False, indent=1), index, form)


def problems_beside(problems: list[Any], index: int, department_at: int | None = None) -> dict[str, list[str]]:
    """{form field: [messages]} for the problems of item `index`: `title_zh`, `offline_policy`, ... and an
    input row's `in-M-PART` (`in-M` for the row as a whole, e.g. a choice input without choices); those of
    `departments[department_at]` (the item's department) go beside `department_en`."""
    out: dict[str, list[str]] = {}
    prefix = f"items[{index}]."
    for p in problems:
        if department_at is not None and p.path and p.path.startswith(f"departments[{department_at}]"):
            out.setdefault("department_en", []).append(p.message)
            continue
        if not p.path or not p.path.startswith(prefix):
            continue
        rest = p.path[len(prefix):]
        found = _INPUT_PATH.match(rest)
        if found:
            part = found["part"] if found["part"] in INPUT_PARTS else None
            out.setdefault(f"in-{found['m']}" + (f"-{part}" if part else ""), []).append(p.message)
        elif (name := re.split(r"[.\[]", rest)[0]) in (*TEXT_FIELDS, *NEW_ITEM_FIELDS, "enabled", "offline_policy"):
            out.setdefault(name, []).append(p.message)
    return out
