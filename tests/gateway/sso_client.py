"""Sign in through the real single sign-on without a browser: the same redirects a browser
follows (gateway, relying party, identity provider's sign-in form, callback), with a cookie
jar per host. Used by the SSO tests that need many sessions, and by bench/gateway_load.py.
"""

from __future__ import annotations

import http.client
import re
import ssl
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urljoin, urlsplit


@dataclass
class Hop:
    """One response on the way (for assertions on the path a sign-in took)."""

    url: str
    status: int
    location: str | None
    set_cookies: list[str] = field(default_factory=list)


@dataclass
class Browserless:
    """A cookie-keeping HTTP client for the gateway (HTTPS on 127.0.0.1:``port`` for
    ``host``) and the identity provider (plain HTTP on loopback)."""

    host: str
    port: int
    cafile: Path
    jars: dict[str, dict[str, str]] = field(default_factory=dict)
    hops: list[Hop] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.context = ssl.create_default_context(cafile=str(self.cafile))

    def cookie_header(self, origin: str) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.jars.get(origin, {}).items())

    def request(self, url: str, *, method: str = "GET", body: bytes | None = None,
                headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
        """One request; cookies of the answer are kept. Returns (status, headers, body)."""
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.hostname}" + (
            f":{parts.port}" if parts.port and parts.port != 443 else "")
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        if parts.scheme == "https":
            conn: http.client.HTTPConnection = http.client.HTTPSConnection(
                "127.0.0.1", self.port, timeout=20, context=self.context)
            hdrs = {"Host": parts.hostname or self.host}
        else:
            conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=20)
            hdrs = {}
        if method == "GET":  # a browser's navigation: what a relying party sends to sign in
            hdrs.update({"Accept": "text/html,application/xhtml+xml,*/*;q=0.8",
                         "Sec-Fetch-Mode": "navigate", "Sec-Fetch-Dest": "document"})
        hdrs.update(headers or {})
        cookie = self.cookie_header(origin)
        if cookie:
            hdrs["Cookie"] = cookie
        try:
            conn.request(method, path, body=body, headers=hdrs)
            resp = conn.getresponse()
            data = resp.read()
        finally:
            conn.close()
        jar = self.jars.setdefault(origin, {})
        for value in resp.headers.get_all("Set-Cookie") or []:
            parsed = SimpleCookie()
            parsed.load(value)
            for name, morsel in parsed.items():
                if morsel["max-age"] == "0" or (morsel["expires"] and "1970" in morsel["expires"]):
                    jar.pop(name, None)
                else:
                    jar[name] = morsel.value
        self.hops.append(Hop(url, resp.status, resp.headers.get("Location"),
                             resp.headers.get_all("Set-Cookie") or []))
        return resp.status, {k.lower(): v for k, v in resp.headers.items()}, data

    def follow(self, url: str, limit: int = 15) -> tuple[str, int, dict[str, str], bytes]:
        """GET ``url`` and follow redirects; returns (final url, status, headers, body)."""
        for _ in range(limit):
            status, headers, body = self.request(url)
            if status in (301, 302, 303, 307) and "location" in headers:
                url = urljoin(url, headers["location"])
                continue
            return url, status, headers, body
        raise AssertionError(f"more than {limit} redirects, last {url}")

    def sign_in(self, path: str, email: str, password: str) -> tuple[str, int, bytes]:
        """Open ``path`` on the gateway, sign in at the provider's form, follow to the end.
        Returns (final url, status, body)."""
        url, status, _headers, body = self.follow(f"https://{self.host}{path}")
        form = re.search(rb'<form method="post" action="(/interaction/[^"]+)"', body)
        assert status == 200 and form, f"no sign-in form at {url} ({status}): {body[:300]!r}"
        action = urljoin(url, form.group(1).decode())
        status, headers, body = self.request(
            action, method="POST", body=urlencode({"email": email, "password": password}).encode(),
            headers={"Content-Type": "application/x-www-form-urlencoded"})
        if status not in (302, 303):
            return action, status, body
        url, status, _headers, body = self.follow(urljoin(action, headers["location"]))
        return url, status, body

    def sign_out(self) -> tuple[str, int, bytes]:
        """POST the gateway's sign-out form, confirm at the provider, follow to the end."""
        origin = f"https://{self.host}"
        status, headers, body = self.request(f"{origin}/oauth2/sign_out", method="POST",
                                             headers={"Origin": origin})
        assert status in (302, 303), (status, body[:300])
        url, status, _h, body = self.follow(urljoin(origin + "/", headers["location"]))
        form = re.search(rb'<form method="post" action="([^"]+)"[^>]*id="op.logoutForm"|'
                         rb'<form id="op.logoutForm" method="post" action="([^"]+)"', body)
        if form:
            action = urljoin(url, (form.group(1) or form.group(2)).decode())
            xsrf = re.search(rb'name="xsrf" value="([^"]+)"', body)
            fields = {"logout": "yes"}
            if xsrf:
                fields["xsrf"] = xsrf.group(1).decode()
            status, headers, body = self.request(
                action, method="POST", body=urlencode(fields).encode(),
                headers={"Content-Type": "application/x-www-form-urlencoded"})
            if status in (302, 303):
                url, status, _h, body = self.follow(urljoin(action, headers["location"]))
        return url, status, body

    def session_cookie(self) -> str:
        """The gateway's Cookie header (what a signed-in member sends)."""
        return self.cookie_header(f"https://{self.host}")
