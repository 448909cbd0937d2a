"""Which district this kiosk may talk to, and how it checks that it is talking to it.

Off the loopback interface the link must be TLS, verified against the district's own CA that was installed at
provisioning (`[terminal] district_ca`), never the system's store: a certificate from any public CA for the same
name does not make a server our district. Plain `http://` is accepted only to a loopback address (a district
server on the same machine: development, demos, tests).
"""

from __future__ import annotations

import ipaddress
import ssl
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from kiosk.errors import ConfigError

URL_KEY = "[terminal] district_url"
CA_KEY = "[terminal] district_ca"


def is_loopback_host(host: str) -> bool:
    """True for `localhost` and loopback IP literals (127.0.0.0/8, ::1)."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class DistrictEndpoint:
    """A checked district base URL and what httpx verifies its certificate with (`verify=`)."""

    url: str
    verify: ssl.SSLContext | bool

    @property
    def loopback(self) -> bool:
        return is_loopback_host(urlsplit(self.url).hostname or "")


def district_endpoint(url: str, ca_file: Path | None, load_ca: bool = True) -> DistrictEndpoint:
    """Check `url` and build the TLS verification for it. Raises ConfigError naming the key at fault.

    - `https://`: the certificate must chain to `ca_file` (required; only that CA is trusted).
    - `http://`: only to a loopback host.

    `load_ca=False` checks the settings only (`kiosk config check` on a machine that is not the kiosk, where the
    CA file is not installed); the answer's `verify` is then the default and must not be used to connect.
    """
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.scheme not in ("http", "https") or not host:
        raise ConfigError(f"{URL_KEY} must be an http(s) URL with a host, got {url!r}")
    if parts.scheme == "http":
        if not is_loopback_host(host):
            raise ConfigError(f"{URL_KEY} {url!r}: plain http is refused to a non-loopback district; use https "
                              f"with {CA_KEY}")
        return DistrictEndpoint(url.rstrip("/"), True)
    if ca_file is None:
        raise ConfigError(f"{CA_KEY} must name the district's CA certificate (PEM) for {url!r}")
    if not load_ca:
        return DistrictEndpoint(url.rstrip("/"), True)
    try:
        context = ssl.create_default_context(cafile=str(ca_file))  # with cafile: only this CA, no system store
    except (OSError, ssl.SSLError) as exc:
        raise ConfigError(f"{CA_KEY} {str(ca_file)!r}: not a readable PEM CA certificate ({exc})") from None
    return DistrictEndpoint(url.rstrip("/"), context)
