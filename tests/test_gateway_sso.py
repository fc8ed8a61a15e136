"""The members gateway with a real single sign-on, end to end.

A real OpenID Connect provider (oidc-provider, OpenID Certified; tests/gateway/idp/) with test
users and a `groups` claim, a real relying party (Apache with Debian's mod_auth_openidc,
configured by the shipped deploy/apache/members-sso.conf.template) and the shipped nginx
gateway in front of the members site, all on loopback. Chromium signs in, browses, is refused
when outside the allowed group or domain, and loses access on sign-out and on session expiry;
the page first asked for survives the sign-in. Fixtures: tests/gateway/conftest.py.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from .conftest import in_thread
from .gateway.conftest import (
    HOST,
    MembersSite,
    apache_binary,
    chromium,
    idp,
    members_site,
    nginx_binary,
    relying_party,
    sso_gateway,
    tls,
)
from .gateway.load import run_load
from .gateway.nginx import Gateway
from .gateway.sso import (
    ALLOWED_GROUP,
    APACHE_TEMPLATE,
    MEMBER,
    OUTSIDE_DOMAIN,
    OUTSIDE_GROUP,
    RENDER,
    IdentityProvider,
    RelyingParty,
    wait_until,
)
from .gateway.sso_client import Browserless

__all__ = ["apache_binary", "chromium", "idp", "members_site", "nginx_binary",
           "relying_party", "sso_gateway", "tls"]  # fixtures, imported for pytest

SESSION_COOKIE = "__Host-kb_session"
PAGE = "/accounts-and-passwords/superuser-password-change/"
OTHER = "/getting-started/does-cj-build-websites/"


@pytest.fixture
def visitor(sso_gateway: Gateway, tls: tuple[Path, Path]) -> Browserless:
    return Browserless(HOST, sso_gateway.https_port, tls[0])


def assert_no_members_content(body: bytes, what: str) -> None:
    assert b"md-content" not in body and b"SuperUser" not in body, f"{what}: {body[:400]!r}"


# -- the relying party's configuration --------------------------------------------------------
def test_who_may_sign_in_is_a_required_setting(relying_party: RelyingParty) -> None:
    """No group or no domain, `*`, or an empty value: the configuration is not written."""
    ok = relying_party.render()
    assert ok.returncode == 0, ok.stderr
    assert f"Require claim groups:{ALLOWED_GROUP}\n" in ok.stdout
    assert "Require claim email~^[^@]+@(example\\.com)$\n" in ok.stdout
    for overrides in ({"KB_ALLOWED_GROUP": ""}, {"KB_ALLOWED_GROUP": "*"},
                      {"KB_ALLOWED_EMAIL_DOMAINS": ""}, {"KB_ALLOWED_EMAIL_DOMAINS": "*"},
                      {"KB_ALLOWED_EMAIL_DOMAINS": "*.example.com"},
                      {"KB_ALLOWED_EMAIL_DOMAINS": "example.com .*"},
                      {"KB_ALLOWED_GROUP": "kb members"},
                      {"KB_OIDC_CLIENT_ID": ""}, {"KB_SERVER_NAME": ""}):
        result = relying_party.render(**overrides)
        assert result.returncode == 2 and not result.stdout, (overrides, result.stdout[:200])
        assert "refused" in result.stderr, result.stderr
    two = relying_party.render(KB_ALLOWED_EMAIL_DOMAINS="example.com, example.org")
    assert 'email~^[^@]+@(example\\.com|example\\.org)$' in two.stdout
    # Nothing secret in the template: the client secret and the passphrase come from a file.
    text = APACHE_TEMPLATE.read_text()
    assert not re.search(r"^\s*OIDC(ClientSecret|CryptoPassphrase)\b", text, re.M)
    assert "Include ${KB_OIDC_SECRETS}" in text


def test_render_config_is_a_standalone_script(tmp_path: Path) -> None:
    env_file = tmp_path / "gateway.env"
    env_file.write_text("# who may sign in\nKB_ALLOWED_GROUP=kb-members\n")
    template = tmp_path / "t.conf"
    template.write_text("group ${KB_ALLOWED_GROUP}; nginx $uri; ${KB_MISSING}\n")
    result = subprocess.run([sys.executable, str(RENDER), str(template), "--env", str(env_file)],
                            capture_output=True, text=True, check=False,
                            env={"PATH": "/usr/bin:/bin"})
    assert result.returncode == 2 and "KB_MISSING" in result.stderr
    template.write_text("group ${KB_ALLOWED_GROUP}; nginx $uri ${uri};\n")
    result = subprocess.run([sys.executable, str(RENDER), str(template), "--env", str(env_file)],
                            capture_output=True, text=True, check=False,
                            env={"PATH": "/usr/bin:/bin"})
    assert result.returncode == 0, result.stderr
    assert result.stdout == "group kb-members; nginx $uri ${uri};\n"


# -- without a browser: the protocol, many times over -----------------------------------------
def test_a_member_signs_in_and_lands_on_the_page_asked_for(visitor: Browserless,
                                                          idp: IdentityProvider,
                                                          members_site: MembersSite) -> None:
    url, status, body = visitor.sign_in(PAGE + "?from=mail", *MEMBER)
    assert status == 200, (url, status, body[:300])
    assert url == f"https://{HOST}{PAGE}?from=mail", [h.url for h in visitor.hops]
    assert b"SuperUser" in body
    # The way there: gateway -> sign-in -> provider -> callback -> sign-in -> the page.
    hosts = [urlsplit(h.url).netloc for h in visitor.hops]
    assert hosts[0] == HOST and f"127.0.0.1:{idp.port}" in hosts and hosts[-1] == HOST
    assert any(urlsplit(h.url).path == "/oauth2/callback" for h in visitor.hops)
    # The session cookie: __Host- (Secure, Path=/, no Domain), HttpOnly, SameSite.
    assert SESSION_COOKIE in visitor.jars[f"https://{HOST}"], visitor.jars
    status, _h, again = visitor.request(f"https://{HOST}{OTHER}")
    assert status == 200 and b"md-content" in again


def test_session_cookies_are_host_only_secure_and_httponly(visitor: Browserless) -> None:
    """Every cookie the gateway sets on the way (sign-in state, session): __Host- (Secure,
    Path=/, no Domain: no other host can set or read it), HttpOnly, SameSite."""
    visitor.sign_in("/", *MEMBER)
    raw = [c for hop in visitor.hops if urlsplit(hop.url).hostname == HOST
           for c in hop.set_cookies]
    names = {c.split("=", 1)[0] for c in raw}
    assert SESSION_COOKIE in names and any(n.startswith("__Host-kb_state_") for n in names), raw
    for cookie in raw:
        assert cookie.split("=", 1)[0].startswith("__Host-"), cookie
        attrs = {a.strip().split("=")[0].lower() for a in cookie.split(";")[1:]}
        assert {"secure", "httponly", "path", "samesite"} <= attrs, cookie
        assert "domain" not in attrs, cookie
        assert re.search(r";\s*Path=/(;|$)", cookie), cookie


@pytest.mark.parametrize("who", [OUTSIDE_GROUP, OUTSIDE_DOMAIN],
                         ids=["outside-the-group", "outside-the-domain"])
def test_someone_the_provider_signs_in_but_who_is_not_allowed_is_refused(
        who: tuple[str, str], sso_gateway: Gateway, tls: tuple[Path, Path],
        idp: IdentityProvider) -> None:
    v = Browserless(HOST, sso_gateway.https_port, tls[0])
    url, status, body = v.sign_in(PAGE, *who)
    assert any(e.get("email") == who[0] for e in idp.seen("sign-in")), "the provider refused"
    assert status in (401, 403), (url, status, body[:300])
    assert b"This account may not read the members site" in body
    assert_no_members_content(body, who[0])
    # Whatever cookie the relying party keeps, no page of the site opens with it.
    for path in (PAGE, "/", "/pagefind/pagefind-entry.json", "/assets/images/favicon.png"):
        status, _h, body = v.request(f"https://{HOST}{path}")
        assert status in (403, 302, 401), (path, status)
        assert_no_members_content(body, path)
        assert b'"languages"' not in body, path


def test_a_wrong_password_gets_nothing(visitor: Browserless) -> None:
    url, status, body = visitor.sign_in(PAGE, MEMBER[0], "not-the-password")
    assert status == 401 and b"Wrong email or password" in body, (url, status)
    status, _h, body = visitor.request(f"https://{HOST}{PAGE}")
    assert status == 302
    assert_no_members_content(body, PAGE)


def test_sign_out_is_a_same_origin_post_and_ends_access(visitor: Browserless) -> None:
    visitor.sign_in("/", *MEMBER)
    cookie = visitor.session_cookie()
    origin = f"https://{HOST}"
    # A link from anywhere (GET) shows a page with a button; it signs nobody out.
    status, headers, body = visitor.request(f"{origin}/oauth2/sign_out")
    assert status == 200 and b'<form method="post" action="/oauth2/sign_out">' in body
    assert headers["cache-control"] == "no-store"
    # A form on another site (or no Origin at all): refused.
    for hdrs in ({"Origin": "https://evil.example"}, {}, {"Origin": "null"},
                 {"Origin": f"http://{HOST}"}):
        status, _h, _b = visitor.request(f"{origin}/oauth2/sign_out", method="POST",
                                         headers=hdrs)
        assert status == 403, (hdrs, status)
    # The relying party's own GET sign-out on its callback is not reachable either.
    for query in ("logout=https%3A%2F%2Fmembers.test%2F", "logout=", "session=info",
                  "refresh=x", "info=json"):
        status, _h, _b = visitor.request(f"{origin}/oauth2/callback?{query}")
        assert status == 400, (query, status)
    status, _h, body = visitor.request(f"{origin}{PAGE}")
    assert status == 200 and b"SuperUser" in body, "the member was signed out by a GET"
    # This site's own form: signed out here and at the provider.
    url, status, body = visitor.sign_out()
    assert status in (200, 302), (url, status)
    # The old cookie, kept on purpose (a copy, a browser that ignored the deletion): refused.
    for path in (PAGE, "/pagefind/pagefind-entry.json"):
        status, headers, body = _raw_get(visitor, path, cookie)
        assert status == 302 and headers.get("location", "").startswith("/oauth2/start"), \
            (path, status)
        assert_no_members_content(body, path)
    # And signing in again needs the password again (the provider's session ended too).
    url, status, _h, body = visitor.follow(f"{origin}/")
    assert status == 200 and b'name="password"' in body, (url, status)


def _raw_get(v: Browserless, path: str, cookie: str) -> tuple[int, dict[str, str], bytes]:
    saved = v.jars.get(f"https://{HOST}", {})
    v.jars[f"https://{HOST}"] = dict(p.split("=", 1) for p in cookie.split("; ") if p)
    try:
        return v.request(f"https://{HOST}{path}")
    finally:
        v.jars[f"https://{HOST}"] = saved


def test_a_session_ends_after_the_idle_timeout(visitor: Browserless,
                                               relying_party: RelyingParty) -> None:
    visitor.sign_in("/", *MEMBER)
    status, _h, _b = visitor.request(f"https://{HOST}{PAGE}")
    assert status == 200
    time.sleep(relying_party.session_idle + 1.5)
    status, headers, body = visitor.request(f"https://{HOST}{PAGE}")
    assert status == 302 and headers["location"] == f"/oauth2/start?rd={PAGE}", status
    assert_no_members_content(body, PAGE)
    status, _h, body = visitor.request(f"https://{HOST}/pagefind/pagefind-entry.json",
                                       headers={"Sec-Fetch-Mode": "cors"})
    assert status == 401 and b'"languages"' not in body


def test_a_member_removed_from_the_group_loses_access(
        sso_gateway: Gateway, tls: tuple[Path, Path], idp: IdentityProvider,
        relying_party: RelyingParty) -> None:
    """The relying party re-reads the member's claims (KB_USERINFO_REFRESH): once the
    provider's administrator takes the member out of the group, the session opens nothing."""
    v = Browserless(HOST, sso_gateway.https_port, tls[0])
    email = MEMBER[0]
    assert v.sign_in("/", *MEMBER)[1] == 200
    try:
        idp.set_groups(email, ["former-members"])
        assert wait_until(lambda: v.request(f"https://{HOST}{PAGE}")[0] != 200,
                          timeout=relying_party.userinfo_refresh + 6, step=0.5), \
            "still served after the member left the group"
        status, _h, body = v.request(f"https://{HOST}{PAGE}")
        assert status in (401, 403, 302), status
        assert_no_members_content(body, PAGE)
    finally:
        idp.set_groups(email, [ALLOWED_GROUP])


