"""Run the shipped gateway configuration on a real nginx, on loopback ports.

The shipped file, deploy/nginx/members.conf.template, is rendered exactly as an operator
renders it (its ${KB_...} placeholders: paths and ports, nothing else) and included in a
minimal main nginx.conf that only says where nginx may write (pid, logs, temp files).
"""

from __future__ import annotations

import os
import pwd
import re
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO

REPO = Path(__file__).resolve().parents[2]
TEMPLATE = REPO / "deploy" / "nginx" / "members.conf.template"
NGINX_CANDIDATES = ("/usr/sbin/nginx",)
MIME_TYPES = Path("/etc/nginx/mime.types")
PLACEHOLDER = re.compile(r"\$\{(KB_[A-Z0-9_]+)\}")


def find_nginx() -> str | None:
    """nginx to run: $KB_NGINX if set (the tests of the CI rule set it to a missing path),
    else Debian's /usr/sbin/nginx, else PATH's."""
    if "KB_NGINX" in os.environ:
        path = os.environ["KB_NGINX"]
        return path if os.access(path, os.X_OK) else None
    for path in NGINX_CANDIDATES:
        if os.access(path, os.X_OK):
            return path
    return shutil.which("nginx")


def placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


def render(text: str, values: dict[str, str]) -> str:
    """envsubst restricted to the template's own ${KB_...} names; all must be given."""
    missing = placeholders(text) - set(values)
    if missing:
        raise KeyError(f"no value for {sorted(missing)}")
    return PLACEHOLDER.sub(lambda m: values[m.group(1)], text)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, proc: subprocess.Popen[bytes], log: Path, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"nginx exited with {proc.returncode}:\n{_tail(log)}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nginx did not listen on 127.0.0.1:{port} within {timeout}s:\n{_tail(log)}")


def _tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def make_certificate(directory: Path, host: str) -> tuple[Path, Path]:
    """A self-signed certificate for ``host`` and 127.0.0.1 (the client trusts exactly it)."""
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-days", "2", "-subj", f"/CN={host}", "-keyout", str(key), "-out", str(cert),
         "-addext", f"subjectAltName=DNS:{host},IP:127.0.0.1"],
        check=True, capture_output=True,
    )
    return cert, key


@dataclass
class Gateway:
    """nginx running the rendered gateway configuration."""

    nginx: str
    workdir: Path
    members_root: Path
    cert: Path
    key: Path
    auth_port: int
    server_name: str = "members.test"
    idp_origin: str = "https://login.example.com"
    # Generous enough for the tests' own request loops; test_gateway.py runs a gateway with
    # small limits to see them bite.
    rate_limit: int = 2000
    sign_in_limit: int = 6000
    conn_limit: int = 200
    https_port: int = 0
    http_port: int = 0
    proc: subprocess.Popen[bytes] | None = None
    _stderr: IO[bytes] | None = None

    @property
    def error_log(self) -> Path:
        return self.workdir / "error.log"

    @property
    def access_log(self) -> Path:
        return self.workdir / "access.log"

    def values(self) -> dict[str, str]:
        return {
            "KB_HTTPS_LISTEN": f"127.0.0.1:{self.https_port}",
            "KB_HTTP_LISTEN": f"127.0.0.1:{self.http_port}",
            "KB_TLS_CERT": str(self.cert),
            "KB_TLS_KEY": str(self.key),
            "KB_MEMBERS_ROOT": str(self.members_root),
            "KB_AUTH_PORT": str(self.auth_port),
            "KB_SERVER_NAME": self.server_name,
            "KB_IDP_ORIGIN": self.idp_origin,
            "KB_RATE_LIMIT": str(self.rate_limit),
            "KB_SIGN_IN_LIMIT": str(self.sign_in_limit),
            "KB_CONN_LIMIT": str(self.conn_limit),
        }

    def write_config(self) -> Path:
        """Render the template and the minimal main configuration; returns nginx.conf."""
        self.https_port = self.https_port or free_port()
        self.http_port = self.http_port or free_port()
        w = self.workdir
        for sub in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (w / "temp" / sub).mkdir(parents=True, exist_ok=True)
        (w / "members.conf").write_text(render(TEMPLATE.read_text(), self.values()))
        # Workers of a root master drop to `nobody`, who cannot enter pytest's 0700 temp dirs.
        user = f"user {pwd.getpwuid(os.geteuid()).pw_name};" if os.geteuid() == 0 else ""
        main = f"""
{user}
daemon off;
worker_processes 1;
pid {w}/nginx.pid;
error_log {self.error_log} info;
events {{ worker_connections 512; }}
http {{
    include {MIME_TYPES};
    default_type application/octet-stream;
    sendfile on;
    keepalive_timeout 30s;
    access_log {self.access_log};
    client_body_temp_path {w}/temp/body;
    proxy_temp_path {w}/temp/proxy;
    fastcgi_temp_path {w}/temp/fastcgi;
    uwsgi_temp_path {w}/temp/uwsgi;
    scgi_temp_path {w}/temp/scgi;
    include {w}/members.conf;
}}
"""
        conf = w / "nginx.conf"
        conf.write_text(main)
        return conf

    def test_config(self) -> subprocess.CompletedProcess[str]:
        conf = self.write_config()
        return subprocess.run([self.nginx, "-t", "-p", str(self.workdir), "-c", str(conf)],
                              capture_output=True, text=True, check=False)

    def start(self) -> Gateway:
        conf = self.write_config()
        self._stderr = open(self.workdir / "stderr.log", "wb")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            [self.nginx, "-p", str(self.workdir), "-c", str(conf)],
            stdout=subprocess.DEVNULL, stderr=self._stderr,
        )
        for port in (self.https_port, self.http_port):
            wait_for_port(port, self.proc, self.workdir / "stderr.log")
        return self

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()  # SIGTERM: fast shutdown of this master and its workers
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)
        if self._stderr is not None:
            self._stderr.close()
            self._stderr = None
