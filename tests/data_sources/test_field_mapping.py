"""The declarative field mapping: conversions of what departments send, and errors that name the field."""

from __future__ import annotations

import pytest

from district.data_sources.field_mapping import MappingError, apply_mapping, check_mapping


@pytest.mark.parametrize(("spec", "value", "expected"), [
    ({"path": "v", "type": "month"}, "202401", "2024-01"),
    ({"path": "v", "type": "month"}, "2024-12", "2024-12"),
    ({"path": "v", "type": "month"}, 202403, "2024-03"),
    ({"path": "v", "type": "date"}, "20080301", "2008-03-01"),
    ({"path": "v", "type": "date"}, "2008-03-01", "2008-03-01"),
    ({"path": "v", "type": "number"}, "6,100.50", 6100.5),
    ({"path": "v", "type": "number"}, 3957, 3957.0),
    ({"path": "v", "type": "int"}, "36", 36),
    ({"path": "v", "type": "money"}, 1234567.891, "1,234,567.89"),
    ({"path": "v"}, 8801234567, "8801234567"),
    ({"path": "v", "values": {"1": "paid", "2": "arrears"}}, 1, "paid"),
    ({"path": "v", "default": "—"}, None, "—"),
])
def test_conversions(spec, value, expected):
    assert apply_mapping({"out": spec}, {"v": value}) == {"out": expected}


@pytest.mark.parametrize(("spec", "value", "message"), [
    ({"path": "v", "type": "month"}, "2024-13", "out: upstream 'v' is not a month: '2024-13'"),
    ({"path": "v", "type": "date"}, "20230229", "out: upstream 'v' is not a date"),
    ({"path": "v", "type": "number"}, "abc", "out: upstream 'v' is not a number"),
    ({"path": "v", "type": "number"}, True, "out: upstream 'v' is not a number"),
    ({"path": "v", "type": "int"}, 2.5, "out: upstream 'v' is not a int"),
    ({"path": "v"}, {"nested": 1}, "out: upstream 'v' is not a str"),
    ({"path": "v", "values": {"1": "paid"}}, "7", "out: upstream 'v' has unexpected value '7'"),
])
def test_values_that_do_not_fit_are_refused_by_name(spec, value, message):
    with pytest.raises(MappingError, match=message.replace("(", r"\(").replace(")", r"\)")):
        apply_mapping({"out": spec}, {"v": value})


def test_paths_lists_constants_and_nesting():
    answer = {"data": {"unit": {"name": "单位"}, "rows": [{"p": "202401", "a": 1}, {"p": "202402", "a": 2}]}}
    spec = {"employer": "data.unit.name", "first": "data.rows.0.p",
            "rows": {"each": "data.rows", "item": [{"path": "p", "type": "month"}, {"path": "a", "type": "money"}]},
            "label": [{"const": "合计"}, "data.rows.1.a"], "kinds": {"const": ["养老保险"]}}
    assert apply_mapping(spec, answer) == {
        "employer": "单位", "first": "202401", "rows": [["2024-01", "1.00"], ["2024-02", "2.00"]],
        "label": ["合计", 2], "kinds": ["养老保险"]}


def test_a_missing_field_names_the_output_and_the_upstream_path():
    with pytest.raises(MappingError, match=r"months\[1\]\.base: upstream has no 'base'"):
        apply_mapping({"months": {"each": "rows", "item": {"base": {"path": "base", "type": "number"}}}},
                      {"rows": [{"base": 1}, {}]})
    with pytest.raises(MappingError, match="upstream 'rows' is not a list"):
        apply_mapping({"months": {"each": "rows", "item": "x"}}, {"rows": {"x": 1}})


@pytest.mark.parametrize(("spec", "message"), [
    ({"a": {"path": "x", "type": "float"}}, "map.a: type must be one of"),
    ({"a": {"each": "rows"}}, "map.a: `each` needs a path and an `item` mapping"),
    ({"a": {"path": "x", "typo": 1}}, r"map.a: unknown keys \['typo'\]"),
    ({"a": 3}, "map.a: expected a path, a table or an array, not int"),
])
def test_a_mapping_that_can_never_work_is_refused_when_loaded(spec, message):
    with pytest.raises(MappingError, match=message):
        check_mapping(spec)