def test_large_cookies_are_read(visitor: Browserless) -> None:
    """A member's browser may carry big cookies (other apps of the company on a parent
    domain, an OIDC session split into chunks): up to 32 KiB of Cookie header is read."""
    visitor.sign_in("/", *MEMBER)
    visitor.jars[f"https://{HOST}"]["big"] = "x" * 20_000
    status, _h, body = visitor.request(f"https://{HOST}{PAGE}")
    assert status == 200 and b"SuperUser" in body


def test_forwarded_headers_from_a_client_change_nothing(visitor: Browserless) -> None:
    """X-Forwarded-Host / -Proto / -Uri, X-Auth-Request-Redirect and Host sent by a client
    steer neither the sign-in redirect nor where the member lands."""
    forged = {"X-Forwarded-Host": "evil.example", "X-Forwarded-Proto": "http",
              "X-Forwarded-Uri": "/evil", "X-Auth-Request-Redirect": "https://evil.example/",
              "Forwarded": "host=evil.example;proto=http", "X-Original-URL": "/evil"}
    status, headers, _b = visitor.request(f"https://{HOST}/oauth2/start?rd={PAGE}",
                                          headers=forged)
    assert status == 302
    location = headers["location"]
    query = parse_qs(urlsplit(location).query)
    assert query["redirect_uri"] == [f"https://{HOST}/oauth2/callback"], location
    assert "evil" not in location


