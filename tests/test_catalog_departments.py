"""The catalog's optional departments list: the English names of the departments its items name in Chinese."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from contract.catalog.model import CatalogInvalid, parse_catalog

SHIPPED = Path(__file__).resolve().parents[1] / "assets" / "catalog" / "catalog.json"


def shipped() -> dict:
    return json.loads(SHIPPED.read_text(encoding="utf-8"))


def test_every_department_of_the_shipped_catalog_has_an_english_name():
    catalog = parse_catalog(SHIPPED.read_bytes())
    named = {i.department for i in catalog.items}
    assert {d.name for d in catalog.departments} == named
    assert all(catalog.department_title(n, "en") != n for n in named)
    assert catalog.department_title("区民政局", "zh_CN") == "区民政局"


def test_a_catalog_without_the_list_is_valid_and_shows_the_chinese_name():
    doc = shipped()
    del doc["departments"]
    catalog = parse_catalog(json.dumps(doc, ensure_ascii=False).encode())
    assert catalog.departments == () and catalog.department_title("区民政局", "en") == "区民政局"


def test_a_bad_departments_list_is_refused_with_its_place():
    doc = shipped()
    doc["departments"].append(dict(doc["departments"][0]))  # the same department twice
    doc["departments"][1]["colour"] = "red"  # a key the schema does not know
    del doc["departments"][2]["title_en"]
    with pytest.raises(CatalogInvalid) as refused:
        parse_catalog(json.dumps(doc, ensure_ascii=False, indent=1).encode())
    problems = " | ".join(refused.value.problems)
    assert "duplicate department '区人力资源和社会保障局'" in problems
    assert "departments[1]" in problems and "unknown key" in problems
    assert "departments[2]" in problems and "missing title_en" in problems
