"""The JSON API of catalog publishing in stages (under /console/api/catalog): versions, rollout state with applied
counts, groups, validation with field paths and lines, item-level diffs, publishing to a group or to all,
promote, halt, rollback, and the offline signing round trip.

The web server never holds the offline targets key: a publication either carries the key's PEM for that one
request (`targets_key_pem`, used in memory and dropped), or the answer is a signing request (202) to sign on the
offline machine (`kiosk-district catalog sign`) and post back to `/signed`. Who may call what is the console's
decision (`read`: any logged-in role; `write`: the `catalog` permission), given to `build_router`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from contract.catalog.model import CatalogInvalid, parse_catalog
from contract.log_events import Event
from district import catalog_rollout, kiosk_groups
from district.catalog_diff import diff_catalogs, problems_of
from district.catalog_publishing import district_fleet_modules
from district.catalog_rollout import with_version
from district.catalog_signing import SessionKeys, SigningError, prepare, upload
from district.settings import default_keys_dir
from district.tuf_repository import NotSigned, OperatorKeys, RepositoryError, TufRepository, VersionNotHigher

MAX_CATALOG_CHARS = 2_000_000


class CatalogText(BaseModel):
    catalog: str = Field(max_length=MAX_CATALOG_CHARS, description="the catalog JSON, as uploaded or edited")


class Publish(CatalogText):
    group: str | None = Field(default=None, max_length=64, description="offer it to this group first")
    bump: bool = Field(default=False, description="publish it as the highest version so far + 1")
    targets_key_pem: str | None = Field(default=None, max_length=10_000,
                                        description="the offline targets key for this request only; absent: "
                                                    "the answer is a signing request (202)")


class Rollback(BaseModel):
    to: int = Field(ge=0, description="the version whose content to republish (as a new, higher version)")
    group: str | None = Field(default=None, max_length=64)
    targets_key_pem: str | None = Field(default=None, max_length=10_000)


class Halt(BaseModel):
    reason: str = Field(default="halted by an operator", max_length=500)


class GroupMembers(BaseModel):
    kiosks: list[str] = Field(min_length=1, max_length=1000)


class CatalogApiError(Exception):
    def __init__(self, status: int, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.status, self.detail, self.extra = status, detail, extra


def _repository(request: Request) -> TufRepository:
    repository: TufRepository = request.app.state.repository
    return repository


def _online_keys(request: Request) -> OperatorKeys:
    settings = request.app.state.settings
    return OperatorKeys(settings.keys_dir or default_keys_dir(settings.db_url))


def _modules() -> set[str]:
    return district_fleet_modules([])


def validation(text: str) -> dict[str, Any]:
    """{valid, version, items, problems: [{message, path, line, column}]} by the kiosks' own validator."""
    data = text.encode("utf-8")
    try:
        catalog = parse_catalog(data, _modules())
    except CatalogInvalid as exc:
        return {"valid": False, "problems": [asdict(p) for p in problems_of(exc.problems)]}
    return {"valid": True, "version": catalog.version, "items": len(catalog.items), "problems": []}


def _invalid(exc: CatalogInvalid) -> CatalogApiError:
    return CatalogApiError(422, f"not a valid catalog: {len(exc.problems)} problem(s); nothing published",
                           problems=[asdict(p) for p in problems_of(exc.problems)])


def _publishing(run: Callable[[], Any]) -> Any:
    try:
        return run()
    except CatalogInvalid as exc:
        raise _invalid(exc) from None
    except VersionNotHigher as exc:
        raise CatalogApiError(409, str(exc) + ": versions only go up (bump publishes it as the next one)",
                              published=exc.published, offered=exc.offered) from None
    except (catalog_rollout.RolloutError, SigningError, kiosk_groups.GroupError, NotSigned) as exc:
        raise CatalogApiError(409 if isinstance(exc, catalog_rollout.RolloutError) else 422, str(exc)) from None
    except RepositoryError as exc:
        raise CatalogApiError(503, str(exc)) from None


def _new_version(done: catalog_rollout.NewVersion) -> dict[str, Any]:
    return {**asdict(done.rollout), "published": asdict(done.published),
            "previous_fleet_version": done.previous_fleet_version, "rewritten_from": done.rewritten_from}


SIGNING_REQUEST = {202: {"description": "a signing request for the offline targets key (`kiosk-district catalog "
                                        "sign`)", "content": {"application/json": {"schema": {"type": "object"}}}}}


