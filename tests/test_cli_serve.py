"""`kb serve`: MkDocs' dev server for the public or the members site."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from mkdocs.livereload import LiveReloadServer

from .conftest import Project, topic
from .conftest import kb_cli as kb


@pytest.fixture
def served(project: Project, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Run `kb serve` in-process up to the first build, and keep what it built."""
    project.write("accounts/open.md", topic("Open question", body="Public words.\n\n"
                                            "/// members\nZQXpassage\n///"))
    project.write("accounts/secret.md", topic("ZQX secret", visibility="members"))
    monkeypatch.chdir(project.root)
    seen: dict[str, Any] = {"project": project}

    def fake_serve(self: LiveReloadServer, *, open_in_browser: bool = False) -> None:
        root = Path(self.root)
        seen["pages"] = sorted(p.relative_to(root).as_posix() for p in root.rglob("*.html"))
        seen["text"] = "\n".join(p.read_text(errors="replace") for p in root.rglob("*.html"))
        seen["url"] = self.url

    monkeypatch.setattr(LiveReloadServer, "serve", fake_serve)
    return seen


def test_public_preview_has_no_members_content(served: dict[str, Any]) -> None:
    result = kb("serve", "--public", "-a", "127.0.0.1:8123")
    assert result.exit_code == 0, result.output
    assert "accounts/open/index.html" in served["pages"]
    assert "accounts/secret/index.html" not in served["pages"]
    assert "zqx" not in served["text"].lower()
    assert served["url"] == "http://127.0.0.1:8123/"


def test_members_preview_has_everything(served: dict[str, Any]) -> None:
    result = kb("serve", "--members", "-a", "127.0.0.1:8123")
    assert result.exit_code == 0, result.output
    assert "accounts/secret/index.html" in served["pages"]
    assert "ZQXpassage" in served["text"]


def test_errors_are_shown_and_the_server_stays_up(served: dict[str, Any],
                                                  caplog: pytest.LogCaptureFixture) -> None:
    served["project"].write("accounts/bad.md", topic("Bad", body="[x](nope.md)"))
    result = kb("serve", "--public")
    assert result.exit_code == 0, result.output
    err = caplog.text + result.output
    assert "content/accounts/bad.md:7:5: error[KB300]" in err
    assert "the public site was not rebuilt: 1 error in the content" in err
    assert "Aborted with" not in err and "BuildError" not in err
    assert err.count("1 error in the content") == 1, err
    assert "Traceback" not in err
    assert served["pages"] == []  # nothing built yet; the server still starts


def test_configuration_without_the_plugin(project: Project,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    project.config.write_text(project.config.read_text().replace("  - kb:", "  - kbx:"))
    monkeypatch.chdir(project.root)
    result = kb("serve")
    assert result.exit_code != 0
    assert "Traceback" not in result.output
    result = kb("serve", "-f", "nope.yml")
    assert result.exit_code == 2
    assert result.stderr == "kb serve: nope.yml: no such configuration file\n"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, needle: str, timeout: float) -> str:
    deadline = time.monotonic() + timeout
    last = ""
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                last = response.read().decode()
                if needle in last:
                    return last
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    raise AssertionError(f"{needle!r} not served at {url} within {timeout} s")


def test_real_server_reloads_on_save(project: Project) -> None:
    project.write("accounts/secret.md", topic("Members first title", visibility="members"))
    port = free_port()
    kb_exe = Path(sys.executable).parent / "kb"
    cmd = [str(kb_exe)] if kb_exe.exists() else [sys.executable, "-m", "kbtools.cli"]
    proc = subprocess.Popen([*cmd, "serve", "--members", "-a", f"127.0.0.1:{port}"],
                            cwd=project.root, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            env={**os.environ, "NO_MKDOCS_2_WARNING": "1"}, text=True)
    try:
        url = f"http://127.0.0.1:{port}/accounts/secret/"
        wait_for(url, "Members first title", 90)
        project.write("accounts/secret.md", topic("Members second title", visibility="members"))
        wait_for(url, "Members second title", 60)
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            output, _ = proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            output, _ = proc.communicate()
    assert "Serving on" in output
    assert "Traceback" not in output


def test_a_preview_the_audit_refuses_is_never_served(served: dict[str, Any],
                                                     monkeypatch: pytest.MonkeyPatch,
                                                     caplog: pytest.LogCaptureFixture) -> None:
    """A rebuild whose audit fails leaves the last good preview in the served folder."""
    from kbtools.plugin import members_block

    def serve_twice(self: LiveReloadServer, *, open_in_browser: bool = False) -> None:
        root = Path(self.root)
        served["first"] = (root / "accounts/open/index.html").read_text()
        # The public block now renders its passage: the audit must refuse this rebuild.
        monkeypatch.setattr(members_block.DropPassages, "run", lambda self, root: None)
        self.builder()
        served["second"] = (root / "accounts/open/index.html").read_text()
        served["files"] = sorted(p.name for p in root.parent.iterdir()
                                 if p.name.startswith(f".{root.name}"))

    monkeypatch.setattr(LiveReloadServer, "serve", serve_twice)
    result = kb("serve", "--public")
    assert result.exit_code == 0, result.output
    assert "the audit found" in caplog.text + result.output
    assert "ZQXpassage" not in served["first"]
    assert served["second"] == served["first"]
    assert served["files"] == []  # no staging folder left beside the served one


def test_impossible_date_is_a_diagnostic_not_a_hang(served: dict[str, Any],
                                                    caplog: pytest.LogCaptureFixture) -> None:
    served["project"].write("accounts/bad.md", topic("Bad", updated="2026-02-30"))
    result = kb("serve", "--public")
    assert result.exit_code == 0, result.output
    err = caplog.text + result.output
    assert "content/accounts/bad.md:5:10: error[KB107]" in err
    assert "February 2026 has 28 days" in err
    assert "Traceback" not in err and "ValueError" not in err
