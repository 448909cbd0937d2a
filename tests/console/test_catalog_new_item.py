"""The console's "New item" form over HTTP (in process, no browser): the item form, empty, with an id field.

What it makes is checked by the one validator (contract.catalog.model.parse_catalog) like every other catalog:
a new item comes back valid with its diff (added) against the published version, checking it again does not add
it twice, a duplicate or malformed id is refused beside the id field, and publishing it goes through the
existing publish flow with an audit line. A viewer or staff member sees no button and is refused (403); so is a
post without the session's CSRF token. An existing item is hidden and shown again with its "Shown on kiosks" box."""

from __future__ import annotations

import json
import re

from fastapi.testclient import TestClient

from district.console import accounts, audit
from district.console.catalog_pages import MESSAGES
from tests.console.conftest import PASSWORD, csrf_of, log_in
from tests.console.test_catalog_editor import _catalog, _form_of, _problems, _review, _versions, district

__all__ = ["district"]  # the module-scoped district of the editor's tests (a fresh one for this module)

NEW_ID = "pet-licence-renewal"


def _new_item_form(client: TestClient) -> dict[str, str]:
    page = client.get("/console/catalog/new-item")
    assert page.status_code == 200
    assert 'id="f-id"' in page.text and 'id="inputs"' in page.text  # no module chosen yet: the inputs editor
    form = _form_of(page.text)
    assert form["item_index"] == str(len(json.loads(_catalog(1))["items"])) and form["new_item"] == "on"
    assert form["id"] == "" and form["module"] == "" and form["category"] == ""
    return form


def _filled(form: dict[str, str], item_id: str = NEW_ID) -> dict[str, str]:
    published = json.loads(_catalog(1))
    return {**form, "id": item_id, "title_zh": "犬只登记证续期", "title_en": "Dog licence renewal",
            "department": "区农业农村局", "category": published["categories"][0]["id"],
            "module": "application-form", "keywords": "犬只登记, quanzhidengji, qzdj",
            "params": '{"application_type": "pet_licence"}', "in-0-key": "tag_number", "in-0-kind": "digits",
            "in-0-label_zh": "犬牌号", "in-0-label_en": "Tag number", "in-0-required": "on"}


def _beside(html: str, field_id: str) -> str:
    found = re.search(rf'<p class="field-error" id="e-{field_id}" role="alert">(.*?)</p>', html, re.S)
    assert found, f"no problem shown beside {field_id}"
    assert re.search(rf'id="f-{field_id}"[^>]*aria-invalid="true"', html), field_id
    return found.group(1)


def test_a_new_item_is_validated_and_shown_in_the_diff(district):
    app, client, _token, _key = district
    published = json.loads(_catalog(1))
    checked = _review(client, _filled(_new_item_form(client)))
    assert checked.status_code == 200 and 'id="valid"' in checked.text, _problems(checked.text)
    assert f"{len(published['items']) + 1} items" in checked.text
    diff = checked.text.split('id="diff"')[1]
    assert re.search(rf"<td>{NEW_ID}</td><td>added</td>", diff)
    after = json.loads(_form_of(checked.text)["catalog"])
    assert after["items"][:-1] == published["items"], "every published item as it was"
    assert after["items"][-1] == {
        "id": NEW_ID, "title_zh": "犬只登记证续期", "title_en": "Dog licence renewal", "department": "区农业农村局",
        "category": published["categories"][0]["id"], "module": "application-form",
        "keywords": ["犬只登记", "quanzhidengji", "qzdj"],
        "params": {"application_type": "pet_licence",
                   "fields": [{"key": "tag_number", "kind": "digits", "label_zh": "犬牌号", "label_en": "Tag number"}]}}
    # checked again as the page now posts it: the same item, not a second one
    again = _form_of(checked.text)
    assert again["id"] == NEW_ID and again["new_item"] == "on" and again["module"] == "application-form"
    twice = _review(client, again)
    assert 'id="valid"' in twice.text, _problems(twice.text)
    assert json.loads(_form_of(twice.text)["catalog"]) == after
    assert _versions(app) == [1], "a check publishes nothing"


