"""Noticing that the network came back, so queued transactions are retried at once, not at the next backoff.

Linux only, without privileges or extra packages: a fingerprint of the interfaces' operational states and the
routing table (/sys/class/net/*/operstate, /proc/net/route). Any change of it is treated as "maybe back".
"""

from __future__ import annotations

from pathlib import Path


class NetworkWatch:
    def __init__(self, sys_net: Path = Path("/sys/class/net"), route_file: Path = Path("/proc/net/route")) -> None:
        self._sys_net = sys_net
        self._route_file = route_file
        self._last = self.fingerprint()

    def fingerprint(self) -> str:
        """Interfaces with their states plus the routing table, as one string."""
        parts = []
        try:
            for iface in sorted(self._sys_net.iterdir()):
                try:
                    parts.append(f"{iface.name}={(iface / 'operstate').read_text().strip()}")
                except OSError:
                    continue
        except OSError:
            pass
        try:
            parts.append(self._route_file.read_text())
        except OSError:
            pass
        return "\n".join(parts)

    def changed(self) -> bool:
        """True once after each change of the network configuration."""
        now = self.fingerprint()
        if now != self._last:
            self._last = now
            return True
        return False