def build_router(read: Callable[..., Any], write: Callable[..., Any],
                 audit: Callable[[Request, Any, str, str, dict[str, Any]], None],
                 responses: dict[int | str, dict[str, Any]] | None = None) -> APIRouter:
    """The router; `read` and `write` are FastAPI dependencies returning who asks (refusing whoever may not),
    `audit(request, who, action, target, details)` records every change; `responses` documents the refusals."""
    router = APIRouter(prefix="/console/api/catalog", tags=["console: catalog"], responses=responses)

    def changed(request: Request, who: Any, action: str, target: str, **details: Any) -> None:
        audit(request, who, action, target, details)
        request.app.state.eventlog.log(Event.CATALOG_ROLLOUT_CHANGED, action=action, target=target)

    @router.get("/status")
    def status(request: Request, _who: Any = Depends(read)) -> dict[str, Any]:
        """The fleet's catalog, the open stage, every version with its audience and the kiosks running it."""
        return catalog_rollout.rollout_status(request.app.state.engine, _repository(request))

    @router.get("/versions/{version}")
    def version_content(version: int, request: Request, _who: Any = Depends(read)) -> Any:
        """The catalog JSON once published as `version`."""
        content = _repository(request).published_contents(version)
        if content is None:
            raise CatalogApiError(404, f"no catalog was published as version {version}")
        return json.loads(content)

    @router.get("/groups")
    def groups(request: Request, _who: Any = Depends(read)) -> dict[str, list[str]]:
        return kiosk_groups.groups(request.app.state.engine)

    @router.post("/groups/{group}/add")
    def group_add(group: str, body: GroupMembers, request: Request, who: Any = Depends(write)) -> dict[str, Any]:
        added = _publishing(lambda: kiosk_groups.add_to_group(request.app.state.engine, group, body.kiosks))
        changed(request, who, "catalog.group.add", f"group/{group}", kiosks=added)
        return {"group": group, "added": added}

    @router.post("/groups/{group}/remove")
    def group_remove(group: str, body: GroupMembers, request: Request,
                     who: Any = Depends(write)) -> dict[str, Any]:
        removed = kiosk_groups.remove_from_group(request.app.state.engine, group, body.kiosks)
        changed(request, who, "catalog.group.remove", f"group/{group}", kiosks=body.kiosks)
        return {"group": group, "removed": removed}

    @router.post("/validate")
    def validate(body: CatalogText, _who: Any = Depends(read)) -> dict[str, Any]:
        """Validation as `kiosk catalog validate` runs it: every problem with its field path and line."""
        return validation(body.catalog)

    @router.post("/diff")
    def diff(body: CatalogText, request: Request, against: int | None = None,
             _who: Any = Depends(read)) -> dict[str, Any]:
        """Item-level changes (added, removed, changed fields) against the fleet's catalog or `against`."""
        result = validation(body.catalog)
        if not result["valid"]:
            raise CatalogApiError(422, "not a valid catalog", problems=result["problems"])
        repository = _repository(request)
        if against is None:
            with repository.session() as s:
                offer = catalog_rollout.fleet_offer(s, repository)
            against = offer.version if offer else None
        old = repository.published_contents(against) if against is not None else None
        if against is not None and old is None:
            raise CatalogApiError(404, f"no catalog was published as version {against}")
        return diff_catalogs(old, body.catalog.encode("utf-8")).as_json()

    @router.post("/publish", responses=SIGNING_REQUEST)
    def publish(body: Publish, request: Request, who: Any = Depends(write)) -> Any:
        """Validate and publish to `group` first (or to every kiosk), signed with the key sent for this request;
        without a key, answer 202 with a signing request to sign offline and post to `/signed`."""
        repository, data = _repository(request), body.catalog.encode("utf-8")
        if body.targets_key_pem:
            keys = _publishing(lambda: SessionKeys(_online_keys(request), body.targets_key_pem.encode()))
            done = _publishing(lambda: catalog_rollout.publish_version(repository, keys, data, _modules(),
                                                                       body.group, body.bump))
            changed(request, who, "catalog.publish", f"catalog/{done.rollout.version}", group=body.group)
            return _new_version(done)
        signing = _publishing(lambda: prepare(repository, data, _modules(), body.group, body.bump))
        changed(request, who, "catalog.prepare", f"catalog/{signing.catalog_version}", group=body.group)
        return JSONResponse(json.loads(signing.to_json()), status_code=202)

    @router.post("/signed")
    async def signed(request: Request, who: Any = Depends(write)) -> dict[str, Any]:
        """Publish a signing request signed offline (the body is the file `kiosk-district catalog sign` wrote)."""
        raw = await request.body()
        if len(raw) > MAX_CATALOG_CHARS * 2:
            raise CatalogApiError(413, "too large")
        done = _publishing(lambda: upload(_repository(request), _online_keys(request), raw))
        changed(request, who, "catalog.publish", f"catalog/{done.rollout.version}", group=done.rollout.group,
                signed="offline")
        return _new_version(done)

    @router.post("/versions/{version}/promote")
    def promote(version: int, request: Request, who: Any = Depends(write)) -> dict[str, Any]:
        done = _publishing(lambda: catalog_rollout.promote(request.app.state.engine, version))
        changed(request, who, "catalog.promote", f"catalog/{version}")
        return asdict(done)

    @router.post("/versions/{version}/halt")
    def halt(version: int, body: Halt, request: Request, who: Any = Depends(write)) -> dict[str, Any]:
        done = _publishing(lambda: catalog_rollout.halt(request.app.state.engine, version, body.reason))
        changed(request, who, "catalog.halt", f"catalog/{version}", reason=body.reason)
        return asdict(done)

    @router.post("/rollback", responses=SIGNING_REQUEST)
    def rollback(body: Rollback, request: Request, who: Any = Depends(write)) -> Any:
        """Republish version `to`'s content as a new, higher version (to `group` first, or to every kiosk)."""
        repository = _repository(request)
        if body.targets_key_pem:
            keys = _publishing(lambda: SessionKeys(_online_keys(request), body.targets_key_pem.encode()))
            done = _publishing(lambda: catalog_rollout.rollback(repository, keys, body.to, _modules(), body.group))
            changed(request, who, "catalog.rollback", f"catalog/{done.rollout.version}", content_of=body.to)
            return _new_version(done)

        def request_signature() -> Any:
            content = catalog_rollout.rollback_content(repository, body.to)
            with repository.session() as s:
                highest = catalog_rollout.highest_version(s, repository) or 0
            return prepare(repository, with_version(content, highest + 1), _modules(), body.group,
                           content_of=body.to)

        signing = _publishing(request_signature)
        changed(request, who, "catalog.prepare", f"catalog/{signing.catalog_version}", content_of=body.to)
        return JSONResponse(json.loads(signing.to_json()), status_code=202)

    return router


async def catalog_api_error(_request: Request, exc: CatalogApiError) -> JSONResponse:
    return JSONResponse({"detail": exc.detail, **exc.extra}, status_code=exc.status)
