"""Console pages of catalog publishing in stages (docs/catalog-publishing.md): versions and rollout state per group
with applied counts, an editor for the catalog JSON and a form for one item (errors beside the field and line), the
diff against the published catalog, publish to a group or to all, promote, halt, rollback.

Only the `catalog` permission sees the buttons and forms that change anything; its POSTs are refused for anyone
else (403), and every POST needs the session's CSRF token. The targets key is never stored: a publication either
carries its PEM in the form (used for that request only) or shows a signing request for the offline machine.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import parse_qs, urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from contract.catalog.model import CatalogInvalid, parse_catalog
from district import catalog_rollout, kiosk_groups
from district.catalog_api import MAX_CATALOG_CHARS, _online_keys
from district.catalog_diff import Problem, diff_catalogs, problems_of
from district.catalog_publishing import district_fleet_modules
from district.catalog_signing import SessionKeys, SigningError, prepare, upload
from district.console import audit
from district.console.catalog_upload import MAX_CATALOG_FILE_BYTES, CatalogFile, read_catalog_form
from district.console.guard import PREFIX, ConsoleRefused, Identity, check_csrf, page_identity, require
from district.console.item_form import (
    INPUT_KINDS,
    POLICIES,
    add_item_form,
    apply_item_form,
    choices_text,
    department_english,
    params_text,
    problems_beside,
    takes_inputs,
)
from district.console.render import lang_of, render
from district.tuf_repository import NotSigned, RepositoryError, TufRepository, VersionNotHigher

router = APIRouter(prefix=f"{PREFIX}/catalog", include_in_schema=False)
_ITEM_PATH = re.compile(r"^items\[(?P<n>\d+)\](?:\.(?P<field>[\w]+))?")

MESSAGES: dict[str, tuple[str, str]] = {
    "title": ("Catalog", "服务目录"),
    "fleet": ("Every kiosk is offered version {v}.", "所有终端当前发布版本 {v}。"),
    "fleet.none": ("No catalog is published yet.", "尚未发布服务目录。"),
    "stage": ("Version {v} is staged for group “{g}”: {n} of {a} kiosk(s) run it.",
              "版本 {v} 正在分组“{g}”试发布：{a} 台中已有 {n} 台应用。"),
    "versions": ("Versions", "版本"),
    "col.version": ("Version", "版本"), "col.state": ("State", "状态"), "col.audience": ("Offered to", "发布对象"),
    "col.applied": ("Applied", "已应用"), "col.note": ("Note", "说明"), "col.when": ("Since", "时间"),
    "col.actions": ("Actions", "操作"),
    "all": ("all kiosks", "所有终端"), "group": ("group {g}", "分组 {g}"),
    "state.staged": ("staged", "试发布中"), "state.promoted": ("promoted", "已全量发布"),
    "state.halted": ("halted", "已暂停"), "state.superseded": ("superseded", "已被取代"),
    "applied": ("{n} of {a}", "{a} 台中 {n} 台"),
    "promote": ("Promote to all kiosks", "发布到所有终端"), "halt": ("Halt", "暂停"),
    "halt.reason": ("Reason for the halt", "暂停原因"),
    "rollback": ("Roll back", "回滚"),
    "rollback.help": ("Republishes an earlier version's content as a new, higher version (kiosks refuse lower "
                      "versions).", "将早先版本的内容以更高的新版本号重新发布（终端拒绝更低版本）。"),
    "rollback.to": ("Content of version", "回滚到版本的内容"),
    "groups": ("Kiosk groups", "终端分组"), "groups.none": ("No groups yet.", "暂无分组。"),
    "group.name": ("Group", "分组"), "group.kiosks": ("Kiosks (separated by spaces)", "终端（以空格分隔）"),
    "group.add": ("Add to group", "加入分组"),
    "new": ("New version", "新版本"), "edit.item": ("Edit", "编辑"),
    "items": ("Items", "服务事项"),
    "editor": ("Catalog JSON", "服务目录 JSON"),
    "editor.help": ("Edit or paste a catalog; it is checked exactly as the kiosks check it.",
                    "编辑或粘贴服务目录；校验方式与终端完全相同。"),
    "target": ("Publish to", "发布对象"),
    "bump": ("Publish as the next version number", "使用下一个版本号发布"),
    "key": ("Targets key (PEM), used for this request only; leave empty to sign offline",
            "目标密钥（PEM），仅用于本次请求；留空则离线签名"),
    "review": ("Check and show changes", "校验并显示变更"), "publish": ("Publish", "发布"),
    "problems": ("{n} problem(s): nothing was published.", "发现 {n} 个问题：未发布。"),
    "problem.at": ("line {line}, {path}", "第 {line} 行，{path}"),
    "problem.at_column": ("line {line}, column {column}", "第 {line} 行第 {column} 列"),
    "problem.item_field": ("item {item}, field {field}", "事项 {item} 的字段 {field}"),
    "problem.item": ("item {item}", "事项 {item}"),
    "upload.file": ("Or a catalog file (JSON, UTF-8, at most {kb} KB): it replaces the text",
                    "或上传服务目录文件（JSON，UTF-8，不超过 {kb} KB）：将替换上方文本"),
    "upload.not_utf8": ("The file is not UTF-8 text: save it as UTF-8 and upload it again.",
                        "文件不是 UTF-8 文本：请另存为 UTF-8 后重新上传。"),
    "upload.checked": ("The file “{name}” was checked.", "已校验文件“{name}”。"),
    "upload.refused": ("The file “{name}” was refused; nothing was changed.", "文件“{name}”被拒绝，未做任何更改。"),
    "upload.too_large": ("The file “{name}” is larger than {kb} KB.", "文件“{name}”超过 {kb} KB。"),
    "valid": ("Valid: version {v} with {n} items.", "校验通过：版本 {v}，共 {n} 个事项。"),
    "diff": ("Changes against version {v}", "相对版本 {v} 的变更"), "diff.none": ("No changes.", "无变更。"),
    "diff.added": ("added", "新增"), "diff.removed": ("removed", "删除"), "diff.changed": ("changed", "修改"),
    "col.item": ("Item", "事项"), "col.change": ("Change", "变更"), "col.field": ("Field", "字段"),
    "col.old": ("Published", "已发布"), "col.new": ("New", "新"),
    "signing": ("Sign this request on the offline machine", "请在离线计算机上签署此请求"),
    "signing.help": ("Save it as request.json, run `kiosk-district catalog sign request.json --targets-key KEY "
                     "--out signed.json` there, and paste signed.json below.",
                     "保存为 request.json，在离线计算机上运行 `kiosk-district catalog sign request.json "
                     "--targets-key KEY --out signed.json`，再将 signed.json 粘贴到下方。"),
    "signed": ("Signed answer (signed.json)", "签名结果（signed.json）"), "upload": ("Publish signed", "发布已签名版本"),
    "done.published": ("Version {v} published ({state}).", "版本 {v} 已发布（{state}）。"),
    "done.promoted": ("Version {v} is offered to every kiosk now.", "版本 {v} 已发布到所有终端。"),
    "done.halted": ("Version {v} is halted.", "版本 {v} 已暂停。"),
    "done.group": ("Group updated.", "分组已更新。"),
    "field.title_zh": ("Title (Chinese)", "名称（中文）"), "field.title_en": ("Title (English)", "名称（英文）"),
    "field.department": ("Department", "部门"), "field.category": ("Category", "类别"),
    "field.module": ("Service module", "服务模块"), "field.enabled": ("Shown on kiosks", "在终端显示"),
    "field.offline_policy": ("While the district is unreachable", "区服务器无法连接时"),
    "policy.": ("As its service module declares", "按服务模块的设定"),
    "policy.online": ("Refuse it: it needs the district now", "不办理：须实时连接区服务器"),
    "policy.queue": ("Offer to queue it, submitted later (if its module can)", "可排队，联网后提交（模块支持时）"),
    "policy.local": ("Run it: needs nothing remote (if its module does)", "照常办理：无需联网（模块支持时）"),
    "policy.help": ("The kiosk applies the stricter of this and its module's own policy.",
                    "终端采用此设定与服务模块自身设定中更严格的一项。"),
    "inputs": ("Inputs the citizen fills in", "市民填写的信息"),
    "inputs.help": ("One group per input, in the order the kiosk asks for them. Fill in the last, empty group to "
                    "add one; tick “Remove” to drop one.",
                    "每组为一项，按终端询问的顺序排列。填写最后的空白组可新增一项；勾选“删除”可移除。"),
    "input.n": ("Input {n}", "第 {n} 项"), "input.new": ("New input", "新增一项"),
    "input.key": ("Key (a-z, 0-9, _)", "键名（a-z、0-9、_）"), "input.kind": ("Kind", "类型"),
    "input.label_zh": ("Label (Chinese)", "标签（中文）"), "input.label_en": ("Label (English)", "标签（英文）"),
    "input.required": ("Required", "必填"), "input.max_length": ("Maximum length", "最大长度"),
    "input.choices": ("Choices, one per line: value | 中文 | English", "选项，每行一个：值 | 中文 | English"),
    "input.remove": ("Remove", "删除"),
    "kind.text": ("Text", "文本"), "kind.digits": ("Digits", "数字"), "kind.phone": ("Phone number", "电话号码"),
    "kind.date": ("Date (YYYY-MM-DD)", "日期（YYYY-MM-DD）"), "kind.choice": ("Choice", "选项"),
    "kind.months": ("Number of months", "月数"),
    "item.new": ("New item", "新增事项"), "item.details": ("The item", "事项信息"),
    "field.id": ("Id", "标识"),
    "id.help": ("2 to 64 characters: a-z, 0-9 and “-”, starting with a letter or digit; unique in the catalog; "
                "it cannot be changed once published.",
                "2 至 64 个字符：a-z、0-9 和“-”，以字母或数字开头；在服务目录中唯一；发布后不可更改。"),
    "field.keywords": ("Search keywords (Chinese, full pinyin, pinyin initials), separated by commas",
                       "搜索关键词（中文、全拼、拼音首字母），以逗号分隔"),
    "field.params": ("The service module's parameters (a JSON object)", "服务模块的参数（JSON 对象）"),
    "params.used": ("Items with module {m} use: {keys}", "使用模块 {m} 的事项所用参数：{keys}"),
    "params.none": ("Published items with this module use no parameters.", "已发布的此模块事项不使用参数。"),
    "department.help": ("Choose one of the catalog's departments or type a new one.",
                        "选择服务目录中的部门，或输入新的部门。"),
    "field.department_en": ("The department's English name", "部门英文名称"),
    "department_en.help": ("Shared by every item of this department; citizens who chose English read it in the "
                           "elders' menu. Left empty, they read the Chinese name.",
                           "该部门所有事项共用；选择英文的市民在长辈版菜单中看到此名称。留空则显示中文名称。"),
    "choose": ("Choose…", "请选择…"),
    "item.none": ("Publish a catalog first: a new item is added to the published one.",
                  "请先发布服务目录：新增事项将加入已发布的服务目录。"),
}


def catalog_translator(lang: str):
    index = 1 if lang == "zh" else 0

    def c(key: str, **params: object) -> str:
        text = MESSAGES[key][index] if key in MESSAGES else key
        return text.format(**params) if params else text

    return c


def _page(request: Request, template: str, identity: Identity, status_code: int = 200, **context: Any) -> Response:
    c = catalog_translator(lang_of(request))
    return render(request, template, identity, "catalog", status_code=status_code, c=c,
                  title=context.pop("title", c("title")), may_publish=identity.operator.may("catalog"),
                  max_file_kb=MAX_CATALOG_FILE_BYTES // 1024, policies=POLICIES, input_kinds=INPUT_KINDS,
                  takes_inputs=takes_inputs, choices_text=choices_text, params_text=params_text, **context)


async def _form(request: Request, identity: Identity, write: bool = True) -> dict[str, str]:
    """The posted form (bounded like a catalog upload, larger than the console's general form limit), its CSRF
    token checked; `write`: the catalog permission is required too."""
    body = await request.body()
    if len(body) > MAX_CATALOG_CHARS * 4:
        raise ConsoleRefused(413, "form too large")
    try:
        parsed = parse_qs(body.decode("utf-8"), keep_blank_values=True, max_num_fields=50)
    except (UnicodeDecodeError, ValueError):
        raise ConsoleRefused(400, "malformed form") from None
    form = {k: v[-1] for k, v in parsed.items()}
    check_csrf(identity, form, request)
    if write:
        require(identity, "catalog")
    return form


def _see(path: str, **query: Any) -> RedirectResponse:
    return RedirectResponse(f"{PREFIX}/catalog{path}" + (f"?{urlencode(query)}" if query else ""), status_code=303)


def _actor(identity: Identity) -> str:
    return identity.operator.name


def _repository(request: Request) -> TufRepository:
    repository: TufRepository = request.app.state.repository
    return repository


def _fleet_content(request: Request) -> tuple[bytes | None, int | None, int]:
    """(the fleet's catalog bytes, its version, the next version number)."""
    repository = _repository(request)
    with repository.session() as s:
        offer = catalog_rollout.fleet_offer(s, repository)
        highest = catalog_rollout.highest_version(s, repository) or 0
    content = repository.published_contents(offer.version) if offer else None
    return content, offer.version if offer else None, highest + 1


@router.get("")
def catalog_page(request: Request, identity: Identity = Depends(page_identity), notice: str = "",
                 v: int | None = None, state: str = "") -> Response:
    c = catalog_translator(lang_of(request))
    status = catalog_rollout.rollout_status(request.app.state.engine, _repository(request))
    content, _version, _next = _fleet_content(request)
    items = json.loads(content)["items"] if content else []
    messages = {"published": c("done.published", v=v, state=c(f"state.{state}") if state else ""),
                "promoted": c("done.promoted", v=v), "halted": c("done.halted", v=v), "group": c("done.group")}
    stage = status["stage"]
    stage_row = next((r for r in status["versions"] if stage and r["version"] == stage["version"]), None)
    return _page(request, "catalog.html", identity, status=status, stage_row=stage_row, items=items,
                 groups=kiosk_groups.groups(request.app.state.engine), notice=messages.get(notice, ""))


@router.post("/versions/{version}/promote")
async def promote(request: Request, version: int, identity: Identity = Depends(page_identity)) -> Response:
    await _form(request, identity)
    try:
        catalog_rollout.promote(request.app.state.engine, version)
    except catalog_rollout.RolloutError as exc:
        raise ConsoleRefused(409, str(exc)) from None
    audit.record(request.app.state.engine, _actor(identity), "catalog.promote", f"catalog/{version}")
    return _see("", notice="promoted", v=version)


@router.post("/versions/{version}/halt")
async def halt(request: Request, version: int, identity: Identity = Depends(page_identity)) -> Response:
    form = await _form(request, identity)
    reason = (form.get("reason") or "").strip()[:500] or "halted by an operator"
    try:
        catalog_rollout.halt(request.app.state.engine, version, reason)
    except catalog_rollout.RolloutError as exc:
        raise ConsoleRefused(409, str(exc)) from None
    audit.record(request.app.state.engine, _actor(identity), "catalog.halt", f"catalog/{version}", reason=reason)
    return _see("", notice="halted", v=version)


@router.post("/groups")
async def group_add(request: Request, identity: Identity = Depends(page_identity)) -> Response:
    form = await _form(request, identity)
    group, kiosks = form.get("group", "").strip(), form.get("kiosks", "").split()
    try:
        added = kiosk_groups.add_to_group(request.app.state.engine, group, kiosks)
    except kiosk_groups.GroupError as exc:
        raise ConsoleRefused(422, str(exc)) from None
    audit.record(request.app.state.engine, _actor(identity), "catalog.group.add", f"group/{group}", kiosks=added)
    return _see("", notice="group")


def placed_problems(problems: list[Problem], data: bytes) -> list[dict[str, Any]]:
    """Each problem with what an operator needs to find it: the line's text (JSON syntax errors: with the column),
    and for a field of an item, the item's id and the field's name."""
    lines = data.decode("utf-8", errors="replace").splitlines()
    try:
        items = json.loads(data).get("items") or []
    except (ValueError, AttributeError):
        items = []
    out = []
    for p in problems:
        item_id, field = None, None
        if p.path and (m := _ITEM_PATH.match(p.path)):
            n = int(m["n"])
            if n < len(items) and isinstance(items[n], dict) and isinstance(items[n].get("id"), str):
                item_id = items[n]["id"]
            field = m["field"]
        excerpt = lines[p.line - 1][:200] if p.line and p.line <= len(lines) else ""
        out.append({"message": p.message, "path": p.path, "line": p.line, "column": p.column, "item": item_id,
                    "field": field, "excerpt": excerpt, "not_utf8": "codec can't decode" in p.message})
    return out


def _form_choices(doc: dict[str, Any]) -> dict[str, Any]:
    """What the item form offers from the published catalog: its categories, its departments (the optional
    top-level list and every department an item names) and, per module, the parameter keys its items use."""
    items = [i for i in doc.get("items", []) if isinstance(i, dict)]
    departments = {d.get("name") for d in doc.get("departments", []) if isinstance(d, dict)}
    departments |= {i.get("department") for i in items}
    module_params: dict[str, set[str]] = {}
    for i in items:
        params = i.get("params")
        keys = set(params) - {"fields"} if isinstance(params, dict) else set()  # fields: the inputs editor's
        module_params.setdefault(str(i.get("module")), set()).update(keys)
    return {"categories": [x.get("id") for x in doc.get("categories", [])],
            "departments": sorted(d for d in departments if isinstance(d, str)),
            "module_params": {m: sorted(keys) for m, keys in module_params.items()}}


def _editor(request: Request, identity: Identity, text: str, group: str = "", bump: bool = False,
            item: dict[str, Any] | None = None, item_index: int | None = None, status_code: int = 200,
            catalog_file: CatalogFile | None = None, **extra: Any) -> Response:
    """The editor page, with the check's outcome: problems beside the text (line, path) or beside the item's
    fields, and the diff against the fleet's catalog when the text is valid. With `catalog_file`, the file's bytes
    are what is checked (a file that is not UTF-8 leaves the editor's text as it was)."""
    modules = district_fleet_modules([])
    problems: list[Any] = []
    valid = None
    diff = None
    content, version, _next = _fleet_content(request)
    data = catalog_file.data if catalog_file is not None else text.encode("utf-8")
    if catalog_file is not None and catalog_file.too_large:
        problems = [Problem(catalog_translator(lang_of(request))("upload.too_large", name=catalog_file.shown_name,
                                                                 kb=MAX_CATALOG_FILE_BYTES // 1024))]
        status_code = 413
    elif text or catalog_file is not None:
        try:
            valid = parse_catalog(data, modules)
        except CatalogInvalid as exc:
            problems = problems_of(exc.problems, data)
        if valid is not None:
            diff = diff_catalogs(content, data)
    department = _department_fields(text, item)
    field_problems = problems_beside(problems, item_index, department.pop("department_at")) \
        if item_index is not None else {}
    c = catalog_translator(lang_of(request))
    doc = json.loads(content) if content else {}
    new_item = bool(extra.pop("new_item", False))
    title = c("item.new") if new_item else f"{c('edit.item')} {item.get('id', '')}" if item else c("new")
    if problems and catalog_file is not None and status_code == 200:
        status_code = 422  # the file is refused: nothing changed
    return _page(request, "catalog_edit.html", identity, status_code=status_code, title=title, text=text,
                 group=group, bump=bump, problems=placed_problems(problems, data), valid=valid, diff=diff,
                 fleet_version=version,
                 groups=kiosk_groups.groups(request.app.state.engine), item=item, item_index=item_index,
                 field_problems=field_problems, modules=sorted(modules), catalog_file=catalog_file,
                 new_item=new_item, **department, **_form_choices(doc), **extra)


def _department_fields(text: str, item: dict[str, Any] | None) -> dict[str, Any]:
    """The item's department's English name as the catalog `text` has it, the department it was shown for,
    and where that department is in the `departments` list (its problems go beside the field)."""
    name = (item or {}).get("department", "")
    try:
        doc = json.loads(text) if text else {}
    except ValueError:
        doc = {}
    listed = doc.get("departments") if isinstance(doc, dict) else None
    at = next((n for n, d in enumerate(listed) if isinstance(d, dict) and d.get("name") == name),
              None) if isinstance(listed, list) and name else None
    return {"department_en": department_english(doc, name) if isinstance(doc, dict) else "",
            "department_en_for": name, "department_at": at}


@router.get("/new")
def new_page(request: Request, identity: Identity = Depends(page_identity)) -> Response:
    require(identity, "catalog")
    content, _version, next_version = _fleet_content(request)
    text = ""
    if content:
        doc = json.loads(content)
        doc["version"] = next_version
        text = json.dumps(doc, ensure_ascii=False, indent=1)
    return _editor_with_text(request, identity, text)


def _editor_with_text(request: Request, identity: Identity, text: str) -> Response:
    # A fresh editor shows the text without checking it yet (nothing was submitted).
    c = catalog_translator(lang_of(request))
    content, version, _next = _fleet_content(request)
    doc = json.loads(content) if content else {}
    modules = district_fleet_modules([])
    return _page(request, "catalog_edit.html", identity, title=c("new"), text=text, group="", bump=False,
                 problems=[], valid=None, diff=None, fleet_version=version,
                 groups=kiosk_groups.groups(request.app.state.engine), item=None, item_index=None,
                 field_problems={}, modules=sorted(modules), **_form_choices(doc))


@router.get("/items/{item_id}")
def item_page(request: Request, item_id: str, identity: Identity = Depends(page_identity)) -> Response:
    require(identity, "catalog")
    content, _version, next_version = _fleet_content(request)
    doc = json.loads(content) if content else {"items": []}
    index = next((n for n, i in enumerate(doc["items"]) if i.get("id") == item_id), None)
    if index is None:
        raise ConsoleRefused(404, f"no item {item_id!r} in the published catalog")
    doc["version"] = next_version
    c = catalog_translator(lang_of(request))
    modules = district_fleet_modules([])
    return _page(request, "catalog_edit.html", identity, title=f"{c('edit.item')} {item_id}",
                 text=json.dumps(doc, ensure_ascii=False, indent=1), group="", bump=False, problems=[],
                 valid=None, diff=None, fleet_version=_version, groups=kiosk_groups.groups(request.app.state.engine),
                 item=doc["items"][index], item_index=index, field_problems={}, modules=sorted(modules),
                 department_en=department_english(doc, doc["items"][index].get("department")),
                 department_en_for=doc["items"][index].get("department", ""), **_form_choices(doc))


@router.get("/new-item")
def new_item_page(request: Request, identity: Identity = Depends(page_identity)) -> Response:
    """The item form, empty, with the id field (not under /items/: "new" is a valid item id)."""
    require(identity, "catalog")
    content, _version, next_version = _fleet_content(request)
    c = catalog_translator(lang_of(request))
    if not content:
        raise ConsoleRefused(409, c("item.none"))
    doc = json.loads(content)
    doc["version"] = next_version
    return _page(request, "catalog_edit.html", identity, title=c("item.new"),
                 text=json.dumps(doc, ensure_ascii=False, indent=1), group="", bump=False, problems=[],
                 valid=None, diff=None, fleet_version=_version, groups=kiosk_groups.groups(request.app.state.engine),
                 item={}, item_index=len(doc["items"]), new_item=True, field_problems={}, department_en="",
                 department_en_for="", modules=sorted(district_fleet_modules([])), **_form_choices(doc))


@router.post("/new")
async def new_submit(request: Request, identity: Identity = Depends(page_identity)) -> Response:
    form, chosen = await read_catalog_form(request, identity)
    text, group, bump = form.get("catalog", ""), form.get("group", ""), form.get("bump") == "on"
    item, item_index = None, None
    new_item = form.get("new_item") == "on" and chosen is None
    if chosen is not None:
        # The file replaces the whole text (an item form posted with it no longer applies); a file that is not
        # UTF-8 text is refused by the validator below and leaves the editor's text as it was.
        if not chosen.too_large:
            try:
                text = chosen.data.decode("utf-8")
            except UnicodeDecodeError:
                return _editor(request, identity, text, group, bump, catalog_file=chosen)
        if chosen.too_large or form.get("action") != "publish":
            return _editor(request, identity, text, group, bump, catalog_file=chosen)
    elif form.get("item_index", "").isdigit():
        item_index = int(form["item_index"])
        try:
            text, item = (add_item_form if new_item else apply_item_form)(text, item_index, form)
        except (ValueError, KeyError, IndexError, TypeError):
            item_index, new_item = None, False
    if form.get("action") != "publish":
        return _editor(request, identity, text, group, bump, item, item_index, new_item=new_item)
    repository, data = _repository(request), text.encode("utf-8")
    key = form.get("targets_key", "").strip()
    try:
        if key:
            keys = SessionKeys(_online_keys(request), key.encode())
            done = catalog_rollout.publish_version(repository, keys, data, district_fleet_modules([]),
                                                   group or None, bump)
        else:
            signing = prepare(repository, data, district_fleet_modules([]), group or None, bump)
    except CatalogInvalid:
        return _editor(request, identity, text, group, bump, item, item_index, status_code=422, catalog_file=chosen,
                       new_item=new_item)
    except (VersionNotHigher, catalog_rollout.RolloutError, SigningError, NotSigned,
            kiosk_groups.GroupError) as exc:
        return _editor(request, identity, text, group, bump, item, item_index, status_code=409,
                       error=str(exc), new_item=new_item)
    except RepositoryError as exc:
        return _editor(request, identity, text, group, bump, item, item_index, status_code=503, error=str(exc),
                       new_item=new_item)
    if new_item and item is not None:
        audit.record(request.app.state.engine, _actor(identity), "catalog.item.add", f"item/{item['id']}",
                     version=json.loads(text).get("version"), signed="online" if key else "offline")
    if key:
        audit.record(request.app.state.engine, _actor(identity), "catalog.publish", f"catalog/{done.rollout.version}",
                     group=group or None)
        return _see("", notice="published", v=done.rollout.version, state=done.rollout.state)
    audit.record(request.app.state.engine, _actor(identity), "catalog.prepare", f"catalog/{signing.catalog_version}",
                 group=group or None)
    return _page(request, "catalog_sign.html", identity, request_json=signing.to_json().decode())


@router.post("/signed")
async def signed_submit(request: Request, identity: Identity = Depends(page_identity)) -> Response:
    form = await _form(request, identity)
    try:
        done = upload(_repository(request), _online_keys(request), form.get("signed", "").encode("utf-8"))
    except RepositoryError as exc:
        return _page(request, "catalog_sign.html", identity, status_code=409, request_json="", error=str(exc))
    audit.record(request.app.state.engine, _actor(identity), "catalog.publish", f"catalog/{done.rollout.version}",
                 group=done.rollout.group, signed="offline")
    return _see("", notice="published", v=done.rollout.version, state=done.rollout.state)


@router.post("/rollback")
async def rollback_submit(request: Request, identity: Identity = Depends(page_identity)) -> Response:
    form = await _form(request, identity)
    if not form.get("to", "").isdigit():
        raise ConsoleRefused(422, "choose the version whose content to republish")
    to, group, key = int(form["to"]), form.get("group", "") or None, form.get("targets_key", "").strip()
    repository = _repository(request)
    try:
        if key:
            done = catalog_rollout.rollback(repository, SessionKeys(_online_keys(request), key.encode()), to,
                                            district_fleet_modules([]), group)
        else:
            content = catalog_rollout.rollback_content(repository, to)
            with repository.session() as s:
                highest = catalog_rollout.highest_version(s, repository) or 0
            signing = prepare(repository, catalog_rollout.with_version(content, highest + 1),
                              district_fleet_modules([]), group, content_of=to)
    except (CatalogInvalid, RepositoryError) as exc:
        raise ConsoleRefused(409, str(exc)) from None
    if key:
        audit.record(request.app.state.engine, _actor(identity), "catalog.rollback",
                     f"catalog/{done.rollout.version}", content_of=to)
        return _see("", notice="published", v=done.rollout.version, state=done.rollout.state)
    audit.record(request.app.state.engine, _actor(identity), "catalog.prepare", f"catalog/{signing.catalog_version}",
                 content_of=to)
    return _page(request, "catalog_sign.html", identity, request_json=signing.to_json().decode())
