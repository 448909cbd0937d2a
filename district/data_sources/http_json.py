"""Reference adapter for a department's HTTP/JSON API: one request per record, mutual TLS, a field mapping.

Per record kind the sources file names the method and path, the JSON field names the upstream expects for the
ID number and the months, and the mapping (district.data_sources.field_mapping) from its answer to our record
shape. The ID number travels in a POST body by default, never in the URL (URLs land in access logs); GET is
allowed for upstreams that know no better. Status codes become the typed outcomes of
district.data_sources.interface: 404 not found, other 4xx refused, 5xx/429 and transport failures unavailable.
"""

from __future__ import annotations

import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from district.data_sources.field_mapping import MappingError, apply_mapping, check_mapping
from district.data_sources.interface import (
    RecordNotFound,
    RecordRequest,
    SourceMalformed,
    SourceRefused,
    SourceUnavailable,
)


class SourceConfigError(ValueError):
    """A source's configuration cannot work (named key, reason)."""


@dataclass(frozen=True)
class RecordEndpoint:
    """How one record kind is asked for and read."""

    method: str
    path: str
    id_field: str
    months_field: str
    mapping: Any


@dataclass(frozen=True)
class HttpJsonConfig:
    base_url: str
    endpoints: dict[str, RecordEndpoint]
    timeout_s: float = 2.0
    client_cert: Path | None = None
    client_key: Path | None = None
    ca: Path | None = None
    headers: tuple[tuple[str, str], ...] = ()


def parse_config(name: str, options: Mapping[str, Any], config_dir: Path) -> HttpJsonConfig:
    """The adapter's settings from the source's table of the sources file (relative paths: from its folder)."""
    where = f"sources.{name}"

    def path_option(key: str) -> Path | None:
        value = options.get(key)
        if value is None:
            return None
        if not isinstance(value, str) or not value:
            raise SourceConfigError(f"{where}.{key}: expected a file path")
        path = (config_dir / value).resolve()
        if not path.is_file():
            raise SourceConfigError(f"{where}.{key}: no file {path}")
        return path

    base_url = options.get("base_url")
    if not isinstance(base_url, str) or not base_url.startswith(("http://", "https://")):
        raise SourceConfigError(f"{where}.base_url: expected an http:// or https:// URL")
    timeout = options.get("timeout_s", 2.0)
    if isinstance(timeout, bool) or not isinstance(timeout, int | float) or not 0 < timeout <= 30:
        raise SourceConfigError(f"{where}.timeout_s: expected seconds between 0 and 30")
    cert, key, ca = path_option("client_cert"), path_option("client_key"), path_option("ca")
    if (cert is None) != (key is None):
        raise SourceConfigError(f"{where}: client_cert and client_key go together")
    if (cert or ca) and not base_url.startswith("https://"):
        raise SourceConfigError(f"{where}: client_cert and ca need an https:// base_url")
    headers = options.get("headers", {})
    if not isinstance(headers, Mapping) or not all(isinstance(v, str) for v in headers.values()):
        raise SourceConfigError(f"{where}.headers: expected a table of strings")
    records = options.get("records")
    if not isinstance(records, Mapping) or not records:
        raise SourceConfigError(f"{where}.records: expected one table per record kind")
    endpoints = {}
    for kind, spec in records.items():
        at = f"{where}.records.{kind}"
        if not isinstance(spec, Mapping):
            raise SourceConfigError(f"{at}: expected a table")
        method = str(spec.get("method", "POST")).upper()
        if method not in ("GET", "POST"):
            raise SourceConfigError(f"{at}.method: GET or POST")
        path = spec.get("path")
        if not isinstance(path, str) or not path.startswith("/"):
            raise SourceConfigError(f"{at}.path: expected a path starting with /")
        if "map" not in spec:
            raise SourceConfigError(f"{at}.map: the field mapping is missing")
        try:
            check_mapping(spec["map"], f"{at}.map")
        except MappingError as exc:
            raise SourceConfigError(str(exc)) from None
        endpoints[kind] = RecordEndpoint(method=method, path=path, id_field=str(spec.get("id_field", "id_number")),
                                         months_field=str(spec.get("months_field", "months")), mapping=spec["map"])
    return HttpJsonConfig(base_url=base_url.rstrip("/"), endpoints=endpoints, timeout_s=float(timeout),
                          client_cert=cert, client_key=key, ca=ca,
                          headers=tuple((str(k), v) for k, v in headers.items()))


