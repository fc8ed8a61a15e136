"""The members gateway (deploy/), on a real nginx with the shipped configuration.

nginx runs deploy/nginx/members.conf.template rendered for temporary paths and loopback ports,
in front of the members site built once for the session, and asks a stub standing in for
oauth2-proxy (tests/gateway/auth_stub.py) whether each request has a session, exactly as it
asks oauth2-proxy in production. Fixtures: tests/gateway/conftest.py.
"""

from __future__ import annotations

import base64
import hashlib
import http.client
import json
import os
import re
import socket
import ssl
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml

from .conftest import in_thread
from .gateway.auth_stub import COOKIE, SIGN_IN_TITLE, AuthStub
from .gateway.conftest import (
    DOTFILE_SECRET,
    HOST,
    OUTSIDE_SECRET,
    Client,
    MembersSite,
    Response,
    auth_stub,
    chromium,
    client,
    gateway,
    instant_gateway,
    limited_gateway,
    member,
    members_site,
    nginx_binary,
    tls,
)
from .gateway.nginx import REPO, TEMPLATE, Gateway, placeholders

__all__ = ["auth_stub", "chromium", "client", "gateway", "instant_gateway", "limited_gateway",
           "member", "members_site", "nginx_binary", "tls"]  # fixtures, imported for pytest

DEPLOY = REPO / "deploy"
PLACEHOLDERS = {"KB_HTTPS_LISTEN", "KB_HTTP_LISTEN", "KB_TLS_CERT", "KB_TLS_KEY",
                "KB_MEMBERS_ROOT", "KB_AUTH_PORT", "KB_SERVER_NAME", "KB_IDP_ORIGIN",
                "KB_RATE_LIMIT", "KB_SIGN_IN_LIMIT", "KB_CONN_LIMIT"}
# Set per install in gateway.env (docker-compose.yml's env_file), not in the compose file.
PER_INSTALL = {"KB_SERVER_NAME", "KB_IDP_ORIGIN"}
SECURITY_HEADERS = {
    "X-Robots-Tag": "noindex, nofollow",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Strict-Transport-Security": "max-age=31536000",
    "X-Frame-Options": "DENY",
}
NONCE = re.compile(r"'nonce-([0-9a-f]{32})'")
SCRIPT_TAG = re.compile(r"<script\b([^>]*)>(.*?)</script>", re.S | re.I)


# -- helpers ----------------------------------------------------------------------------------
def csp_directives(resp: Response) -> dict[str, list[str]]:
    csp = resp.header("Content-Security-Policy")
    assert csp, f"no Content-Security-Policy: {dict(resp.headers)}"
    out: dict[str, list[str]] = {}
    for part in csp.split(";"):
        words = part.split()
        if words:
            out[words[0]] = words[1:]
    return out


def assert_gateway_headers(resp: Response, what: str) -> None:
    """Every response of the members gateway, of any status, carries these."""
    for name, value in SECURITY_HEADERS.items():
        assert resp.header(name) == value, f"{what}: {name} is {resp.header(name)!r}"
    csp = csp_directives(resp)
    assert csp["default-src"] == ["'none'"], (what, csp)
    assert "'unsafe-inline'" not in csp["script-src"], (what, csp)
    assert "'unsafe-eval'" not in csp["script-src"], (what, csp)
    assert csp["frame-ancestors"] == ["'none'"], (what, csp)
    assert resp.header("Cache-Control") == "no-store", f"{what}: {resp.header('Cache-Control')}"
    assert "nginx/" not in (resp.header("Server") or ""), f"{what}: server_tokens leak the version"


def assert_sent_to_sign_in(resp: Response, original: str) -> None:
    """A refused request: a redirect to sign-in that carries the path asked for, no content."""
    assert resp.status == 302, f"{original}: {resp.status} without a session"
    loc = urlsplit(resp.location or "")
    assert loc.path == "/oauth2/start", f"{original}: redirected to {resp.location}"
    assert not loc.netloc, f"{original}: absolute redirect {resp.location} (breaks behind a proxy)"
    assert parse_qs(loc.query).get("rd") == [original], f"{original}: {resp.location}"
    assert len(resp.body) < 1000 and b"md-content" not in resp.body, original


def served_equals_file(resp: Response, path: Path) -> bool:
    """The body is the file, except for the nonce nginx writes into each <script> tag."""
    body = resp.body
    if path.suffix == ".html":
        nonce = NONCE.search(resp.header("Content-Security-Policy") or "")
        assert nonce, "no nonce in the CSP of an HTML page"
        body = body.replace(f' nonce="{nonce.group(1)}"'.encode(), b"")
    return body == path.read_bytes()


