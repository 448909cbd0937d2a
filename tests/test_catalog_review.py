"""What operators see before publishing: validation problems placed by field path and line (for the console's
errors beside the field), and item-level differences against the published catalog."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from contract.catalog.model import CatalogInvalid, parse_catalog
from contract.catalog.modules import fleet_modules
from district.catalog_diff import Problem, diff_catalogs, problems_of

SHIPPED = Path(__file__).resolve().parents[1] / "assets" / "catalog" / "catalog.json"


def test_problems_carry_the_field_path_and_the_line_of_the_uploaded_text():
    doc = json.loads(SHIPPED.read_text(encoding="utf-8"))
    doc["items"][1]["title_zh"] = 7
    doc["items"][2]["module"] = "no-such-module"
    text = json.dumps(doc, ensure_ascii=False, indent=2)
    lines = text.splitlines()
    # Where the two bad values sit in the text, found by reading it (not through the validator's line map).
    item_starts = [n for n, line in enumerate(lines, 1) if line.strip().startswith('"id"')
                   and n > next(i for i, l_ in enumerate(lines, 1) if l_.strip().startswith('"items"'))]
    title_line = next(n for n, line in enumerate(lines, 1) if n > item_starts[1] and '"title_zh": 7' in line)
    module_line = next(n for n, line in enumerate(lines, 1) if '"module": "no-such-module"' in line)
    with pytest.raises(CatalogInvalid) as refused:
        parse_catalog(text.encode(), fleet_modules())
    problems = problems_of(refused.value.problems)
    assert Problem("7 is not of type 'string'", "items[1].title_zh", title_line) in problems
    assert Problem("unknown module 'no-such-module'", "items[2].module", module_line) in problems


def test_a_text_that_is_not_json_is_one_problem_at_its_line_and_column():
    with pytest.raises(CatalogInvalid) as refused:
        parse_catalog(b'{"version": 1,', fleet_modules())
    [problem] = problems_of(refused.value.problems)
    # the 15th character of the only line is where a key should start
    assert (problem.path, problem.line, problem.column) == (None, 1, 15)
    assert problem.message.startswith("not valid JSON")
    data = b'{"version": 1,\n "items": ["\xe7\xa4"]}'  # a UTF-8 sequence cut short on line 2
    with pytest.raises(CatalogInvalid) as refused:
        parse_catalog(data, fleet_modules())
    [problem] = problems_of(refused.value.problems, data)
    assert (problem.line, problem.column) == (2, 13)  # after ` "items": ["`, 12 characters


def test_diff_names_added_removed_and_changed_fields_per_item():
    old = {"version": 4, "categories": [{"id": "social", "title_zh": "社保", "title_en": "Social"}],
           "items": [{"id": "a", "title_en": "A", "module": "status-query"},
                     {"id": "b", "title_en": "B", "module": "status-query", "enabled": True}]}
    new = {"version": 5, "categories": [{"id": "social", "title_zh": "社会保险", "title_en": "Social"}],
           "items": [{"id": "b", "title_en": "B2", "module": "status-query"},
                     {"id": "c", "title_en": "C", "module": "application-form"}]}
    found = diff_catalogs(json.dumps(old).encode(), json.dumps(new).encode())
    assert (found.old_version, found.new_version) == (4, 5)
    assert found.items.added == ["c"] and found.items.removed == ["a"]
    [b] = found.items.changed
    assert b.id == "b" and {(f.field, f.old, f.new) for f in b.fields} == {("title_en", "B", "B2"),
                                                                           ("enabled", True, None)}
    [social] = found.categories.changed
    assert [(f.field, f.old, f.new) for f in social.fields] == [("title_zh", "社保", "社会保险")]
    assert "~ item b: title_en: \"B\" -> \"B2\"" in found.lines()
    same = diff_catalogs(json.dumps(old).encode(), json.dumps(old, indent=3).encode())
    assert same.empty, "spacing and key order are no change"
