"""A departmental system on loopback, as the district's HTTP/JSON adapter meets it: a real HTTP(S) server in a
thread of the test, answering from a small register of citizens, with scripted misbehaviour (slow, 500, malformed
JSON, a dropped connection) for the next requests. With a PKI it speaks TLS and requires a client certificate
signed by its CA, as a department's gateway does."""

from __future__ import annotations

import json
import socket
import ssl
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tests.data_sources.pki import Pki

# The social-insurance bureau's register: rows as its API sends them (newest first, its own codes).
SI_PERSON = "330102199003071234"
SI_REGISTER = {
    SI_PERSON: {
        "unitName": "杭州西溪数据服务有限公司",
        "firstInsuredDate": "20080301",
        "insuranceTypes": ["养老保险", "医疗保险", "失业保险"],
        "rows": [
            {"period": "202409", "base": "6100.00", "pensionPerson": 488.0, "pensionUnit": 854.0,
             "medicalPerson": 122.0, "medicalUnit": 603.9, "unemploymentPerson": 30.5, "payState": "2"},
            {"period": "202408", "base": "6100.00", "pensionPerson": 488.0, "pensionUnit": 854.0,
             "medicalPerson": 122.0, "medicalUnit": 603.9, "unemploymentPerson": 30.5, "payState": "1"},
            {"period": "202407", "base": "5800.00", "pensionPerson": 464.0, "pensionUnit": 812.0,
             "medicalPerson": 116.0, "medicalUnit": 574.2, "unemploymentPerson": 29.0, "payState": "1"},
        ],
    },
}
ODD_PERSON = "330102198501011235"  # a row with a payment state the district's mapping does not know
SI_REGISTER[ODD_PERSON] = {**SI_REGISTER[SI_PERSON],
                           "rows": [{**SI_REGISTER[SI_PERSON]["rows"][0], "payState": "9"}]}
HF_REGISTER = {
    SI_PERSON: {"account": {"no": "8801234567", "center": "杭州住房公积金管理中心上城分中心"},
                "deposits": [{"ym": "2024-08", "amount": 1560, "state": "normal"},
                             {"ym": "2024-09", "amount": 1560, "state": "normal"}],
                "total": 3120},
}


@dataclass
class Seen:
    path: str
    body: dict[str, Any]
    client_cn: str


@dataclass
class Behaviour:
    """Scripted answers for the next requests (`ok` when the script is empty)."""

    script: deque[str] = field(default_factory=deque)
    slow_s: float = 2.0
    seen: list[Seen] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def next(self) -> str:
        with self.lock:
            return self.script.popleft() if self.script else "ok"


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
        pass

    def do_POST(self) -> None:
        behaviour = self.server.behaviour
        length = int(self.headers.get("Content-Length") or 0)
        try:
            body = json.loads(self.rfile.read(length) or b"{}")
        except ValueError:
            body = {}
        cn = ""
        if isinstance(self.connection, ssl.SSLSocket):
            for rdn in (self.connection.getpeercert() or {}).get("subject", ()):
                for key, value in rdn:
                    if key == "commonName":
                        cn = value
        with behaviour.lock:
            behaviour.seen.append(Seen(self.path, body, cn))
        action = behaviour.next()
        if action == "slow":
            time.sleep(behaviour.slow_s)
        elif action == "500":
            return self._send(500, b'{"code": "9999", "message": "internal error"}')
        elif action == "503":
            return self._send(503, b"busy")
        elif action == "malformed":
            return self._send(200, b'{"code": "0000", "data": {"unitName": "truncated')
        elif action == "drop":
            self.connection.shutdown(socket.SHUT_RDWR)
            return None
        if self.path == "/api/v2/contribution-records":
            person = SI_REGISTER.get(str(body.get("idNumber", "")))
            if person is None:
                return self._send(404, json.dumps({"code": "0404", "message": "no such person"}).encode())
            months = int(body.get("months", 36))
            data = {**person, "rows": person["rows"][:months]}
            return self._send(200, json.dumps({"code": "0000", "data": data}, ensure_ascii=False).encode())
        if self.path == "/hf/deposits":
            account = HF_REGISTER.get(str(body.get("certNo", "")))
            if account is None:
                return self._send(404, b"{}")
            return self._send(200, json.dumps(account, ensure_ascii=False).encode())
        return self._send(404, b'{"code": "0404", "message": "no such API"}')

    def _send(self, status: int, payload: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    behaviour: Behaviour

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that gave up (timeout) or refused our certificate: expected here, not news


class Upstream:
    """`with Upstream(pki) as up:` serves on https://127.0.0.1:PORT (or http:// without a PKI)."""

    def __init__(self, pki: Pki | None = None) -> None:
        self.behaviour = Behaviour()
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.behaviour = self.behaviour
        if pki is not None:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(str(pki.server_cert), str(pki.server_key))
            context.load_verify_locations(str(pki.ca))
            context.verify_mode = ssl.CERT_REQUIRED  # the department admits only districts it certified
            self._server.socket = context.wrap_socket(self._server.socket, server_side=True)
        self.port = self._server.server_address[1]
        self.url = f"{'https' if pki else 'http'}://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True)

    def __enter__(self) -> Upstream:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def script(self, *actions: str) -> None:
        with self.behaviour.lock:
            self.behaviour.script.extend(actions)

    @property
    def seen(self) -> list[Seen]:
        with self.behaviour.lock:
            return list(self.behaviour.seen)