def sha256_source(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def url_of(rel: str) -> str:
    """The pretty URL MkDocs links to for ``/x/index.html``."""
    return rel[: -len("index.html")] if rel.endswith("/index.html") else rel


# -- the shipped configuration ----------------------------------------------------------------
def test_template_varies_only_in_paths_and_ports(gateway: Gateway) -> None:
    text = TEMPLATE.read_text()
    assert placeholders(text) == PLACEHOLDERS
    assert not re.search(r"\$\{(?!KB_)", text), "a ${...} that envsubst would eat"
    result = gateway.test_config()
    assert result.returncode == 0, result.stderr
    rendered = (gateway.workdir / "members.conf").read_text()
    assert "${" not in re.sub(r"#.*", "", rendered)
    assert re.search(r"^\s*autoindex off;", rendered, re.M)
    assert re.search(r"^\s*auth_request /oauth2/auth;", rendered, re.M)


def test_compose_and_oauth2_proxy_match_the_template() -> None:
    compose = yaml.safe_load((DEPLOY / "docker-compose.yml").read_text())
    services = compose["services"]
    gw, proxy = services["gateway"], services["oauth2-proxy"]
    env = gw["environment"]
    assert set(env) >= PLACEHOLDERS - PER_INSTALL, PLACEHOLDERS - PER_INSTALL - set(env)
    assert env.get("NGINX_ENVSUBST_FILTER") == "^KB_"
    assert env["KB_MEMBERS_ROOT"].endswith("/current"), "the gateway serves the live release"
    example = (DEPLOY / "gateway.env.example").read_text()
    for name in PER_INSTALL:
        assert re.search(rf"^{name}=\S+", example, re.M), name
    assert "./gateway.env" in gw["env_file"]
    # The members site is mounted read-only, and so is every other file the gateway reads.
    mounts = {}
    for volume in gw["volumes"]:
        _source, target, *mode = volume.split(":")
        mounts[target] = mode
    assert all(mode == ["ro"] for mode in mounts.values()), mounts
    assert "/etc/nginx/templates/default.conf.template" in mounts
    assert any(env["KB_MEMBERS_ROOT"].startswith(target + "/") for target in mounts)
    # oauth2-proxy shares the gateway's network namespace: reachable on 127.0.0.1 only.
    assert proxy["network_mode"] == "service:gateway"
    assert "ports" not in proxy
    # Hardened: pinned by digest, read-only, no capabilities but those nginx needs to bind
    # 80/443 and drop to its user, no privilege gain, bounded, not root for oauth2-proxy.
    for name, service in services.items():
        assert re.search(r":v?\d+\.\d+\.\d+(-[a-z]+)?@sha256:[0-9a-f]{64}$", service["image"]), \
            f"{name}: {service['image']} is not pinned by digest"
        assert service["read_only"] is True, name
        assert service["cap_drop"] == ["ALL"], name
        assert "no-new-privileges:true" in service["security_opt"], name
        assert service.get("pids_limit") and service.get("mem_limit"), name
        assert not service.get("privileged"), name
    assert set(gw["cap_add"]) <= {"NET_BIND_SERVICE", "SETUID", "SETGID", "CHOWN"}, gw["cap_add"]
    assert "cap_add" not in proxy and proxy["user"].split(":")[0] != "0"
    cfg = (DEPLOY / "oauth2-proxy" / "oauth2-proxy.cfg").read_text()
    settings = dict(re.findall(r'^([a-z_]+)\s*=\s*(.+?)\s*$', cfg, re.M))
    assert settings["provider"] == '"oidc"'
    assert settings["http_address"] == f'"127.0.0.1:{env["KB_AUTH_PORT"]}"'
    assert settings["reverse_proxy"] == "true"
    assert settings["cookie_secure"] == "true" and settings["cookie_httponly"] == "true"
    assert settings["cookie_name"].startswith('"__Host-'), settings["cookie_name"]
    assert settings["cookie_path"] == '"/"' and settings["cookie_domains"] == "[]"
    assert "client_secret" not in settings and "cookie_secret" not in settings, \
        "secrets belong in the env file, not in the committed configuration"
    assert "trusted_ips" not in settings, "trusted_ips lets addresses in without a session"


def test_who_may_sign_in_is_required_for_oauth2_proxy() -> None:
    """No `*`: oauth2-proxy refuses to start without email_domains, and the example env file
    names a domain and a group, both of which must match."""
    cfg = (DEPLOY / "oauth2-proxy" / "oauth2-proxy.cfg").read_text()
    active = "\n".join(line for line in cfg.splitlines() if not line.lstrip().startswith("#"))
    assert "email_domains" not in active and "*" not in active, active
    example = (DEPLOY / "oauth2-proxy" / "oauth2-proxy.env.example").read_text()
    values = dict(re.findall(r"^(OAUTH2_PROXY_[A-Z_]+)=(.*)$", example, re.M))
    for name in ("OAUTH2_PROXY_EMAIL_DOMAINS", "OAUTH2_PROXY_ALLOWED_GROUPS"):
        assert values.get(name) and "*" not in values[name], (name, values.get(name))


# -- without a session ------------------------------------------------------------------------
def test_every_file_is_refused_without_a_session(client: Client, members_site: MembersSite,
                                                 auth_stub: AuthStub) -> None:
    for rel in members_site.files:
        for path in {rel, url_of(rel)}:
            resp = client.get(path)
            assert_sent_to_sign_in(resp, path)
            assert_gateway_headers(resp, path)
            assert resp.body != (members_site.root / rel.lstrip("/")).read_bytes()
    # nginx asked the stub each time, with the original request in X-Forwarded-Uri.
    asked = {s.headers.get("X-Forwarded-Uri") for s in auth_stub.seen if s.path == "/oauth2/auth"}
    assert set(members_site.files) <= asked


def test_the_original_query_rides_along_to_sign_in(client: Client) -> None:
    resp = client.get("/search/?q=superuser")
    assert_sent_to_sign_in(resp, "/search/?q=superuser")


def test_background_requests_get_401_not_a_redirect(client: Client) -> None:
    """Material fetches pages with XHR (instant navigation) and the search index: a redirect
    would be followed silently and the sign-in page taken for content. A bare 401 makes
    Material fall back to a full page load, which is then redirected to sign-in."""
    for mode in ("cors", "same-origin", "no-cors"):
        resp = client.get("/getting-started/", headers={"Sec-Fetch-Mode": mode,
                                                        "Sec-Fetch-Dest": "empty"})
        assert resp.status == 401, (mode, resp.status, resp.location)
        assert resp.location is None
        assert_gateway_headers(resp, f"401 ({mode})")
    resp = client.get("/getting-started/", headers={"Sec-Fetch-Mode": "navigate"})
    assert_sent_to_sign_in(resp, "/getting-started/")


def test_auth_endpoint_is_internal(client: Client) -> None:
    resp = client.get("/oauth2/auth")
    assert resp.status == 404
    assert_gateway_headers(resp, "/oauth2/auth")


# -- with a session ---------------------------------------------------------------------------
def test_every_file_is_served_with_a_session(client: Client, member: str,
                                             members_site: MembersSite) -> None:
    types = {".html": "text/html", ".css": "text/css", ".js": "application/javascript",
             ".json": "application/json", ".svg": "image/svg+xml", ".png": "image/png",
             ".xml": "text/xml", ".txt": "text/plain"}
    for rel in members_site.files:
        path = members_site.root / rel.lstrip("/")
        resp = client.get(rel, cookie=member)
        assert resp.status == 200, f"{rel}: {resp.status}"
        assert served_equals_file(resp, path), f"{rel}: the body is not the file"
        assert_gateway_headers(resp, rel)
        expected = types.get(path.suffix)
        if expected:
            assert (resp.header("Content-Type") or "").startswith(expected), \
                f"{rel}: {resp.header('Content-Type')} (nosniff needs the right type)"
        if rel.endswith("/index.html"):
            pretty = client.get(url_of(rel), cookie=member)
            assert pretty.status == 200 and served_equals_file(pretty, path), url_of(rel)


def test_sign_in_brings_the_member_back_to_the_page(client: Client) -> None:
    page = "/accounts-and-passwords/superuser-password-change/"
    first = client.get(page)
    assert_sent_to_sign_in(first, page)
    signing_in = client.get(first.location or "")
    assert signing_in.status == 302 and signing_in.location == page
    assert_gateway_headers(signing_in, "/oauth2/start")
    cookie = signing_in.header("Set-Cookie") or ""
    assert cookie.startswith(f"{COOKIE}=") and "HttpOnly" in cookie and "Secure" in cookie
    back = client.get(page, cookie=cookie.split(";")[0])
    assert back.status == 200 and b"SuperUser" in back.body


def test_sign_out_is_a_same_origin_post_and_ends_access(client: Client, member: str) -> None:
    assert client.get("/", cookie=member).status == 200
    # GET (a link, an image, a prefetch from anywhere): a page with a button, nothing ended.
    page = client.get("/oauth2/sign_out", cookie=member)
    assert page.status == 200 and '<form method="post" action="/oauth2/sign_out">' in page.text
    assert_gateway_headers(page, "GET /oauth2/sign_out")
    for headers in ({"Origin": "https://evil.example"}, {}, {"Origin": "null"},
                    {"Origin": f"http://{HOST}"}):
        refused = client.request("/oauth2/sign_out", method="POST", cookie=member,
                                 headers=headers)
        assert refused.status == 403, (headers, refused.status)
        assert_gateway_headers(refused, f"POST /oauth2/sign_out {headers}")
    assert client.get("/", cookie=member).status == 200, "signed out by a refused request"
    out = client.request("/oauth2/sign_out", method="POST", cookie=member,
                         headers={"Origin": f"https://{HOST}"})
    assert out.status == 302 and out.location == "/"
    assert "Max-Age=0" in (out.header("Set-Cookie") or "")
    assert_gateway_headers(out, "/oauth2/sign_out")
    # The old cookie no longer opens anything, even if a browser kept it.
    assert_sent_to_sign_in(client.get("/", cookie=member), "/")
    assert_sent_to_sign_in(client.get("/getting-started/does-cj-build-websites/",
                                      cookie=member), "/getting-started/does-cj-build-websites/")


def test_a_refreshed_session_cookie_reaches_the_browser(client: Client, member: str,
                                                        auth_stub: AuthStub) -> None:
    """oauth2-proxy refreshes sessions (cookie_refresh) on its answer to auth_request; the
    gateway passes that Set-Cookie on to the browser."""
    auth_stub.refresh = True
    try:
        resp = client.get("/", cookie=member)
    finally:
        auth_stub.refresh = False
    assert resp.status == 200
    assert (resp.header("Set-Cookie") or "").startswith(f"{COOKIE}=")
    assert client.get("/", cookie=member).header("Set-Cookie") is None


def test_only_get_and_head(client: Client, member: str) -> None:
    assert client.request("/", method="HEAD", cookie=member).status == 200
    for method in ("POST", "PUT", "DELETE"):
        resp = client.request("/", method=method, cookie=member)
        assert resp.status in (403, 405), (method, resp.status)
        assert_gateway_headers(resp, method)


# -- what is never served ---------------------------------------------------------------------
TRAVERSALS = [
    "/../secret.txt", "/../../etc/passwd", "/assets/../../secret.txt",
    "/%2e%2e/secret.txt", "/%2E%2E/secret.txt", "/.%2e/secret.txt", "/%2e./secret.txt",
    "/..%2fsecret.txt", "/..%2Fsecret.txt", "/%2e%2e%2fsecret.txt", "/%2E%2E%2Fsecret.txt",
    "/assets%2f..%2f..%2fsecret.txt", "/assets/%2e%2e/%2e%2e/secret.txt",
    "/assets/..%5c..%5csecret.txt", "/..\\secret.txt", "/getting-started/../index.html",
    "/index.html%00.js",
]


@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "member"])
def test_traversal_is_refused(client: Client, member: str, signed_in: bool) -> None:
    cookie = member if signed_in else None
    for path in TRAVERSALS:
        resp = client.get(path, cookie=cookie)
        assert resp.status == 400, f"{path}: {resp.status}"
        assert OUTSIDE_SECRET.encode() not in resp.body and b"root:" not in resp.body, path
        assert_gateway_headers(resp, path)
    # Double encoding decodes once, to a harmless literal name; and the symbolic link inside
    # the site that points out of it is not followed.
    for path in ("/%252e%252e/secret.txt", "/leak.txt"):
        resp = client.get(path, cookie=cookie)
        assert resp.status in ((403, 404) if signed_in else (302,)), f"{path}: {resp.status}"
        assert OUTSIDE_SECRET.encode() not in resp.body, path