# -- in Chromium ------------------------------------------------------------------------------
@pytest.mark.browser
def test_in_chromium_sign_in_browse_refusal_expiry_and_sign_out(
        sso_gateway: Gateway, idp: IdentityProvider, relying_party: RelyingParty,
        chromium: str) -> None:
    in_thread(lambda: _chromium_journey(sso_gateway, idp, relying_party, chromium),
              timeout=150, name="sso-browser")


def _chromium_journey(gateway: Gateway, idp: IdentityProvider, rp: RelyingParty,
                      chromium: str) -> None:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - a declared test dependency
        pytest.fail("playwright is not installed: pip install -e '.[test]'")
    base = f"https://{HOST}"
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=[
            "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
            # members.test:443 is our nginx (the same origin as production: no port).
            f"--host-resolver-rules=MAP {HOST}:443 127.0.0.1:{gateway.https_port}",
        ])
        try:
            for step in (_member_journey, _refused_journey):
                context = browser.new_context(ignore_https_errors=True)
                try:
                    page = context.new_page()
                    page.set_default_timeout(15_000)
                    step(page, base, idp, rp)
                finally:
                    context.close()
        finally:
            browser.close()


def _sign_in_at_provider(page: Any, idp: IdentityProvider, email: str, password: str) -> None:
    page.wait_for_url(re.compile(rf"^http://127\.0\.0\.1:{idp.port}/interaction/"))
    page.fill("#email", email)
    page.fill("#password", password)
    page.click("#sign-in")


