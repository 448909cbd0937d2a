"""Rendering console pages: one Jinja2 environment (autoescaped) per app, the language, the navigation."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from district.console.durations import human_duration
from district.console.guard import Identity
from district.console.i18n import HTML_LANG, LANG_COOKIE, MESSAGES, pick_lang, translator

TEMPLATES = Path(__file__).with_name("templates")
STATIC_URL = "/console/static"
REFRESH_S = 5
NAV = (("fleet", "/console/fleet"), ("help", "/console/help"), ("documents", "/console/documents"),
       ("audit", "/console/audit"), ("catalog", "/console/catalog"))


def environment() -> Environment:
    return Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]),
                       trim_blocks=True, lstrip_blocks=True)


def lang_of(request: Request) -> str:
    return pick_lang(request.cookies.get(LANG_COOKIE), request.headers.get("accept-language"))


def render(request: Request, template: str, identity: Identity | None, current: str = "", status_code: int = 200,
           **context: Any) -> HTMLResponse:
    """The page `template` in the request's language. Pages always carry no-store: they show live state and,
    sometimes, a secret shown once."""
    lang = lang_of(request)
    t = translator(lang)
    nav = list(NAV) + ([("operators", "/console/operators")] if identity and identity.operator.may("accounts")
                       else [])
    html = request.app.state.console_templates.get_template(template).render(
        t=t, lang=lang, html_lang=HTML_LANG[lang], other_lang="en" if lang == "zh" else "zh",
        identity=identity, csrf=identity.csrf_token if identity else "", nav=nav, current=current,
        static=STATIC_URL, request_path=request.url.path, refresh_s=REFRESH_S, known=MESSAGES,
        ago=lambda s: _ago(t, s), duration=lambda s: human_duration(t, s),
        iso=_iso, clock=_iso, title=context.pop("title", t("console")), **context)
    return HTMLResponse(html, status_code=status_code, headers={"Cache-Control": "no-store"})


def _ago(t, seconds: float | None) -> str:
    if seconds is None:
        return t("never")
    if seconds < 120:
        return t("ago", s=int(seconds))
    if seconds < 7200:
        return t("ago.min", m=int(seconds // 60))
    return t("ago.h", h=int(seconds // 3600))


def _iso(at: float | None) -> str:
    if at is None:
        return "–"
    return dt.datetime.fromtimestamp(at, dt.UTC).strftime("%Y-%m-%d %H:%M:%S")


def now() -> float:
    return time.time()