@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "member"])
def test_dotfiles_are_refused(client: Client, member: str, signed_in: bool) -> None:
    cookie = member if signed_in else None
    for path in ("/.env", "/.git/config", "/.git/", "/.git", "/assets/.hidden.txt",
                 "/assets/./.hidden.txt", "/.env?x=1"):
        resp = client.get(path, cookie=cookie)
        assert resp.status == 404, f"{path}: {resp.status}"
        assert DOTFILE_SECRET.encode() not in resp.body, path
        assert_gateway_headers(resp, path)
    for path in ("/%2eenv", "/.%65nv"):
        resp = client.get(path, cookie=cookie)
        assert resp.status in (400, 404), f"{path}: {resp.status}"
        assert DOTFILE_SECRET.encode() not in resp.body, path


def test_directory_listings_are_refused(client: Client, member: str,
                                        members_site: MembersSite) -> None:
    root = members_site.root
    folders = sorted({p for p in root.rglob("*") if p.is_dir() and not p.name.startswith(".")
                      and not any(q.name.startswith(".") for q in p.parents)})
    without_index = [d for d in folders if not (d / "index.html").exists()]
    assert without_index, "the site has no folder without index.html to try"
    for folder in without_index:
        path = "/" + folder.relative_to(root).as_posix() + "/"
        assert_sent_to_sign_in(client.get(path), path)
        resp = client.get(path, cookie=member)
        assert resp.status in (403, 404), f"{path}: {resp.status}"
        for child in folder.iterdir():
            assert child.name.encode() not in resp.body, f"{path} lists {child.name}"
        assert_gateway_headers(resp, path)
    # A folder without its trailing slash is redirected, relatively, to the one with it.
    sub = next(d for d in folders if (d / "index.html").exists() and d != root)
    bare = "/" + sub.relative_to(root).as_posix()
    resp = client.get(bare, cookie=member)
    assert resp.status == 301 and resp.location == bare + "/", (resp.status, resp.location)