def _member_journey(page: Any, base: str, idp: IdentityProvider, rp: RelyingParty) -> None:
    problems: list[str] = []
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("console", lambda m: m.type == "error" and "status of 401" not in m.text
            and problems.append(f"console: {m.text}"))
    # 1. A deep link, not signed in: to the provider's sign-in, and back to that very page
    # (with its query string) after the password.
    page.goto(f"{base}{PAGE}?from=mail")
    _sign_in_at_provider(page, idp, *MEMBER)
    page.wait_for_url(f"{base}{PAGE}?from=mail")
    page.locator(".md-content h1", has_text="SuperUser").wait_for()
    # 2. Browse: search (the index under the CSP) and follow a link.
    box = page.locator("input.md-search__input")
    box.click()
    box.press_sequentially("password", delay=30)
    page.locator(".md-search-result__item a").first.wait_for()
    page.goto(f"{base}{OTHER}")
    page.locator(".md-content h1").wait_for()
    link = page.locator(".md-content a[href$='/']").first
    link.click()
    page.wait_for_load_state("load")
    page.locator(".md-content h1").wait_for()
    assert not problems, problems
    # 3. Session expiry: idle past the relying party's timeout, the next page is sign-in
    # again (the provider still knows the member, so it comes straight back to that page).
    time.sleep(rp.session_idle + 1.5)
    before = len(idp.seen("sign-in"))
    seen_statuses: list[tuple[str, int]] = []
    page.on("response", lambda r: seen_statuses.append((r.url, r.status)))
    page.goto(f"{base}{OTHER}")
    page.wait_for_url(f"{base}{OTHER}")
    assert (f"{base}{OTHER}", 302) in seen_statuses, seen_statuses[:5]
    assert any(urlsplit(u).path == "/oauth2/callback" for u, _s in seen_statuses)
    assert len(idp.seen("sign-in")) == before, "no password asked: the provider session lives"
    # 4. Sign out with the gateway's form: here and at the provider.
    page.goto(f"{base}/oauth2/sign_out")
    page.click("#sign-out")
    page.wait_for_url(re.compile(rf"^http://127\.0\.0\.1:{idp.port}/session/end"))
    page.click("#sign-out")  # the provider asks to confirm
    assert wait_until(lambda: idp.seen("sign-out"), timeout=10), "the provider did not sign out"
    # 5. Back, and the members page again: sign-in with a password, nothing from the cache.
    page.go_back()
    page.goto(f"{base}{PAGE}")
    page.wait_for_url(re.compile(rf"^http://127\.0\.0\.1:{idp.port}/interaction/"))
    assert page.locator("#password").is_visible()
    assert "SuperUser" not in page.content()


