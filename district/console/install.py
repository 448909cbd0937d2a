"""Wiring the console into the district app: templates, static files, routers, refusals, security headers."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from district.console import api, audit, pages
from district.console.actions import ActionError
from district.console.guard import (
    API_PREFIX,
    PREFIX,
    ConsoleRefused,
    Identity,
    LoginRequired,
    PasswordChangeRequired,
    cookie_session,
    login_redirect_target,
)
from district.console.i18n import translator
from district.console.render import environment, lang_of, render
from district.rate_limits import SharedRateLimiter

STATIC = Path(__file__).with_name("static")
# No inline script or style anywhere in the console: a strict policy costs nothing and blunts injected markup.
CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'; " \
      "form-action 'self'; base-uri 'none'"


def install_console(app: FastAPI) -> None:
    app.state.console_templates = environment()
    app.state.console_rate_limiter = SharedRateLimiter(app.state.engine, "operator", app.state.settings.rate_per_s,
                                                       app.state.settings.rate_burst)
    app.mount(f"{PREFIX}/static", StaticFiles(directory=STATIC), name="console-static")
    app.include_router(api.router)
    app.include_router(pages.router)

    @app.exception_handler(LoginRequired)
    async def login_required(_request: Request, exc: LoginRequired) -> Response:
        return RedirectResponse(login_redirect_target(exc.next_path), status_code=303)

    @app.exception_handler(PasswordChangeRequired)
    async def password_change_required(_request: Request, _exc: PasswordChangeRequired) -> Response:
        return RedirectResponse(f"{PREFIX}/password", status_code=303)

    @app.exception_handler(ConsoleRefused)
    async def refused(request: Request, exc: ConsoleRefused) -> Response:
        response = _refusal(request, exc.status, exc.message_key, exc.permission)
        if exc.retry_after is not None:
            response.headers["Retry-After"] = str(exc.retry_after)
        return response

    @app.exception_handler(ActionError)
    async def action_failed(request: Request, exc: ActionError) -> Response:
        return _refusal(request, exc.status, exc.message, None)

    app.add_middleware(ConsoleHeaders)


class ConsoleHeaders:
    """The console's security headers on its own answers. A plain ASGI middleware that lets every other path (the
    kiosks' API) straight through: an `@app.middleware("http")` wraps every request in a task and a streamed body,
    which cost each of 5,000 kiosks' heartbeats about a fifth of its server CPU."""

    HEADERS = (("Content-Security-Policy", CSP), ("X-Content-Type-Options", "nosniff"),
               ("Referrer-Policy", "same-origin"), ("X-Frame-Options", "DENY"))

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(PREFIX):
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in self.HEADERS:
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _refusal(request: Request, status: int, message: str, permission: str | None) -> Response:
    session = cookie_session(request) if status != 401 else None
    if status == 403 and session is not None:
        # A refused change is worth an audit line: a viewer trying to revoke is something an admin wants to see.
        audit.record(request.app.state.engine, session.operator.name, "refused", request.url.path[:128],
                     "forbidden" if permission else "csrf", **({"permission": permission} if permission else {}))
    t = translator(lang_of(request))
    text = t(message) if message.startswith("error.") else message
    if request.url.path.startswith(API_PREFIX):
        headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
        return JSONResponse({"detail": text}, status_code=status, headers=headers)
    identity = Identity(session.operator, session) if session else None
    return render(request, "error.html", identity, status_code=status, title=t("error.title"), message=text,
                  back=f"{PREFIX}/fleet")