def test_a_duplicate_or_malformed_id_is_refused_beside_the_field(district):
    app, client, _token, _key = district
    existing = json.loads(_catalog(1))["items"][3]["id"]
    form = _new_item_form(client)
    duplicate = _review(client, _filled(form, existing))
    assert 'id="valid"' not in duplicate.text
    assert f"duplicate id &#39;{existing}&#39;" in _beside(duplicate.text, "id")
    malformed = _review(client, {**_filled(form, "Dog_Licence"), "params": "{not json", "keywords": ""})
    assert "does not match" in _beside(malformed.text, "id")
    assert "is not of type &#39;object&#39;" in _beside(malformed.text, "params")
    assert "should be non-empty" in _beside(malformed.text, "keywords")
    assert _versions(app) == [1]


def test_a_viewer_and_a_post_without_the_csrf_token_are_refused(district):
    app, client, _token, _key = district
    form = _filled(_new_item_form(client))
    assert client.post("/console/catalog/new", data={**form, "csrf_token": "", "action": "review"}).status_code == 403
    assert 'id="new-item"' in client.get("/console/catalog").text
    accounts.add_operator(app.state.engine, "staff", "staff", PASSWORD)
    for role in ("viewer", "staff"):
        with TestClient(app, base_url="https://testserver", follow_redirects=False) as other:
            other_token = log_in(other, role)
            assert 'id="new-item"' not in other.get("/console/catalog").text, role
            assert other.get("/console/catalog/new-item").status_code == 403, role
            refused = other.post("/console/catalog/new", data={**form, "csrf_token": other_token, "action": "review"})
            assert refused.status_code == 403, role
    assert _versions(app) == [1]


def test_an_item_is_hidden_and_shown_again_with_its_box(district):
    _app, client, _token, _key = district
    item_id = json.loads(_catalog(1))["items"][5]["id"]
    form = _form_of(client.get(f"/console/catalog/items/{item_id}").text)
    assert form["enabled"] == "on"
    hidden = _review(client, {k: v for k, v in form.items() if k != "enabled"})  # an unticked box is not posted
    assert 'id="valid"' in hidden.text, _problems(hidden.text)
    assert re.search(rf"<td>{item_id}</td><td>changed</td><td>enabled</td><td>true</td><td>false</td>", hidden.text)
    shown = _review(client, {**_form_of(hidden.text), "enabled": "on"})
    assert json.loads(_form_of(shown.text)["catalog"])["items"][5]["enabled"] is True


def test_a_new_item_is_published_through_the_existing_flow_with_an_audit_line(district):
    app, client, _token, key = district
    checked = _review(client, _filled(_new_item_form(client)))
    published = client.post("/console/catalog/new", data={**_form_of(checked.text), "action": "publish",
                                                          "targets_key": key})
    assert published.status_code == 303, published.text[:300]
    assert sorted(_versions(app)) == [1, 2]
    items = json.loads(app.state.repository.published_contents(2))["items"]
    assert items[-1]["id"] == NEW_ID
    [line] = audit.entries(app.state.engine, action="catalog.item.add")
    assert (line["actor"], line["target"]) == ("operator", f"item/{NEW_ID}")
    assert csrf_of(client.get("/console/catalog").text)


def test_the_new_item_form_speaks_chinese(district):
    _app, client, _token, _key = district
    page = client.get("/console/catalog/new-item", headers={"accept-language": "zh-CN,zh;q=0.9"}).text
    for key in ("item.new", "item.details", "field.id", "id.help", "field.keywords", "field.params",
                "department.help", "choose"):
        zh, en = MESSAGES[key][1], MESSAGES[key][0]
        assert zh in page and en not in page, key
    assert "使用模块 application-form 的事项所用参数：application_type" in page