def test_missing_pages_get_the_site_404_page(client: Client, member: str,
                                             members_site: MembersSite) -> None:
    assert_sent_to_sign_in(client.get("/no/such/page/"), "/no/such/page/")
    resp = client.get("/no/such/page/", cookie=member)
    assert resp.status == 404
    assert served_equals_file(resp, members_site.root / "404.html")


@pytest.mark.parametrize("host", [HOST, "evil.example", "evil.example:8443"])
def test_plain_http_is_redirected_to_https(gateway: Gateway, host: str) -> None:
    """To this gateway's own name, whatever Host the request carried."""
    conn = http.client.HTTPConnection("127.0.0.1", gateway.http_port, timeout=10)
    try:
        conn.request("GET", "/getting-started/?x=1", headers={"Host": host})
        resp = conn.getresponse()
        body = resp.read()
    finally:
        conn.close()
    assert resp.status == 301
    assert resp.headers["Location"] == f"https://{HOST}/getting-started/?x=1"
    assert resp.headers["X-Robots-Tag"] == "noindex, nofollow"
    assert b"md-content" not in body


# -- the findings of the security review -------------------------------------------------------
def _tls_handshake(port: int, cafile: Path, *, version: ssl.TLSVersion,
                   ciphers: str | None = None) -> str | None:
    """The cipher negotiated, or None when the gateway refuses the handshake."""
    ctx = ssl.create_default_context(cafile=str(cafile))
    ctx.minimum_version = ctx.maximum_version = version
    if ciphers:
        ctx.set_ciphers(ciphers)
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=5) as raw, \
                ctx.wrap_socket(raw, server_hostname=HOST) as tls_sock:
            return tls_sock.cipher()[0]
    except (ssl.SSLError, ConnectionResetError):
        return None