def tls_context(config: HttpJsonConfig) -> ssl.SSLContext:
    """Verify the upstream against `ca` (else the system's CAs) and present the district's client certificate."""
    context = ssl.create_default_context(cafile=str(config.ca) if config.ca else None)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    if config.client_cert is not None:
        context.load_cert_chain(str(config.client_cert), str(config.client_key))
    return context


def _tls_failure(exc: BaseException) -> str:
    """The TLS reason behind a connect error ("" when it was not TLS): untrusted certificate, wrong host..."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ssl.SSLError):
            return str(getattr(seen, "verify_message", "") or getattr(seen, "reason", "") or type(seen).__name__)
        seen = seen.__cause__ or seen.__context__
    return ""


class HttpJsonSource:
    def __init__(self, name: str, config: HttpJsonConfig, transport: httpx.BaseTransport | None = None) -> None:
        self.name = name
        self.config = config
        verify: ssl.SSLContext | bool = tls_context(config) if config.base_url.startswith("https://") else True
        self._client = httpx.Client(base_url=config.base_url, timeout=config.timeout_s, verify=verify,
                                    headers=dict(config.headers), transport=transport, follow_redirects=False)

    @classmethod
    def from_config(cls, name: str, options: Mapping[str, Any], config_dir: Path) -> HttpJsonSource:
        try:
            return cls(name, parse_config(name, options, config_dir))
        except ssl.SSLError as exc:
            raise SourceConfigError(f"sources.{name}: client certificate, key or CA unusable: {exc}") from None

    def kinds(self) -> frozenset[str]:
        return frozenset(self.config.endpoints)

    def fetch(self, request: RecordRequest, budget_s: float) -> dict[str, Any]:
        endpoint = self.config.endpoints[request.kind]
        query = {endpoint.id_field: request.document_number, endpoint.months_field: request.months}
        timeout = httpx.Timeout(max(0.01, min(self.config.timeout_s, budget_s)))
        try:
            if endpoint.method == "POST":
                response = self._client.post(endpoint.path, json=query, timeout=timeout)
            else:
                response = self._client.get(endpoint.path, params={k: str(v) for k, v in query.items()},
                                            timeout=timeout)
        except httpx.TimeoutException as exc:
            raise SourceUnavailable(f"timeout ({type(exc).__name__})") from None
        except httpx.ConnectError as exc:
            tls = _tls_failure(exc)
            if tls:  # a certificate problem does not heal by asking again: the district's operator must act
                raise SourceRefused(f"TLS handshake failed: {tls}") from None
            raise SourceUnavailable("cannot connect") from None
        except httpx.HTTPError as exc:  # the message may quote the URL: keep the type only
            tls = _tls_failure(exc)  # TLS 1.3: a refused client certificate shows on the first read
            if tls:
                raise SourceRefused(f"TLS handshake failed: {tls}") from None
            raise SourceUnavailable(type(exc).__name__) from None
        status = response.status_code
        if status == 404:
            raise RecordNotFound("upstream has no such record (404)")
        if status >= 500 or status == 429:
            raise SourceUnavailable(f"upstream answered {status}")
        if status >= 400:
            raise SourceRefused(f"upstream refused the request ({status})")
        if status != 200:
            raise SourceMalformed(f"upstream answered {status}, expected 200")
        try:
            answer = response.json()
        except ValueError:
            raise SourceMalformed("upstream answer is not JSON") from None
        try:
            record = apply_mapping(endpoint.mapping, answer)
        except MappingError as exc:
            raise SourceMalformed(str(exc)) from None
        if not isinstance(record, dict):
            raise SourceMalformed("the mapping did not make an object")
        return record  # the gateway checks its shape (district.data_sources.record_shapes)

    def close(self) -> None:
        self._client.close()