def _refused_journey(page: Any, base: str, idp: IdentityProvider, rp: RelyingParty) -> None:
    page.goto(f"{base}{PAGE}")
    _sign_in_at_provider(page, idp, *OUTSIDE_GROUP)
    page.wait_for_load_state("load")
    assert page.url.startswith(base), page.url
    assert "SuperUser" not in page.content()
    response = page.goto(f"{base}{PAGE}")
    assert response is not None and response.status in (403, 401), response.status
    assert "md-content" not in page.content()





# -- under load ---------------------------------------------------------------------------------
def test_many_members_at_once_and_no_members_byte_to_anyone_else(
        sso_gateway: Gateway, tls: tuple[Path, Path], members_site: MembersSite) -> None:
    """A short run of bench/gateway_load.py's load on the test stack: 8 members signed in
    through the provider and 6 anonymous clients (no cookie, a made-up one, a signed-out
    session's) at once. Every member answer is the file; every anonymous one a refusal that
    holds no 32-byte run of any members file. The same check sees a member's cookie passed
    off as anonymous (it can fail)."""
    port, cafile = sso_gateway.https_port, tls[0]
    members = []
    for _ in range(8):
        v = Browserless(HOST, port, cafile)
        assert v.sign_in("/", *MEMBER)[1] == 200
        members.append(v.session_cookie())
    ended = Browserless(HOST, port, cafile)
    ended.sign_in("/", *MEMBER)
    ended_cookie = ended.session_cookie()
    ended.sign_out()
    site = members_site.root
    paths = sorted(f for f in members_site.files
                   if not any(part.startswith(".") for part in f.split("/")))
    paths = [p for p in paths if (site / p.lstrip("/")).is_file()
             and not (site / p.lstrip("/")).is_symlink()]
    anonymous = [None, f"{SESSION_COOKIE}=made-up", ended_cookie] * 2
    report = run_load(port=port, host=HOST, cafile=cafile, site=site, paths=paths,
                      member_cookies=members, anonymous_cookies=anonymous,
                      requests_per_member=60, requests_per_anonymous=60, deadline_seconds=90)
    assert len(report.of("member")) == 8 * 60 and len(report.of("anonymous")) == 6 * 60
    assert not report.errors(), [(s.kind, s.path, s.detail) for s in report.errors()[:5]]
    assert not report.leaked, report.leaked[:5]
    # The check itself: a member's cookie in the anonymous group is caught.
    caught = run_load(port=port, host=HOST, cafile=cafile, site=site, paths=paths[:10],
                      member_cookies=[], anonymous_cookies=[members[0]],
                      requests_per_member=0, requests_per_anonymous=10, deadline_seconds=30)
    assert caught.errors("anonymous") and caught.leaked