def test_tls_is_mozilla_intermediate(gateway: Gateway, tls: tuple[Path, Path]) -> None:
    """TLS 1.2 with forward-secret AEAD ciphers only, and TLS 1.3; no CBC, no SHA-1, no
    static RSA key exchange, no TLS 1.1."""
    cafile = tls[0]
    assert _tls_handshake(gateway.https_port, cafile, version=ssl.TLSVersion.TLSv1_3)
    good = _tls_handshake(gateway.https_port, cafile, version=ssl.TLSVersion.TLSv1_2)
    assert good and ("GCM" in good or "CHACHA20" in good), good
    for weak in ("ECDHE-ECDSA-AES128-SHA", "ECDHE-ECDSA-AES256-SHA", "ECDHE-ECDSA-AES128-SHA256",
                 "ECDHE-ECDSA-AES256-SHA384", "AES128-GCM-SHA256", "AES128-SHA"):
        assert _tls_handshake(gateway.https_port, cafile, version=ssl.TLSVersion.TLSv1_2,
                              ciphers=weak) is None, f"{weak} accepted"
    text = TEMPLATE.read_text()
    found = re.search(r"ssl_ciphers\s+([^;]+);", text)
    assert found, "no ssl_ciphers"
    ciphers = found.group(1).split(":")
    assert ciphers == MOZILLA_INTERMEDIATE, ciphers
    assert re.search(r"ssl_protocols\s+TLSv1\.2 TLSv1\.3;", text)


# ssl-config.mozilla.org, "intermediate", guidelines 5.7.
MOZILLA_INTERMEDIATE = [
    "ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-RSA-AES128-GCM-SHA256",
    "ECDHE-ECDSA-AES256-GCM-SHA384", "ECDHE-RSA-AES256-GCM-SHA384",
    "ECDHE-ECDSA-CHACHA20-POLY1305", "ECDHE-RSA-CHACHA20-POLY1305",
    "DHE-RSA-AES128-GCM-SHA256", "DHE-RSA-AES256-GCM-SHA384", "DHE-RSA-CHACHA20-POLY1305",
]


