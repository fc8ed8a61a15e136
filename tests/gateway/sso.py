"""A real single sign-on behind the gateway: an OpenID Connect provider and a relying party.

* :class:`IdentityProvider`: ``oidc-provider`` (npm, OpenID Certified) run by
  tests/gateway/idp/provider.mjs with its test users, on 127.0.0.1. Installed from
  tests/gateway/idp/package-lock.json with ``npm ci`` (scripts/system-deps.sh brings node).
* :class:`RelyingParty`: Apache httpd with Debian's mod_auth_openidc, running the shipped
  deploy/apache/members-sso.conf.template rendered by deploy/render-config.py, exactly as an
  operator renders it, on 127.0.0.1. nginx (tests/gateway/nginx.py) asks it, as it asks
  oauth2-proxy in the Docker recipe.
"""

from __future__ import annotations

import http.client
import json
import os
import pwd
import secrets
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from .nginx import REPO, free_port, wait_for_port

IDP_DIR = REPO / "tests" / "gateway" / "idp"
APACHE_TEMPLATE = REPO / "deploy" / "apache" / "members-sso.conf.template"
RENDER = REPO / "deploy" / "render-config.py"
APACHE_MODULES = Path("/usr/lib/apache2/modules")
APACHE_CANDIDATES = ("/usr/sbin/apache2",)
MODULES = ("mpm_event", "authz_core", "authn_core", "rewrite", "headers", "auth_openidc")

# The test users of provider.mjs: (email, password).
MEMBER = ("member@example.com", "member-pass")       # in kb-members, at example.com: allowed
OUTSIDE_GROUP = ("staff@example.com", "staff-pass")  # right domain, not in kb-members
OUTSIDE_DOMAIN = ("guest@other.example", "guest-pass")  # in kb-members, other domain
ALLOWED_GROUP = "kb-members"
ALLOWED_DOMAINS = "example.com"
CLIENT_ID = "kb-members-gateway"


def find_apache() -> str | None:
    """apache2 to run: $KB_APACHE if set (the CI-rule tests set it to a missing path)."""
    if "KB_APACHE" in os.environ:
        path = os.environ["KB_APACHE"]
        return path if os.access(path, os.X_OK) else None
    for path in APACHE_CANDIDATES:
        if os.access(path, os.X_OK):
            return path
    return shutil.which("apache2")


def find_node() -> str | None:
    if "KB_NODE" in os.environ:
        path = os.environ["KB_NODE"]
        return path if os.access(path, os.X_OK) else None
    return shutil.which("node")


def idp_installed() -> bool:
    return (IDP_DIR / "node_modules" / "oidc-provider" / "package.json").is_file()


def _tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


