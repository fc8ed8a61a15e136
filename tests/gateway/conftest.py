"""Fixtures for the members gateway tests: a real nginx running the shipped configuration in
front of a members site built once per session, asking either a stub standing in for the
relying party (fast, and able to misbehave on purpose) or the real single sign-on: Apache with
mod_auth_openidc and an OpenID Connect provider (tests/gateway/sso.py).

tests/test_gateway.py and tests/test_gateway_sso.py import these fixtures (this folder holds
no tests of its own).

Missing tools (nginx, openssl, Chromium, Apache, node) skip the tests on a developer's
machine, with the reason, and fail them in CI (CI=true): the gateway is never "tested" by
skipping.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import ssl
from collections.abc import Iterator
from dataclasses import dataclass
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any

import pytest

from ..conftest import require as require_tool
from .auth_stub import COOKIE, AuthStub
from .nginx import MIME_TYPES, REPO, Gateway, find_nginx, make_certificate
from .sso import (
    APACHE_MODULES,
    IdentityProvider,
    RelyingParty,
    find_apache,
    find_node,
    idp_installed,
)

HOST = "members.test"
CHROMIUM = os.environ.get("KB_CHROMIUM", "/usr/bin/chromium")
OUTSIDE_SECRET = "TOP-SECRET-OUTSIDE-THE-SITE"
DOTFILE_SECRET = "TOP-SECRET-IN-A-DOTFILE"


def require(ok: object, reason: str) -> None:
    """Skip locally, fail in CI, when something the gateway tests need is missing."""
    require_tool(ok, reason, "scripts/system-deps.sh installs what they need")


# -- the site ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class MembersSite:
    root: Path              # the release folder the build wrote
    files: tuple[str, ...]  # every file the build wrote, as URL paths ("/index.html", ...)

    @property
    def current(self) -> Path:
        """What the gateway serves: a link to the release, as scripts/deploy-members.sh
        leaves it on the gateway host."""
        return self.root.parent / "current"

    def url_of(self, rel: str) -> str:
        return "/" + rel


@pytest.fixture(scope="session")
def members_site(tmp_path_factory: pytest.TempPathFactory) -> MembersSite:
    """The members site, built once per session with the project's own build."""
    from kbtools.core.site.plan import Site
    from kbtools.plugin.build import build_site

    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    os.environ.setdefault("DISABLE_MKDOCS_2_WARNING", "true")
    root = tmp_path_factory.mktemp("www") / "members"
    build_site(REPO / "mkdocs.yml", Site.MEMBERS, site_dir=root)
    (root.parent / "current").symlink_to(root.name)
    # Dotfiles the build writes (its own marker) are never served, by design (and never
    # shipped: scripts/deploy-members.sh excludes them): they are not files of the site.
    files = tuple(sorted("/" + p.relative_to(root).as_posix()
                         for p in root.rglob("*") if p.is_file()
                         and not any(part.startswith(".") for part in p.relative_to(root).parts)))
    assert "/index.html" in files and len(files) > 20, files
    return MembersSite(root, files)


# -- the processes ----------------------------------------------------------------------------
@pytest.fixture(scope="session")
def nginx_binary() -> str:
    path = find_nginx()
    require(path, "nginx is not installed (/usr/sbin/nginx)")
    require(MIME_TYPES.is_file(), f"{MIME_TYPES} is missing (Debian package nginx-common)")
    return path  # type: ignore[return-value]