def test_forwarded_headers_are_the_gateways_own(client: Client, auth_stub: AuthStub) -> None:
    """What a client sends as X-Forwarded-*, X-Auth-Request-Redirect, Forwarded or Host never
    reaches the relying party: the gateway sets or removes each of them."""
    forged = {"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Host": "evil.example",
              "X-Forwarded-Proto": "http", "X-Forwarded-Uri": "/evil",
              "X-Forwarded-Port": "8443", "X-Real-IP": "203.0.113.9",
              "X-Auth-Request-Redirect": "https://evil.example/", "Forwarded": "for=203.0.113.9",
              "X-Original-URL": "/evil", "X-Original-URI": "/evil", "X-Rewrite-URL": "/evil",
              "X-Forwarded-Prefix": "/evil"}
    start = len(auth_stub.seen)
    client.get("/getting-started/", headers=forged)
    client.get("/oauth2/start?rd=/getting-started/", headers=forged)
    client.request("/oauth2/sign_out", method="POST",
                   headers={**forged, "Origin": f"https://{HOST}"})
    seen = auth_stub.seen[start:]
    assert {s.path.split("?")[0] for s in seen} >= {"/oauth2/auth", "/oauth2/start",
                                                    "/oauth2/sign_out"}, seen
    for s in seen:
        h = {k.lower(): v for k, v in s.headers.items()}
        assert h["host"] == HOST and h["x-forwarded-host"] == HOST, (s.path, h)
        assert h["x-forwarded-proto"] == "https" and h["x-forwarded-for"] == "127.0.0.1", h
        assert h["x-real-ip"] == "127.0.0.1", h
        if s.path != "/oauth2/auth":
            assert h["x-forwarded-uri"] == s.path, (s.path, h)
        for gone in ("x-auth-request-redirect", "forwarded", "x-original-url", "x-original-uri",
                     "x-rewrite-url", "x-forwarded-prefix", "x-forwarded-port"):
            assert gone not in h, (s.path, gone, h.get(gone))
        assert "evil" not in json.dumps(h), (s.path, h)
    auth = next(s for s in seen if s.path == "/oauth2/auth")
    assert auth.headers["X-Forwarded-Uri"] == "/getting-started/"


def test_a_stalled_relying_party_fails_closed_within_seconds(client: Client, member: str,
                                                            auth_stub: AuthStub) -> None:
    auth_stub.stall = 7
    try:
        started = time.monotonic()
        resp = client.get("/getting-started/does-cj-build-websites/", cookie=member)
        took = time.monotonic() - started
    finally:
        auth_stub.stall = 0
    assert resp.status in (500, 502, 504), resp.status
    assert b"md-content" not in resp.body
    assert took < 6.5, f"a stalled relying party held the request {took:.1f}s"
    assert_gateway_headers(resp, "stalled relying party")


def test_rate_and_connection_limits(limited_gateway: Gateway, tls: tuple[Path, Path],
                                    auth_stub: AuthStub) -> None:
    """Over the limits a client address gets 429 (page requests, sign-ins, connections),
    never content and never a hang."""
    c = Client(limited_gateway.https_port, tls[0])
    try:
        cookie = c.sign_in()
        statuses = [c.get("/", cookie=cookie).status for _ in range(40)]
        assert statuses[0] == 200 and 429 in statuses, statuses
        limited = c.get("/", cookie=cookie)
        assert limited.status == 429 and b"md-content" not in limited.body
        assert_gateway_headers(limited, "429")
        sign_ins = [c.get("/oauth2/start?rd=/").status for _ in range(20)]
        assert 429 in sign_ins, sign_ins
    finally:
        c.close()
    time.sleep(1.5)  # the page limit refills (10/s)
    conns = []
    auth_stub.stall = 0.5  # each request stays open half a second: 8 at once, 4 allowed
    try:
        statuses = []
        for _ in range(8):
            s = socket.create_connection(("127.0.0.1", limited_gateway.https_port), timeout=5)
            ctx = ssl.create_default_context(cafile=str(tls[0]))
            tls_sock = ctx.wrap_socket(s, server_hostname=HOST)
            conns.append(tls_sock)
        for sock in conns:
            sock.sendall(f"GET /robots.txt HTTP/1.1\r\nHost: {HOST}\r\n\r\n".encode())
        for sock in conns:
            statuses.append(sock.recv(64).split(b" ")[1].decode())
        assert sorted(statuses) == ["302"] * 4 + ["429"] * 4, statuses  # 4 connections each
    finally:
        auth_stub.stall = 0
        for sock in conns:
            sock.close()


def test_large_and_split_session_cookies(client: Client, auth_stub: AuthStub) -> None:
    """A session split into several cookies (oauth2-proxy past 4 KiB) arrives whole at the
    browser, and a Cookie header of 20 KiB is read (not 400)."""
    auth_stub.chunks = 4
    try:
        r = client.get("/oauth2/start?rd=/")
    finally:
        auth_stub.chunks = 0
    assert r.status == 302
    cookies = r.headers.get_all("Set-Cookie") or []
    assert len(cookies) == 5, [c[:30] for c in cookies]
    jar = "; ".join(c.split(";")[0] for c in cookies)
    assert len(jar) > 15_000
    resp = client.get("/getting-started/does-cj-build-websites/", cookie=jar)
    assert resp.status == 200, resp.status