@dataclass
class IdentityProvider:
    """provider.mjs on 127.0.0.1; ``events`` are its JSON lines (sign-in, refused, ...)."""

    node: str
    workdir: Path
    server_name: str
    client_secret: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    session_ttl: int = 600
    port: int = 0
    events: list[dict[str, str]] = field(default_factory=list)
    proc: subprocess.Popen[str] | None = None
    _stderr: IO[str] | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def issuer(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> IdentityProvider:
        self.port = self.port or free_port()
        env = {**os.environ, "KB_IDP_PORT": str(self.port), "KB_IDP_CLIENT_ID": CLIENT_ID,
               "KB_IDP_CLIENT_SECRET": self.client_secret,
               "KB_IDP_REDIRECT_URI": f"https://{self.server_name}/oauth2/callback",
               "KB_IDP_LOGOUT_URI": f"https://{self.server_name}/",
               "KB_IDP_SESSION_TTL": str(self.session_ttl)}
        self._stderr = open(self.workdir / "idp.stderr", "w")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen([self.node, str(IDP_DIR / "provider.mjs")], cwd=IDP_DIR,
                                     env=env, stdout=subprocess.PIPE, stderr=self._stderr,
                                     text=True)
        ready = threading.Event()

        def read() -> None:
            assert self.proc is not None and self.proc.stdout is not None
            for line in self.proc.stdout:
                try:
                    event = json.loads(line)
                except json.JSONDecodeError:
                    continue
                with self._lock:
                    self.events.append(event)
                if event.get("event") == "ready":
                    ready.set()

        threading.Thread(target=read, name="idp-events", daemon=True).start()
        if not ready.wait(20):
            self.stop()
            raise RuntimeError("the identity provider did not start:\n"
                               + _tail(self.workdir / "idp.stderr"))
        return self

    def set_groups(self, email: str, groups: list[str]) -> None:
        """Change a user's groups at the provider (what an administrator does)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            conn.request("PUT", f"/test/groups/{email}", body=json.dumps(groups).encode(),
                         headers={"Content-Type": "application/json"})
            status = conn.getresponse().status
        finally:
            conn.close()
        assert status == 204, status

    def seen(self, kind: str) -> list[dict[str, str]]:
        with self._lock:
            return [e for e in self.events if e.get("event") == kind]

    def stop(self) -> None:
        _stop(self.proc)
        if self.proc is not None and self.proc.stdout is not None:
            self.proc.stdout.close()
        if self._stderr is not None:
            self._stderr.close()
            self._stderr = None


@dataclass
class RelyingParty:
    """Apache with mod_auth_openidc, configured by the shipped template."""

    apache: str
    workdir: Path
    server_name: str
    idp: IdentityProvider
    session_idle: int = 3600
    session_max: int = 43200
    userinfo_refresh: int = 3600
    port: int = 0
    proc: subprocess.Popen[bytes] | None = None
    _stderr: IO[bytes] | None = None

    @property
    def error_log(self) -> Path:
        return self.workdir / "error.log"

    def values(self) -> dict[str, str]:
        return {
            "KB_SERVER_NAME": self.server_name,
            "KB_AUTH_PORT": str(self.port),
            "KB_OIDC_ISSUER": self.idp.issuer,
            "KB_OIDC_CLIENT_ID": CLIENT_ID,
            "KB_OIDC_SCOPE": "openid email profile groups",
            "KB_OIDC_SECRETS": str(self.workdir / "oidc-secrets.conf"),
            "KB_ALLOWED_GROUP": ALLOWED_GROUP,
            "KB_ALLOWED_EMAIL_DOMAINS": ALLOWED_DOMAINS,
            "KB_GROUPS_CLAIM": "groups",
            "KB_SESSION_IDLE": str(self.session_idle),
            "KB_SESSION_MAX": str(self.session_max),
            "KB_USERINFO_REFRESH": str(self.userinfo_refresh),
        }

    def render(self, **overrides: str) -> subprocess.CompletedProcess[str]:
        """deploy/render-config.py on the template, with these values in its environment."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("KB_")}
        env.update(self.values())
        env.update(overrides)
        return subprocess.run([sys.executable, str(RENDER), str(APACHE_TEMPLATE)], env=env,
                              capture_output=True, text=True, check=False, timeout=30)

    def write_config(self) -> Path:
        self.port = self.port or free_port()
        w = self.workdir
        (w / "run").mkdir(parents=True, exist_ok=True)
        secrets_file = w / "oidc-secrets.conf"
        secrets_file.write_text(f"OIDCClientSecret {self.idp.client_secret}\n"
                                f"OIDCCryptoPassphrase {secrets.token_hex(32)}\n")
        secrets_file.chmod(0o600)
        rendered = self.render()
        if rendered.returncode != 0:
            raise RuntimeError(rendered.stderr)
        (w / "members-sso.conf").write_text(rendered.stdout)
        # Children drop to an unprivileged user when started as root, as Debian's do.
        user = ""
        if os.geteuid() == 0:
            name = "www-data" if _user_exists("www-data") else "nobody"
            user = f"User {name}\nGroup {_group_of(name)}\n"
        modules = "\n".join(f"LoadModule {m}_module {APACHE_MODULES}/mod_{m}.so"
                            for m in MODULES)
        main = (f"ServerRoot {w}\nPidFile {w}/apache.pid\nDefaultRuntimeDir {w}/run\n"
                f"Mutex file:{w}/run default\nErrorLog {self.error_log}\n"
                "LogLevel warn auth_openidc:info\n"
                f"{modules}\n{user}ServerName 127.0.0.1\nServerTokens Prod\n"
                f"Listen 127.0.0.1:{self.port}\nInclude {w}/members-sso.conf\n")
        conf = w / "apache.conf"
        conf.write_text(main)
        return conf

    def start(self) -> RelyingParty:
        conf = self.write_config()
        self._stderr = open(self.workdir / "stderr.log", "wb")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen([self.apache, "-f", str(conf), "-DFOREGROUND"],
                                     stdout=subprocess.DEVNULL, stderr=self._stderr)
        try:
            wait_for_port(self.port, self.proc,  # type: ignore[arg-type]
                          self.workdir / "stderr.log")
        except RuntimeError as e:
            raise RuntimeError(f"{e}\n{_tail(self.error_log)}") from None
        return self

    def stop(self) -> None:
        _stop(self.proc)
        if self._stderr is not None:
            self._stderr.close()
            self._stderr = None


def _stop(proc: subprocess.Popen | None) -> None:  # type: ignore[type-arg]
    if proc is not None and proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


def _user_exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


def _group_of(name: str) -> str:
    import grp

    return grp.getgrgid(pwd.getpwnam(name).pw_gid).gr_name


def wait_until(predicate: Callable[[], object], timeout: float = 10,
               step: float = 0.1) -> bool:
    """Poll ``predicate`` until it is true or ``timeout`` seconds passed."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return bool(predicate())
