"""The catalog editor's posted form, URL-encoded (a pasted or edited text) or multipart/form-data (with a catalog
file chosen in the browser), bounded and CSRF-checked like every console form.

The file is only read here, never judged: whether it is a catalog is decided by the one validator every tool runs
(contract.catalog.model.parse_catalog, through the editor), so a file and a paste are refused for the same
reasons with the same words. What this module refuses itself is what a validator never sees: a body or a file
above the size cap, and a form that cannot be parsed.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qs

from fastapi import Request
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException

from district.catalog_api import MAX_CATALOG_CHARS
from district.console.guard import ConsoleRefused, Identity, check_csrf, require

# The shipped catalog of 195 items is ~180 KB: this leaves room for ~500 items. It stays below the district's
# body limit (settings.max_body_bytes, 1 MiB) with the editor's text beside it, so that an oversized file gets
# this page's message and not the limit's bare 413.
MAX_CATALOG_FILE_BYTES = 512 * 1024
# The editor's text travels with the file: a multipart body may hold both, plus the small fields.
MAX_TEXT_BYTES = MAX_CATALOG_CHARS * 4
MAX_MULTIPART_BYTES = MAX_CATALOG_FILE_BYTES + MAX_TEXT_BYTES + 64 * 1024
MAX_FIELDS = 400  # the item form's input rows add fields (district/console/item_form.py)


@dataclass(frozen=True)
class CatalogFile:
    name: str  # as the browser named it: shown back to the operator, never used as a path
    data: bytes  # at most MAX_CATALOG_FILE_BYTES
    too_large: bool = False  # the file was above the cap: data holds nothing of it

    @property
    def shown_name(self) -> str:
        return self.name.replace("\\", "/").rsplit("/", 1)[-1][:120] or "catalog.json"


async def _bounded_body(request: Request, cap: int) -> bytes:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > cap:
        raise ConsoleRefused(413, "error.upload_too_large")
    body = await request.body()
    if len(body) > cap:
        raise ConsoleRefused(413, "error.upload_too_large")
    return body


async def read_catalog_form(request: Request, identity: Identity) -> tuple[dict[str, str], CatalogFile | None]:
    """(the form's text fields as {name: last value}, the chosen catalog file or None), after the CSRF check and
    the `catalog` permission; 413 when the body is above the cap, 400 when it cannot be parsed."""
    content_type = request.headers.get("content-type", "")
    if not content_type.startswith("multipart/form-data"):
        body = await _bounded_body(request, MAX_TEXT_BYTES)
        try:
            parsed = parse_qs(body.decode("utf-8"), keep_blank_values=True, max_num_fields=MAX_FIELDS)
        except (UnicodeDecodeError, ValueError):
            raise ConsoleRefused(400, "malformed form") from None
        form = {k: v[-1] for k, v in parsed.items()}
        upload = None
    else:
        await _bounded_body(request, MAX_MULTIPART_BYTES)  # cached by Starlette: form() parses these bytes
        try:
            posted = await request.form(max_files=1, max_fields=MAX_FIELDS, max_part_size=MAX_TEXT_BYTES)
        except HTTPException:
            raise ConsoleRefused(400, "malformed form") from None
        form, upload = {}, None
        for key, value in posted.multi_items():
            if isinstance(value, UploadFile):
                if key == "catalog_file" and value.filename:  # a file input left empty posts a nameless part
                    data = await value.read(MAX_CATALOG_FILE_BYTES + 1)
                    too_large = len(data) > MAX_CATALOG_FILE_BYTES
                    upload = CatalogFile(value.filename, b"" if too_large else data, too_large)
            else:
                form[key] = value
        await posted.close()
    check_csrf(identity, form, request)
    require(identity, "catalog")
    return form, upload