def test_members_pages_and_the_search_index_are_never_stored(client: Client,
                                                             member: str) -> None:
    for path in ("/", "/getting-started/does-cj-build-websites/", "/pagefind/pagefind-entry.json",
                 "/sitemap.xml", "/404.html"):
        resp = client.get(path, cookie=member)
        assert resp.status in (200, 404), path
        assert resp.header("Cache-Control") == "no-store", (path, resp.header("Cache-Control"))
        assert len(resp.headers.get_all("Cache-Control") or []) == 1, path


# -- the Content-Security-Policy against the built pages --------------------------------------
def test_csp_admits_exactly_the_pages_own_scripts(client: Client, member: str,
                                                  members_site: MembersSite) -> None:
    """Every <script> of every page gets this response's nonce, nonces never repeat, and
    each inline script that instant navigation re-runs (those in the content container,
    re-created without a nonce) is admitted by hash. Pages carry no inline handlers."""
    seen_nonces: set[str] = set()
    for rel in (f for f in members_site.files if f.endswith(".html")):
        resp = client.get(rel, cookie=member)
        directives = csp_directives(resp)
        nonce = NONCE.search(" ".join(directives["script-src"]))
        assert nonce, rel
        assert nonce.group(1) not in seen_nonces, f"{rel}: nonce reused"
        seen_nonces.add(nonce.group(1))
        html = resp.text
        for attrs, _body in SCRIPT_TAG.findall(html):
            assert f'nonce="{nonce.group(1)}"' in attrs, f"{rel}: <script{attrs}> has no nonce"
        container = html.find('data-md-component="container"')
        if container >= 0:
            for attrs, body in SCRIPT_TAG.findall(html[container:]):
                if "src=" not in attrs and "application/json" not in attrs:
                    assert sha256_source(body) in directives["script-src"], (
                        f"{rel}: Material's inline script {body[:60]!r}... is re-run by instant "
                        f"navigation; add {sha256_source(body)} to script-src in "
                        f"{TEMPLATE.relative_to(REPO)}")
        assert not re.search(r"<[^>]+\son[a-z]+\s*=", html), f"{rel}: inline event handler"
        assert not re.search(r"""(?:href|src|action)\s*=\s*["']?\s*javascript:""", html, re.I), \
            f"{rel}: javascript: URL"


# -- in a real browser ------------------------------------------------------------------------
@pytest.mark.browser
@pytest.mark.parametrize("variant", ["as-built", "instant-navigation"])
def test_member_searches_and_follows_links_then_session_expiry_lands_on_sign_in(
        variant: str, request: pytest.FixtureRequest, auth_stub: AuthStub,
        chromium: str) -> None:
    """The members site as built, and a copy with Material's instant navigation on: pages
    then load in the background (XHR), which is where an ended session must not break."""
    gateway: Gateway = request.getfixturevalue(
        "gateway" if variant == "as-built" else "instant_gateway")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - a declared test dependency
        pytest.fail("playwright is not installed: pip install -e '.[test]'")
    problems: list[str] = []   # console errors, page errors, CSP violations
    base = f"https://{HOST}"

    def run() -> None:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=chromium, args=[
                "--no-sandbox", "--disable-dev-shm-usage",
                # members.test:443 is our nginx: same origin as production (no port), so
                # Material's own URL logic runs exactly as it does there.
                f"--host-resolver-rules=MAP {HOST}:443 127.0.0.1:{gateway.https_port}",
            ])
            try:
                context = browser.new_context(ignore_https_errors=True)
                context.expose_function("__kbCsp", lambda v: problems.append(f"CSP: {v}"))
                context.add_init_script(
                    "document.addEventListener('securitypolicyviolation', e => "
                    "window.__kbCsp(e.violatedDirective + ' ' + e.blockedURI + ' ' + "
                    "e.sourceFile + ':' + e.lineNumber))")
                page = context.new_page()
                page.set_default_timeout(10_000)
                page.on("console", lambda m: m.type == "error" and problems.append(
                    f"console: {m.text} ({m.location.get('url')})"))
                page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
                _browse(page, base, auth_stub, problems,
                        instant_expected=variant == "instant-navigation")
            finally:
                browser.close()

    auth_stub.interactive = True
    try:
        # A thread of its own: Playwright's sync API refuses to start where another sync
        # Playwright (another test module's session fixture) is already running.
        in_thread(run, timeout=120, name="gateway-browser")
    finally:
        auth_stub.interactive = False



