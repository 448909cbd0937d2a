"""The shipped 195-item catalog, its schema validation (line and field named), and the menu's search."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from contract.catalog.model import CatalogInvalid, load_catalog, parse_catalog
from contract.catalog.search import keywords_for, normalise
from kiosk.cli import main
from tests.services.conftest import CATALOG


def test_shipped_catalog_is_valid_and_complete(catalog, registry):
    assert len(catalog.items) == 195
    assert len({i.id for i in catalog.items}) == 195
    per_category = Counter(i.category for i in catalog.items)
    assert set(per_category) == {c.id for c in catalog.categories} and min(per_category.values()) >= 10
    assert all(c.icon for c in catalog.categories)
    assert catalog.get("si-contribution-record").module == "social-insurance-record"
    used = {i.module for i in catalog.items}
    assert used == registry.ids()  # every built-in module serves items, and nothing else is referenced
    for item in catalog.items:  # every item's parameters make sense to its module
        fields = registry.get(item.module).inputs(item.params)
        assert len({f.key for f in fields}) == len(fields), item.id


def test_keywords_carry_chinese_pinyin_and_initials(catalog):
    for item in catalog.items:
        full, initials = keywords_for(item.title_zh)
        assert item.title_zh in item.keywords and full in item.keywords and initials in item.keywords, item.id


def test_menu_order_and_categories(catalog):
    first = catalog.enabled_items()[0]
    assert first.id == "si-contribution-record"
    social = catalog.in_category("social-insurance")
    assert social[0].id == "si-contribution-record"
    assert [i.popularity for i in social] == sorted((i.popularity for i in social), reverse=True)


@pytest.mark.parametrize("query,expected", [
    ("社保", "si-contribution-record"), ("shebao", "si-contribution-record"), ("sb", "si-contribution-record"),
    ("SHE BAO", "si-contribution-record"), ("公积金", "hf-deposit-cert"), ("gjj", "hf-deposit-cert"),
    ("gongjijin", "hf-deposit-cert"), ("无犯罪", "hh-no-crime-cert"), ("wfzzm", "hh-no-crime-cert"),
    ("异地就医", "mi-offsite-filing"), ("ydjy", "mi-offsite-filing"), ("provident fund", "hf-deposit-cert"),
    ("低保", "ca-subsistence-apply"), ("dibao", "ca-subsistence-apply"),
])
def test_search_matches_chinese_pinyin_initials_and_english(catalog, query, expected):
    hits = catalog.search(query)
    assert hits and hits[0].id == expected, [h.id for h in hits[:5]]


def test_search_as_you_type_narrows(catalog):
    sizes = [len(catalog.search(prefix)) for prefix in ("g", "gj", "gjj")]
    assert sizes[0] >= sizes[1] >= sizes[2] > 0
    assert catalog.search("zzzzqqq") == []
    assert len(catalog.search("")) == 50


def test_disabled_items_are_hidden_but_resolvable(tmp_path):
    doc = json.loads(CATALOG.read_text(encoding="utf-8"))
    doc["items"][0]["enabled"] = False
    c = parse_catalog(json.dumps(doc, ensure_ascii=False).encode())
    assert c.get(doc["items"][0]["id"]) is not None
    assert doc["items"][0]["id"] not in {i.id for i in c.enabled_items()}
    assert doc["items"][0]["id"] not in {i.id for i in c.search(doc["items"][0]["title_zh"])}


def _broken_catalog(tmp_path: Path) -> Path:
    doc = json.loads(CATALOG.read_text(encoding="utf-8"))
    doc["items"][3]["id"] = doc["items"][2]["id"]  # duplicate id
    doc["items"][5]["module"] = "no-such-module"  # unknown module
    del doc["items"][7]["title_zh"]  # missing title
    doc["items"][9]["category"] = "nowhere"  # unknown category
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(doc, ensure_ascii=False, indent=1), encoding="utf-8")
    return path


def test_validate_names_every_problem_with_line_and_field(tmp_path, registry):
    path = _broken_catalog(tmp_path)
    with pytest.raises(CatalogInvalid) as err:
        load_catalog(path, registry.ids())
    lines = path.read_text(encoding="utf-8").splitlines()
    for fragment, needle in (("items[7]: missing title_zh", "{"),  # the item's opening line
                             ("items[3].id: duplicate id", '"id"'),
                             ("items[5].module: unknown module 'no-such-module'", "no-such-module"),
                             ("items[9].category: unknown category 'nowhere'", "nowhere")):
        (problem,) = [p for p in err.value.problems if fragment in p]
        line = int(problem.split(":")[0].removeprefix("line "))
        assert needle in lines[line - 1], (problem, lines[line - 1])
    assert len(err.value.problems) == 4, err.value.problems


def test_cli_validate_lists_each_problem(tmp_path, capsys):
    path = _broken_catalog(tmp_path)
    assert main(["catalog", "validate", str(path)]) == 1
    err = capsys.readouterr().err
    assert "missing title_zh" in err and "items[7]" in err and "INVALID, 4 problem(s)" in err
    assert "duplicate id" in err and "unknown module 'no-such-module'" in err and "unknown category" in err
    assert main(["catalog", "validate", str(CATALOG)]) == 0
    assert "195 items" in capsys.readouterr().out


def test_schema_rejects_wrong_types_and_unknown_keys(tmp_path):
    doc = json.loads(CATALOG.read_text(encoding="utf-8"))
    doc["items"][1]["popularity"] = "high"
    doc["items"][2]["colour"] = "red"
    doc["items"][4]["keywords"] = []
    with pytest.raises(CatalogInvalid) as err:
        parse_catalog(json.dumps(doc, ensure_ascii=False, indent=1).encode())
    text = "\n".join(err.value.problems)
    assert "items[1].popularity" in text and "items[2]: unknown key(s)" in text and "items[4].keywords" in text
    with pytest.raises(CatalogInvalid) as err:
        parse_catalog(b"{not json")
    assert "not valid JSON" in err.value.problems[0]


def test_cli_list_json(capsys):
    assert main(["catalog", "list", "--json", "--file", str(CATALOG)]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(rows) == 195
    for row in rows:
        assert {"id", "title", "department", "category", "module", "offline_policy", "inputs"} <= set(row)
        assert row["offline_policy"] in ("online", "queue", "local")
    si = next(r for r in rows if r["id"] == "si-contribution-record")
    assert si["offline_policy"] == "queue" and si["inputs"][0]["key"] == "months"


def test_normalise():
    assert normalise("She Bao-Zheng·Ming") == "shebaozhengming"


def test_every_icon_is_shipped(catalog):
    import xml.etree.ElementTree as ET

    icons = CATALOG.parent / "icons"
    for name in {c.icon for c in catalog.categories} | {i.icon for i in catalog.items if i.icon}:
        root = ET.parse(icons / f"{name}.svg").getroot()
        assert root.tag.endswith("svg") and root.get("viewBox") == "0 0 48 48", name


def test_schema_checks_the_offline_policy_and_the_input_definitions():
    """What docs/services.md says an application form's `fields` are, and the item's offline policy, are part of
    the published schema: the console's item form, the CLI, the publisher and the kiosk refuse the same things."""
    doc = json.loads(CATALOG.read_text(encoding="utf-8"))
    forms = [n for n, i in enumerate(doc["items"]) if i["module"] == "application-form"]
    doc["items"][forms[0]]["offline_policy"] = "online"
    assert parse_catalog(json.dumps(doc, ensure_ascii=False).encode()).items[forms[0]].offline_policy == "online"
    doc["items"][forms[1]]["offline_policy"] = "sometimes"
    fields = doc["items"][forms[2]]["params"]["fields"]
    fields[0]["kind"] = "colour"
    fields.append({"key": fields[1]["key"], "label_zh": "重复", "label_en": "Again"})
    doc["items"][forms[3]]["params"]["fields"] = [{"key": "x", "kind": "choice", "label_zh": "选", "label_en": "Pick"}]
    doc["items"][forms[4]]["params"]["fields"][0]["label_en"] = ""
    with pytest.raises(CatalogInvalid) as err:
        parse_catalog(json.dumps(doc, ensure_ascii=False, indent=1).encode())
    text = "\n".join(err.value.problems)
    assert f"items[{forms[1]}].offline_policy: 'sometimes' is not one of" in text
    assert f"items[{forms[2]}].params.fields[0].kind: 'colour' is not one of" in text
    assert f"items[{forms[2]}].params.fields[{len(fields) - 1}].key: duplicate input key" in text
    assert f"items[{forms[3]}].params.fields[0]: missing choices" in text
    assert f"items[{forms[4]}].params.fields[0].label_en" in text
    assert len(err.value.problems) == 5, err.value.problems