@pytest.fixture(scope="session")
def tls(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    require(shutil.which("openssl"), "openssl is not installed (makes the test certificate)")
    return make_certificate(tmp_path_factory.mktemp("tls"), HOST)


@pytest.fixture(scope="session")
def auth_stub() -> Iterator[AuthStub]:
    stub = AuthStub().start()
    yield stub
    stub.stop()


@pytest.fixture(scope="session")
def gateway(nginx_binary: str, members_site: MembersSite, auth_stub: AuthStub,
            tls: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory) -> Iterator[Gateway]:
    """nginx with deploy/nginx/members.conf.template, rendered for temp paths and ports."""
    root = members_site.root
    # Bait that must never be served: a file beside the site, dotfiles in it, and a symbolic
    # link inside the site that points out of it.
    (root.parent / "secret.txt").write_text(OUTSIDE_SECRET)
    (root / ".env").write_text(f"PASSWORD={DOTFILE_SECRET}\n")
    (root / ".git").mkdir()
    (root / ".git" / "config").write_text(f"[core]\n# {DOTFILE_SECRET}\n")
    (root / "assets" / ".hidden.txt").write_text(DOTFILE_SECRET)
    (root / "leak.txt").symlink_to(root.parent / "secret.txt")
    yield from _running(nginx_binary, tmp_path_factory.mktemp("nginx"), members_site.current,
                        tls, auth_stub.port)


@pytest.fixture(scope="session")
def instant_gateway(nginx_binary: str, members_site: MembersSite, auth_stub: AuthStub,
                    tls: tuple[Path, Path],
                    tmp_path_factory: pytest.TempPathFactory) -> Iterator[Gateway]:
    """The same gateway in front of a copy of the members site with Material's instant
    navigation switched on (the build leaves it off for the members site), so that the
    gateway's answer to background page fetches is proven against Material itself."""
    root = tmp_path_factory.mktemp("www-instant") / "members"
    shutil.copytree(members_site.root, root, symlinks=True)
    pages = []
    for page in root.rglob("*.html"):
        text = page.read_text()
        config = re.search(r'(<script id="__config" type="application/json">)(.*?)(</script>)',
                           text, re.S)
        assert config, f"{page}: no Material __config"
        data = json.loads(config.group(2))
        if "navigation.instant" not in data["features"]:
            data["features"].append("navigation.instant")
        page.write_text(text[:config.start(2)] + json.dumps(data) + text[config.end(2):])
        if page.name == "index.html":
            pages.append(page.parent.relative_to(root).as_posix())
    # Instant navigation only takes links it finds in the sitemap.
    urls = "".join(f"<url><loc>https://{HOST}/{p + '/' if p != '.' else ''}</loc></url>"
                   for p in sorted(pages))
    (root / "sitemap.xml").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>')
    yield from _running(nginx_binary, tmp_path_factory.mktemp("nginx-instant"), root, tls,
                        auth_stub.port)


# -- talking to it ----------------------------------------------------------------------------
@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    def header(self, name: str) -> str | None:
        return self.headers.get(name)

    @property
    def location(self) -> str | None:
        return self.headers.get("Location")

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")


class Client:
    """HTTPS to the gateway on 127.0.0.1, trusting exactly the test certificate. Paths are
    sent as given (no normalisation, no decoding) and redirects are not followed."""

    def __init__(self, port: int, cafile: Path, host: str = HOST) -> None:
        self.port, self.host = port, host
        self.context = ssl.create_default_context(cafile=str(cafile))
        self._conn: http.client.HTTPSConnection | None = None

    def _connection(self) -> http.client.HTTPSConnection:
        if self._conn is None:
            self._conn = http.client.HTTPSConnection("127.0.0.1", self.port, timeout=10,
                                                     context=self.context)
        return self._conn

    def request(self, path: str, *, method: str = "GET", cookie: str | None = None,
                headers: dict[str, str] | None = None) -> Response:
        hdrs = {"Host": self.host, **(headers or {})}
        if cookie:
            hdrs["Cookie"] = cookie
        for attempt in (1, 2):
            conn = self._connection()
            try:
                conn.request(method, path, headers=hdrs)
                resp = conn.getresponse()
                body = resp.read()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.close()  # keep-alive connection closed by nginx: once more, on a new one
                if attempt == 2:
                    raise
                continue
            if resp.will_close:
                self.close()
            return Response(resp.status, resp.headers, body)
        raise AssertionError("unreachable")

    def get(self, path: str, **kw: object) -> Response:
        return self.request(path, **kw)  # type: ignore[arg-type]

    def sign_in(self, rd: str = "/") -> str:
        """Sign in through the gateway (the stub's /oauth2/start); returns a Cookie header."""
        r = self.get(f"/oauth2/start?rd={rd}")
        assert r.status == 302, (r.status, r.text)
        jar = SimpleCookie(r.header("Set-Cookie") or "")
        assert COOKIE in jar, r.headers
        return f"{COOKIE}={jar[COOKIE].value}"

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None


@pytest.fixture
def client(gateway: Gateway, tls: tuple[Path, Path]) -> Iterator[Client]:
    c = Client(gateway.https_port, tls[0])
    yield c
    c.close()


@pytest.fixture
def member(client: Client) -> str:
    """The Cookie header of a signed-in member."""
    return client.sign_in()


@pytest.fixture(scope="session")
def chromium() -> str:
    require(os.access(CHROMIUM, os.X_OK), f"Chromium is not installed ({CHROMIUM})")
    return CHROMIUM


def _running(nginx: str, workdir: Path, root: Path, tls: tuple[Path, Path],
             auth_port: int, **settings: Any) -> Iterator[Gateway]:
    """The shipped gateway configuration on a real nginx, stopped afterwards."""
    cert, key = tls
    gw = Gateway(nginx=nginx, workdir=workdir, members_root=root, cert=cert, key=key,
                 auth_port=auth_port, server_name=HOST, **settings)
    try:
        gw.start()
    except RuntimeError as e:
        gw.stop()
        pytest.fail(f"the shipped gateway configuration did not start on nginx: {e}",
                    pytrace=False)
    yield gw
    gw.stop()


@pytest.fixture(scope="session")
def limited_gateway(nginx_binary: str, members_site: MembersSite, auth_stub: AuthStub,
                    tls: tuple[Path, Path],
                    tmp_path_factory: pytest.TempPathFactory) -> Iterator[Gateway]:
    """The gateway with small limits (10 requests/s, 6 sign-ins/min, 4 connections)."""
    yield from _running(nginx_binary, tmp_path_factory.mktemp("nginx-limited"),
                        members_site.current, tls, auth_stub.port, rate_limit=10,
                        sign_in_limit=6, conn_limit=4)


# -- the real single sign-on --------------------------------------------------------------------
@pytest.fixture(scope="session")
def idp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[IdentityProvider]:
    """oidc-provider with the test users (tests/gateway/idp/provider.mjs)."""
    node = find_node()
    require(node, "node is not installed (runs the test identity provider)")
    require(idp_installed(), "oidc-provider is not installed: "
            "npm ci --prefix tests/gateway/idp (make install-test runs it)")
    assert node is not None
    provider = IdentityProvider(node=node, workdir=tmp_path_factory.mktemp("idp"),
                                server_name=HOST)
    try:
        provider.start()
    except RuntimeError as e:
        pytest.fail(str(e), pytrace=False)
    yield provider
    provider.stop()


@pytest.fixture(scope="session")
def apache_binary() -> str:
    path = find_apache()
    require(path, "Apache is not installed (/usr/sbin/apache2, Debian package apache2)")
    require((APACHE_MODULES / "mod_auth_openidc.so").is_file(),
            "mod_auth_openidc is not installed (Debian package libapache2-mod-auth-openidc)")
    return path  # type: ignore[return-value]


@pytest.fixture(scope="session")
def relying_party(apache_binary: str, idp: IdentityProvider,
                  tmp_path_factory: pytest.TempPathFactory) -> Iterator[RelyingParty]:
    """Apache + mod_auth_openidc with deploy/apache/members-sso.conf.template. Sessions end
    after 10 s without a request (the module's smallest idle timeout) and the member's claims
    are re-read every 2 s, so that the tests can see a session expire and a member removed
    from the group lose access."""
    rp = RelyingParty(apache=apache_binary, workdir=tmp_path_factory.mktemp("apache"),
                      server_name=HOST, idp=idp, session_idle=10, userinfo_refresh=2)
    try:
        rp.start()
    except RuntimeError as e:
        rp.stop()
        pytest.fail(f"the shipped Apache relying party did not start: {e}", pytrace=False)
    yield rp
    rp.stop()


@pytest.fixture(scope="session")
def sso_gateway(nginx_binary: str, members_site: MembersSite, relying_party: RelyingParty,
                tls: tuple[Path, Path],
                tmp_path_factory: pytest.TempPathFactory) -> Iterator[Gateway]:
    """The shipped nginx gateway in front of the members site, asking the real relying party."""
    yield from _running(nginx_binary, tmp_path_factory.mktemp("nginx-sso"),
                        members_site.current, tls, relying_party.port,
                        idp_origin=relying_party.idp.issuer)
