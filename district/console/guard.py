"""Who is asking, and may they: console sessions (cookie) and API tokens (bearer), roles, CSRF.

Pages: no session -> 303 to the login page; API: no session or token -> 401, never data. A POST from a cookie
session needs the session's CSRF token (form field `csrf_token` or header `X-CSRF-Token`), else 403; a bearer
token carries no ambient authority, so its requests need none. A role without the permission -> 403.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qs, quote

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from district.console.accounts import Operator, operator_for_token
from district.console.sessions import COOKIE, ConsoleSession, find_session

PREFIX = "/console"
API_PREFIX = "/console/api"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
MAX_FORM_BYTES = 64 * 1024
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


class LoginRequired(Exception):
    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


class PasswordChangeRequired(Exception):
    pass


class ConsoleRefused(Exception):
    """403 (or 401 for the API without credentials); `message_key` is an i18n key or plain text."""

    def __init__(self, status: int, message_key: str, permission: str | None = None,
                 retry_after: int | None = None) -> None:
        super().__init__(message_key)
        self.status = status
        self.message_key = message_key
        self.permission = permission
        self.retry_after = retry_after


@dataclass(frozen=True)
class Identity:
    operator: Operator
    session: ConsoleSession | None  # None: a bearer token

    @property
    def csrf_token(self) -> str:
        return self.session.csrf_token if self.session else ""


def _settings(request: Request):
    return request.app.state.settings


def cookie_session(request: Request) -> ConsoleSession | None:
    return find_session(request.app.state.engine, request.cookies.get(COOKIE),
                        _settings(request).console_session_idle_s)


async def read_form(request: Request) -> dict[str, str]:
    """An application/x-www-form-urlencoded body as {field: last value} (bounded; no multipart: no uploads here)."""
    body = await request.body()
    if len(body) > MAX_FORM_BYTES:
        raise ConsoleRefused(413, "form too large")
    try:
        parsed = parse_qs(body.decode("utf-8"), keep_blank_values=True, max_num_fields=100)
    except (UnicodeDecodeError, ValueError):
        raise ConsoleRefused(400, "malformed form") from None
    return {k: v[-1] for k, v in parsed.items()}


async def page_identity(request: Request) -> Identity:
    """The logged-in operator of a page request (redirects to login or to the password change otherwise)."""
    session = cookie_session(request)
    if session is None:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise LoginRequired(target)
    if session.operator.must_change_password and request.url.path != f"{PREFIX}/password":
        raise PasswordChangeRequired()
    return Identity(session.operator, session)


_bearer = HTTPBearer(auto_error=False, description="an API token from `kiosk-district operator token NAME`")


async def api_identity(request: Request,
                       credentials: HTTPAuthorizationCredentials | None = Depends(_bearer)) -> Identity:
    """The operator behind an API request: a bearer token, or a console session (then unsafe methods need the
    CSRF header). 401 without either."""
    if credentials is not None:
        operator = operator_for_token(request.app.state.engine, credentials.credentials)
        if operator is None:
            raise ConsoleRefused(401, "unknown, revoked or disabled API token")
        _rate_limit(request, operator.name)
        return Identity(operator, None)
    session = cookie_session(request)
    if session is None:
        raise ConsoleRefused(401, "log in to the console or send an API token")
    if session.operator.must_change_password:
        raise ConsoleRefused(403, "change the one-time password first")
    if request.method not in SAFE_METHODS and not session.csrf_ok(request.headers.get(CSRF_HEADER)):
        raise ConsoleRefused(403, "error.csrf")
    _rate_limit(request, session.operator.name)
    return Identity(session.operator, session)


def _rate_limit(request: Request, operator: str) -> None:
    # Per operator (a runaway script must not starve the kiosks' endpoints), shared by every server process.
    wait = request.app.state.console_rate_limiter.take_now(operator)
    if wait > 0:
        raise ConsoleRefused(429, "rate limit exceeded", retry_after=max(1, round(wait)))


def check_csrf(identity: Identity, form: dict[str, str], request: Request) -> None:
    if identity.session is None:
        return
    presented = form.get(CSRF_FIELD) or request.headers.get(CSRF_HEADER)
    if not identity.session.csrf_ok(presented):
        raise ConsoleRefused(403, "error.csrf")


def require(identity: Identity, permission: str) -> None:
    if not identity.operator.may(permission):
        raise ConsoleRefused(403, "error.forbidden", permission)


def login_redirect_target(next_path: str) -> str:
    return f"{PREFIX}/login?next={quote(next_path, safe='')}"


def safe_next(next_path: str | None) -> str:
    """Where to go after login: only a path inside the console (no open redirect)."""
    if next_path and next_path.startswith(PREFIX + "/") and not next_path.startswith("//") and "\\" not in next_path:
        return next_path
    return f"{PREFIX}/fleet"
