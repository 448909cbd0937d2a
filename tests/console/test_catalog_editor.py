"""The catalog editor over HTTP (in process, no browser).

The file upload: a good file is checked and published or staged exactly like a pasted text; a file that is not
JSON, not UTF-8, too large, or fails the schema is refused with its line (and column, or item and field) and
changes nothing; a viewer and a post without the CSRF token are refused.

The item form: posted back as a browser would post it (every control of the page's form), an untouched item
changes nothing; an edit of its offline policy and inputs changes that item alone, in the fields edited; the
validator's problems come back beside the form's fields."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from contract.catalog.model import parse_catalog
from contract.catalog.modules import fleet_modules
from district import catalog_rollout, kiosk_groups
from district.app import create_app
from district.console import accounts
from district.console.catalog_upload import MAX_CATALOG_FILE_BYTES
from district.kiosk_registry import add_kiosk
from district.settings import DistrictSettings
from district.tuf_repository import OperatorKeys, TufRepository
from tests.console.conftest import PASSWORD, csrf_of, log_in

SHIPPED = Path(__file__).resolve().parents[2] / "assets" / "catalog" / "catalog.json"


@pytest.fixture(scope="module")
def district(tmp_path_factory):
    """(app, operator client, its CSRF token, the targets key PEM): version 1 of the shipped catalog published.
    One district for the module (keys, TUF set-up and Argon2 logins cost seconds): a test that publishes stages
    version 2 last in file order, and every refusal checks that the versions did not change."""
    tmp_path = tmp_path_factory.mktemp("catalog-upload")
    keys = OperatorKeys(tmp_path / "keys")
    keys.create_missing()
    app = create_app(DistrictSettings(db_url=f"sqlite:///{tmp_path / 'district.db'}", demo=True,
                                      keys_dir=keys.folder))
    repository = TufRepository(app.state.engine)
    repository.initialise(keys)
    catalog_rollout.publish_version(repository, keys, _catalog(1), fleet_modules())
    for role in ("operator", "viewer"):
        accounts.add_operator(app.state.engine, role, role, PASSWORD)
    with TestClient(app, base_url="https://testserver", follow_redirects=False) as client:
        token = log_in(client, "operator")
        yield app, client, token, (keys.folder / "targets.pem").read_text()
    app.state.engine.dispose()


def _catalog(version: int, change=None) -> bytes:
    doc = json.loads(SHIPPED.read_text(encoding="utf-8"))
    doc["version"] = version
    if change:
        change(doc)
    return json.dumps(doc, ensure_ascii=False, indent=2).encode("utf-8")


def _post(client: TestClient, token: str, data: bytes, name: str = "new.json", **fields: str):
    return client.post("/console/catalog/new", data={"csrf_token": token, "action": "review", **fields},
                       files={"catalog_file": (name, data, "application/json")})


def _problems(html: str) -> str:
    found = re.search(r'<div id="problems".*?</div>', html, re.S)
    assert found, "no problems shown"
    return found.group(0)


def _versions(app) -> list[int]:
    return [r.version for r in catalog_rollout.rollouts(app.state.engine)]


def _line_of(data: bytes, needle: bytes) -> int:
    return data[:data.index(needle)].count(b"\n") + 1


NO_COMMA = _catalog(2).replace(b'"version": 2,', b'"version": 2', 1)


@pytest.mark.parametrize(("data", "place", "excerpt"), [
    # a missing comma after the version: json stops at the next key, indented by two spaces (column 3)
    (NO_COMMA, "line {}, column 3".format(_line_of(NO_COMMA, b'  "categories"')), '"categories": ['),
    # a byte that is not UTF-8 inside the first category's title
    (_catalog(2).replace("社会保险".encode(), b"\xff\xfe", 1), "column", "\ufffd"),
], ids=["syntax", "not-utf8"])
def test_a_file_that_is_not_json_is_refused_at_its_line_and_column(district, data, place, excerpt):
    app, client, token, key = district
    before = client.get("/console/catalog/new").text
    refused = _post(client, token, data, action="publish", targets_key=key)
    assert refused.status_code == 422
    problems = _problems(refused.text)
    assert "new.json" in problems and "nothing was changed" in problems
    assert place in problems and excerpt in problems.replace("&#34;", '"')
    if b"\xff" in data:
        assert "line {}, column".format(_line_of(data, b"\xff")) in problems and "not UTF-8 text" in problems
        # the editor keeps its text: a file that cannot be read replaces nothing
        assert re.search(r"<textarea id=\"catalog-text\"[^>]*></textarea>", refused.text)
    assert _versions(app) == [1]
    assert "catalog-file" in before


def test_a_schema_error_names_the_item_field_and_line(district):
    app, client, token, key = district

    def empty_title(doc):
        doc["items"][4]["title_zh"] = ""

    data = _catalog(2, empty_title)
    item_id = json.loads(data)["items"][4]["id"]
    line = next(n for n, text in enumerate(data.decode().splitlines(), 1) if '"title_zh": ""' in text)
    refused = _post(client, token, data, action="publish", targets_key=key)
    assert refused.status_code == 422
    problems = _problems(refused.text)
    assert f"item {item_id}, field title_zh" in problems
    assert f"line {line}, items[4].title_zh" in problems and "should be non-empty" in problems
    assert _versions(app) == [1]


def test_an_oversized_file_is_refused_before_it_is_read(district):
    app, client, token, key = district
    big = _catalog(2) + b" " * (MAX_CATALOG_FILE_BYTES + 1 - len(_catalog(2)))
    refused = _post(client, token, big, name="big.json", action="publish", targets_key=key)
    assert refused.status_code == 413
    assert "larger than 512 KB" in _problems(refused.text)
    assert _versions(app) == [1]


def test_a_viewer_and_a_post_without_the_csrf_token_are_refused(district):
    app, client, token, _key = district
    assert client.post("/console/catalog/new", data={"action": "review"},
                       files={"catalog_file": ("new.json", _catalog(2), "application/json")}).status_code == 403
    with TestClient(app, base_url="https://testserver", follow_redirects=False) as viewer:
        viewer_token = log_in(viewer, "viewer")
        assert _post(viewer, viewer_token, _catalog(2), action="publish").status_code == 403
        assert csrf_of(viewer.get("/console/catalog").text)
    assert _versions(app) == [1]


class _FormControls(HTMLParser):
    """The name/value pairs a browser posts for the page's catalog form: text and hidden inputs, checked
    checkboxes ("on"), each select's selected option (else its first), textareas' text; no file chosen."""

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, str] = {}
        self._in_form = False
        self._select: str | None = None
        self._first_option: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self._in_form = a.get("id") == "catalog-form"
        if not self._in_form:
            return
        if tag == "input" and a.get("name") and a.get("type") not in ("file", "submit"):
            if a.get("type") != "checkbox" or "checked" in a:
                self.values[a["name"]] = a.get("value") if a.get("type") != "checkbox" else "on"
        elif tag == "select":
            self._select, self._first_option = a["name"], None
        elif tag == "option" and self._select:
            if self._first_option is None:
                self._first_option = a.get("value", "")
            if "selected" in a:
                self.values[self._select] = a.get("value", "")
        elif tag == "textarea":
            self._textarea = a["name"]
            self.values[self._textarea] = ""

    def handle_endtag(self, tag):
        if tag == "form":
            self._in_form = False
        elif tag == "select" and self._select:
            self.values.setdefault(self._select, self._first_option or "")
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self.values[self._textarea] += data


def _form_of(html: str) -> dict[str, str]:
    parser = _FormControls()
    parser.feed(html)
    # a browser drops the newline right after <textarea>; html.parser keeps it
    return {k: v[1:] if k in ("catalog",) and v.startswith("\n") else v for k, v in parser.values.items()}


def _review(client: TestClient, form: dict[str, str]):
    return client.post("/console/catalog/new", data={**form, "action": "review"})


def _published_items() -> dict[str, dict]:
    return {i["id"]: i for i in json.loads(_catalog(1))["items"]}


@pytest.mark.parametrize("module", ["application-form", "information-sheet", "record-certificate", "status-query",
                                    "appointment-booking", "social-insurance-record"])
def test_an_item_saved_untouched_changes_nothing(district, module):
    _app, client, _token, _key = district
    item_id = next(i for i, v in _published_items().items() if v["module"] == module)
    page = client.get(f"/console/catalog/items/{item_id}")
    assert page.status_code == 200
    assert ('id="inputs"' in page.text) == (module == "application-form")
    checked = _review(client, _form_of(page.text))
    assert checked.status_code == 200 and 'id="valid"' in checked.text
    assert "No changes." in checked.text and 'id="diff"' not in checked.text


def test_an_edited_policy_and_inputs_change_that_item_alone(district):
    _app, client, _token, _key = district
    published = _published_items()
    item_id = next(i for i, v in published.items() if v["module"] == "application-form"
                   and len(v["params"]["fields"]) >= 3 and all("choices" not in f for f in v["params"]["fields"]))
    form = _form_of(client.get(f"/console/catalog/items/{item_id}").text)
    rows = int(form["inputs_count"])
    form["offline_policy"] = "online"
    form["in-1-label_en"] = "New wording"
    form["in-2-remove"] = "on"
    form.update({f"in-{rows}-key": "delivery", f"in-{rows}-kind": "choice", f"in-{rows}-label_zh": "领取方式",
                 f"in-{rows}-label_en": "Delivery", f"in-{rows}-required": "on",
                 f"in-{rows}-choices": "post | 邮寄 | By post\ncounter | 窗口领取 | At the counter"})
    checked = _review(client, form)
    assert checked.status_code == 200 and 'id="valid"' in checked.text, _problems(checked.text)
    diff = checked.text.split('id="diff"')[1]
    assert item_id in diff and "offline_policy" in diff and "params" in diff
    after = {i["id"]: i for i in json.loads(_form_of(checked.text)["catalog"])["items"]}
    assert {k: v for k, v in after.items() if k != item_id} == {k: v for k, v in published.items() if k != item_id}
    before_fields = published[item_id]["params"]["fields"]
    expected = {**published[item_id], "offline_policy": "online",
                "params": {**published[item_id]["params"], "fields": [
                    before_fields[0], {**before_fields[1], "label_en": "New wording"}, *before_fields[3:],
                    {"key": "delivery", "kind": "choice", "label_zh": "领取方式", "label_en": "Delivery",
                     "choices": [["post", "邮寄", "By post"], ["counter", "窗口领取", "At the counter"]]}]}}
    assert after[item_id] == expected
    # the page shows the edited item's rows again: the new input is a row of its own, an empty one follows
    again = _form_of(checked.text)
    assert again[f"in-{rows - 1}-key"] == "delivery" and again[f"in-{rows}-key"] == ""
    assert again["offline_policy"] == "online"


def test_the_validators_problems_come_back_beside_the_fields(district):
    _app, client, _token, _key = district
    item_id = next(i for i, v in _published_items().items() if v["module"] == "application-form")
    form = _form_of(client.get(f"/console/catalog/items/{item_id}").text)
    rows = int(form["inputs_count"])
    form["offline_policy"] = "sometimes"  # not an option of the select: a hand-made post
    form["in-0-max_length"] = "long"
    form.update({f"in-{rows}-key": "Bad Key", f"in-{rows}-kind": "choice", f"in-{rows}-label_zh": "选",
                 f"in-{rows}-label_en": "Pick"})
    refused = _review(client, form)
    assert refused.status_code == 200 and 'id="valid"' not in refused.text

    def beside(field_id: str, control: str | None = None) -> str:
        found = re.search(rf'<p class="field-error" id="e-{field_id}" role="alert">(.*?)</p>', refused.text, re.S)
        assert found, f"no problem shown beside {field_id}"
        if control:
            assert re.search(rf'id="{control}"[^>]*aria-invalid="true"', refused.text), control
        return found.group(1)

    assert "is not one of" in beside("offline_policy", "f-offline_policy")
    assert "is not of type" in beside("in-0-max_length", "in-0-max_length")
    assert "does not match" in beside(f"in-{rows}-key", f"in-{rows}-key")
    assert "should be non-empty" in beside(f"in-{rows}-choices", f"in-{rows}-choices")  # a choice needs choices


def test_a_good_file_is_checked_with_its_diff_then_staged_like_a_paste(district):
    app, client, token, key = district

    def retitle(doc):
        doc["items"][2]["title_en"] = "Uploaded wording"

    data = _catalog(2, retitle)
    checked = _post(client, token, data)
    assert checked.status_code == 200
    assert 'id="valid"' in checked.text and "version 2" in checked.text
    assert "Uploaded wording" in checked.text.split('id="diff"')[1], "the diff names the changed field"
    assert _versions(app) == [1], "a check publishes nothing"

    add_kiosk(app.state.engine, "canary-1")
    kiosk_groups.add_to_group(app.state.engine, "canary", ["canary-1"])
    staged = _post(client, token, data, action="publish", group="canary", targets_key=key)
    assert staged.status_code == 303, staged.text[:300]
    assert staged.headers["location"].startswith("/console/catalog?notice=published&v=2")
    [row] = [r for r in catalog_rollout.rollouts(app.state.engine) if r.version == 2]
    assert (row.group, row.state) == ("canary", "staged")
    assert app.state.repository.published_contents(2) == data, "the file's bytes are what was signed"


def _departments(html: str) -> dict[str, str]:
    doc = json.loads(_form_of(html)["catalog"])
    return {d["name"]: d["title_en"] for d in doc.get("departments", [])}


def test_the_departments_english_name_is_edited_beside_its_department_for_all_its_items(district):
    _app, client, _token, _key = district
    published = _published_items()
    before = {d["name"]: d["title_en"] for d in json.loads(_catalog(1))["departments"]}
    item_id, item = next((i, v) for i, v in published.items() if v["department"] in before)
    form = _form_of(client.get(f"/console/catalog/items/{item_id}").text)
    assert form["department_en"] == before[item["department"]], "the form shows the department's English name"
    form["department_en"] = "Human resources and social security"
    checked = _review(client, form)
    assert checked.status_code == 200 and 'id="valid"' in checked.text, _problems(checked.text)
    assert _departments(checked.text) == {**before, item["department"]: "Human resources and social security"}
    after = {i["id"]: i for i in json.loads(_form_of(checked.text)["catalog"])["items"]}
    assert after == published, "the name is the department's: no item changes"
    catalog = parse_catalog(_form_of(checked.text)["catalog"].encode(), fleet_modules())
    assert catalog.department_title(item["department"], "en") == "Human resources and social security"

    emptied = {**form, "department_en": ""}  # citizens then read the Chinese name
    checked = _review(client, emptied)
    assert item["department"] not in _departments(checked.text)
    assert len(_departments(checked.text)) == len(before) - 1


def test_moving_an_item_to_another_department_does_not_rename_that_department(district):
    _app, client, _token, _key = district
    published = _published_items()
    before = {d["name"]: d["title_en"] for d in json.loads(_catalog(1))["departments"]}
    item_id, item = next((i, v) for i, v in published.items() if v["department"] in before)
    other = next(d for d in before if d != item["department"])
    form = _form_of(client.get(f"/console/catalog/items/{item_id}").text)
    form["department"] = other  # the English field still shows the old department's name
    checked = _review(client, form)
    assert 'id="valid"' in checked.text, _problems(checked.text)
    assert _departments(checked.text) == before
    assert _form_of(checked.text)["department_en"] == before[other], "the page now offers the new one's name"

    form["department"] = "区退役军人事务局"  # a department the catalog does not list yet, named in English at once
    form["department_en"] = "Veterans affairs bureau"
    checked = _review(client, form)
    assert 'id="valid"' in checked.text, _problems(checked.text)
    assert _departments(checked.text) == {**before, "区退役军人事务局": "Veterans affairs bureau"}

    form["department_en"] = "x" * 121
    refused = _review(client, form)
    found = re.search(r'<p class="field-error" id="e-department_en" role="alert">(.*?)</p>', refused.text, re.S)
    assert found and "is too long" in found.group(1)
    assert re.search(r'id="f-department_en"[^>]*aria-invalid="true"', refused.text)


def test_an_items_search_keywords_are_edited_and_reach_the_catalogs_search(district):
    _app, client, _token, _key = district
    published = _published_items()
    item_id, item = next((i, v) for i, v in published.items() if v["module"] == "social-insurance-record")
    form = _form_of(client.get(f"/console/catalog/items/{item_id}").text)
    assert form["keywords"] == ", ".join(item["keywords"])
    form["keywords"] += "，缴费证明\nnew keyword"  # a Chinese comma and a new line separate too
    checked = _review(client, form)
    assert 'id="valid"' in checked.text, _problems(checked.text)
    after = {i["id"]: i for i in json.loads(_form_of(checked.text)["catalog"])["items"]}
    assert after[item_id] == {**item, "keywords": [*item["keywords"], "缴费证明", "new keyword"]}
    assert {k: v for k, v in after.items() if k != item_id} == {k: v for k, v in published.items() if k != item_id}
    catalog = parse_catalog(_form_of(checked.text)["catalog"].encode(), fleet_modules())
    assert item_id in [i.id for i in catalog.items if "缴费证明" in i.keywords]
