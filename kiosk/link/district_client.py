"""HTTP client for the district server, as the service modules see it (kiosk.services.api.DistrictClient).

Short timeouts: a citizen is waiting. Any transport failure, 5xx or 429 becomes `DistrictUnavailable`, which
`queue` services turn into a queued request; 4xx answers are the district's word and become `ServiceError`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import httpx

from kiosk.errors import DistrictUnavailable, ServiceError
from kiosk.link.district_endpoint import district_endpoint

# Hook that adds authentication headers (request signatures) for a request: (method, path, body) -> headers.
Authenticator = Callable[[str, str, bytes], dict[str, str]]


class HttpDistrictClient:
    def __init__(self, base_url: str, timeout_s: float = 4.0, authenticator: Authenticator | None = None,
                 transport: httpx.BaseTransport | None = None, ca_file: Path | None = None) -> None:
        """Raises ConfigError for a plain-http URL off loopback or an https URL without the district's CA."""
        endpoint = district_endpoint(base_url, ca_file)
        self._client = httpx.Client(base_url=endpoint.url, timeout=timeout_s, transport=transport,
                                    verify=endpoint.verify)
        self._auth = authenticator

    def get_json(self, path: str, params: Mapping[str, str] | None = None) -> Any:
        """GET `path` and return its JSON body."""
        request = self._client.build_request("GET", path, params=params)
        return self._send(request)

    def post_json(self, path: str, body: Any) -> Any:
        """POST `body` as JSON to `path` and return the JSON answer."""
        request = self._client.build_request("POST", path, json=body)
        return self._send(request)

    def _send(self, request: httpx.Request) -> Any:
        if self._auth is not None:
            request.headers.update(self._auth(request.method, request.url.raw_path.decode(), request.content))
        try:
            response = self._client.send(request)
        except httpx.HTTPError as exc:
            raise DistrictUnavailable(f"{type(exc).__name__}: {exc}") from exc
        if response.status_code >= 500 or response.status_code == 429:
            raise DistrictUnavailable(f"district answered {response.status_code}")
        if response.status_code >= 400:
            raise ServiceError(f"district answered {response.status_code}: {response.text[:200]}")
        try:
            return response.json()
        except ValueError as exc:
            raise DistrictUnavailable("district answered with malformed JSON") from exc

    def close(self) -> None:
        self._client.close()
