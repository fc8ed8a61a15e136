"""A stand-in for oauth2-proxy, with the same contract towards nginx (standard library only).

nginx talks to oauth2-proxy in three ways, and this stub answers all three like it:

* ``GET /oauth2/auth`` (nginx's ``auth_request``): 202 when the request carries the cookie of
  a live session (with a refreshed cookie when ``refresh`` is set), 401 otherwise.
* ``GET /oauth2/start?rd=PATH``: signs the visitor in and sends them back to ``rd``. The real
  oauth2-proxy goes through the identity provider first; here sign-in is immediate, or, with
  ``interactive`` set, goes through a sign-in page with one button, like an IdP's.
* ``GET /oauth2/sign_out?rd=PATH``: ends the session (server side and cookie) and sends the
  visitor to ``rd``.

``rd`` is checked the way oauth2-proxy checks it: a local path (``/...`` but not ``//...`` or
``/\\...``), otherwise ``/``.
"""

from __future__ import annotations

import html
import secrets
import threading
import time
from dataclasses import dataclass, field
from http import HTTPStatus
from http.cookies import CookieError, SimpleCookie
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, quote, urlsplit

COOKIE = "_oauth2_proxy"
SIGN_IN_TITLE = "Sign in to CJ Client Support"


def safe_redirect(rd: str | None) -> str:
    """``rd`` if it is a path on this host, else ``/`` (oauth2-proxy's rule for relative rd)."""
    if not rd or not rd.startswith("/") or rd.startswith(("//", "/\\")):
        return "/"
    if any(ch in rd for ch in "\r\n\t "):
        return "/"
    return rd


@dataclass
class Seen:
    """One request the stub answered (for assertions on what nginx sends it)."""

    method: str
    path: str
    headers: dict[str, str]
    status: int


@dataclass
class AuthStub:
    """The running stub: ``start()``, then point nginx at ``port``."""

    email: str = "member@example.com"
    interactive: bool = False
    refresh: bool = False  # answer auth with a refreshed cookie, as with cookie_refresh
    stall: float = 0.0     # seconds to wait before answering auth (a stalled relying party)
    chunks: int = 0        # sign-in sets the session split in this many cookies (_0, _1, ...)
    sessions: dict[str, str] = field(default_factory=dict)
    seen: list[Seen] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _server: ThreadingHTTPServer | None = None
    _thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        assert self._server is not None, "start() the stub first"
        return self._server.server_address[1]

    def start(self) -> AuthStub:
        stub = self

        class Handler(_Handler):
            pass

        Handler.stub = stub
        self._server = _QuietServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="auth-stub",
                                        kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    # -- sessions -------------------------------------------------------------------------
    def new_session(self) -> str:
        token = secrets.token_urlsafe(24)
        with self._lock:
            self.sessions[token] = self.email
        return token

    def is_valid(self, token: str | None) -> bool:
        with self._lock:
            return token is not None and token in self.sessions

    def end_session(self, token: str | None) -> None:
        with self._lock:
            self.sessions.pop(token or "", None)

    def expire_all(self) -> None:
        """Every session ends at once, as when cookies expire or the IdP revokes them."""
        with self._lock:
            self.sessions.clear()

    def record(self, seen: Seen) -> None:
        with self._lock:
            self.seen.append(seen)


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        """nginx hanging up on a stalled answer is expected (its timeout): no traceback."""
        import sys

        if not isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            super().handle_error(request, client_address)  # type: ignore[arg-type]


class _Handler(BaseHTTPRequestHandler):
    stub: AuthStub
    server_version = "auth-stub/1"
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        pass  # quiet: the tests assert on `stub.seen`

    def _token(self) -> str | None:
        raw = self.headers.get("Cookie")
        if not raw:
            return None
        try:
            jar = SimpleCookie(raw)
        except CookieError:
            return None
        morsel = jar.get(COOKIE)
        return morsel.value if morsel else None

    def _send(self, status: int, body: str = "", headers: dict[str, str] | None = None,
              cookies: list[str] | None = None) -> None:
        data = body.encode()
        self.stub.record(Seen(self.command, self.path, dict(self.headers.items()), status))
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        for cookie in cookies or []:
            self.send_header("Set-Cookie", cookie)
        if data:
            self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def do_HEAD(self) -> None:
        self.do_GET()

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        query = parse_qs(url.query)
        rd = safe_redirect((query.get("rd") or [None])[0])
        if url.path == "/oauth2/auth":
            if self.stub.stall:
                time.sleep(self.stub.stall)
            token = self._token()
            if self.stub.is_valid(token):
                headers = {"X-Auth-Request-User": self.stub.email.split("@")[0],
                           "X-Auth-Request-Email": self.stub.email}
                if self.stub.refresh:
                    headers["Set-Cookie"] = (f"{COOKIE}={token}; Path=/; HttpOnly; Secure; "
                                             "SameSite=Lax")
                self._send(HTTPStatus.ACCEPTED, headers=headers)
            else:
                self._send(HTTPStatus.UNAUTHORIZED)
        elif url.path == "/oauth2/start":
            if self.stub.interactive and query.get("confirm") != ["1"]:
                self._send(HTTPStatus.OK, _sign_in_page(rd))
                return
            token = self.stub.new_session()
            cookies = [f"{COOKIE}={token}; Path=/; HttpOnly; Secure; SameSite=Lax"]
            cookies += [f"{COOKIE}_{i}={'c' * 3900}; Path=/; HttpOnly; Secure; SameSite=Lax"
                        for i in range(self.stub.chunks)]
            self._send(HTTPStatus.FOUND, headers={"Location": rd}, cookies=cookies)
        elif url.path == "/oauth2/sign_out":
            self.stub.end_session(self._token())
            self._send(HTTPStatus.FOUND, headers={
                "Location": rd,
                "Set-Cookie": f"{COOKIE}=; Path=/; Max-Age=0; HttpOnly; Secure; SameSite=Lax",
            })
        else:
            self._send(HTTPStatus.NOT_FOUND, "<!doctype html><title>404</title>not found")


def _sign_in_page(rd: str) -> str:
    """What an identity provider's sign-in page looks like, minus the password box."""
    target = "/oauth2/start?confirm=1&rd=" + quote(rd, safe="/")
    return (
        "<!doctype html><html lang=en><head><meta charset=utf-8>"
        f'<title>{SIGN_IN_TITLE}</title><link rel="icon" href="data:,"></head><body>'
        f"<h1>{SIGN_IN_TITLE}</h1>"
        f'<p><a id="sign-in" href="{html.escape(target)}">Sign in with your company account</a>'
        "</p></body></html>"
    )