def _browse(page, base: str, auth_stub: AuthStub, problems: list[str], *,
            instant_expected: bool) -> None:
    start = "/getting-started/does-cj-build-websites/"
    # 1. Not signed in: the gateway sends the browser to sign in, carrying the page.
    page.goto(base + start)
    assert page.title() == SIGN_IN_TITLE
    assert parse_qs(urlsplit(page.url).query)["rd"] == [start]
    page.click("#sign-in")
    page.wait_for_url(base + start)
    page.locator(".md-content h1").wait_for()
    assert not problems, problems

    instant = "navigation.instant" in json.loads(
        page.locator("#__config").text_content() or "{}").get("features", [])
    if instant_expected:
        assert instant, "the instant-navigation copy lost its feature flag"

    # 2. Search (Material's search worker, under the CSP) finds a members-only topic.
    box = page.locator("input.md-search__input")
    box.click()
    box.press_sequentially("superuser", delay=40)
    hit = page.locator(".md-search-result__item a", has_text="SuperUser").first
    hit.wait_for()
    hit.click()
    page.wait_for_url(re.compile(r".*/accounts-and-passwords/superuser-password-change/.*"))
    page.locator(".md-content h1", has_text="SuperUser").wait_for()
    assert not problems, problems

    # 3. Follow links in the page's navigation; with instant navigation on, the page is
    # replaced in place (the window survives), which is what the CSP must allow.
    page.evaluate("window.__kbSamePage = true")
    link = page.locator(".md-content a[href*='change-password/']").first
    target = link.get_attribute("href") or ""
    link.click()
    page.wait_for_url(re.compile(r".*/accounts-and-passwords/change-password/$"))
    page.locator(".md-content h1").wait_for()
    if instant:
        assert page.evaluate("window.__kbSamePage === true"), \
            "instant navigation did not handle the click (full page load instead)"
    assert target and not problems, problems

    # 4. A background request after the session ends gets a 401 (no silent redirect).
    auth_stub.expire_all()
    status = page.evaluate("""async () => {
        const r = await fetch('../reset-password/', {credentials: 'same-origin'});
        return [r.status, r.redirected];
    }""")
    assert status == [401, False], status
    problems[:] = [p for p in problems if "status of 401" not in p]  # that fetch's own log

    # 5. The next click lands on the sign-in page (not a broken or half-replaced page), and
    # signing in again leads to the page that was clicked.
    page.evaluate("window.__kbSamePage = true")
    nav = page.locator("a[href$='reset-password/']:visible").first
    nav.click()
    page.wait_for_url(re.compile(r".*/oauth2/start\?.*"))
    assert page.title() == SIGN_IN_TITLE
    clicked = parse_qs(urlsplit(page.url).query)["rd"][0]
    assert clicked == "/accounts-and-passwords/reset-password/", page.url
    assert page.evaluate("window.__kbSamePage === undefined"), "not a full page load"
    # After the session ends, background requests (Material's fetch of the clicked page, the
    # favicon) are answered 401, and the browser logs each: expected, and nothing else.
    expected_401 = [p for p in problems if "status of 401" in p]
    problems[:] = [p for p in problems if p not in expected_401]
    if instant:  # Material tried to fetch the page in the background, then loaded it in full
        assert any(clicked in p for p in expected_401), expected_401
    page.click("#sign-in")
    page.wait_for_url(base + clicked)
    page.locator(".md-content h1").wait_for()
    assert not problems, problems


# -- missing tools: skipped on a laptop, failed in CI -----------------------------------------
@pytest.mark.parametrize(("ci", "outcome"), [("true", "error"), ("", "skipped")])
@pytest.mark.parametrize("missing", ["KB_NGINX", "KB_CHROMIUM", "KB_APACHE", "KB_NODE"])
def test_missing_tools_fail_in_ci_and_skip_elsewhere(
        missing: str, ci: str, outcome: str, tmp_path: Path) -> None:
    test = {
        "KB_NGINX": "test_every_file_is_served_with_a_session",
        "KB_CHROMIUM": "test_member_searches_and_follows_links_then_session_expiry_lands_on_"
                       "sign_in[as-built]",
        "KB_APACHE": "tests/test_gateway_sso.py::test_a_wrong_password_gets_nothing",
        "KB_NODE": "tests/test_gateway_sso.py::test_a_wrong_password_gets_nothing",
    }[missing]
    target = test if "::" in test else f"{Path(__file__)}::{test}"
    env = {**os.environ, "CI": ci, missing: str(tmp_path / "not-installed")}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", target, "-q", "-p",
         "no:cacheprovider", "-rfs", f"--basetemp={tmp_path / 'run'}"],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=120, check=False)
    summary = result.stdout.strip().splitlines()[-1]
    assert f"1 {outcome}" in summary, result.stdout[-2000:]
    # pytest.fail() in a fixture reports an error: the run fails (exit 1), it is not skipped.
    assert result.returncode == (1 if outcome == "error" else 0), result.stdout[-2000:]
    assert "not installed" in result.stdout, result.stdout[-2000:]
