"""`kb serve`: the writer's preview of the public or the members site, over real HTTP.

Every test starts a real `kb serve` (a process, or the same server in a thread where the
test must break the renderer) against a temporary project and asserts on what is served.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from kbtools.core.output import pagefind_files
from kbtools.core.site.plan import Site

from .conftest import Project, topic
from .conftest import kb_cli as kb

WAIT = 120.0  # generous: CI machines are slow; nothing here is timed


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def fetch(url: str) -> tuple[int, str]:
    """Status and body of ``url`` (0 while nothing listens)."""
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            return response.status, response.read().decode(errors="replace")
    except urllib.error.HTTPError as e:
        with e:
            return e.code, e.read().decode(errors="replace")
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return 0, ""


def fetch_bytes(url: str) -> tuple[int, bytes]:
    """Status and raw body of ``url`` (the search index's files are compressed)."""
    try:
        with urllib.request.urlopen(url, timeout=120) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as e:
        with e:
            return e.code, e.read()


def search_texts(base: str) -> dict[str, str]:
    """Every page fragment of the preview's search index, decompressed, by file: what a
    phone's search shows. Found as the browser finds them: the entry names the meta file,
    the meta file names the fragments."""
    status, body = fetch_bytes(base + "pagefind/pagefind-entry.json")
    assert status == 200, body
    out = {}
    for language in json.loads(body)["languages"].values():
        rel = f"pagefind/pagefind.{language['hash']}.pf_meta"
        status, data = fetch_bytes(base + rel)
        assert status == 200, rel
        meta = pagefind_files.read(data, rel).doc
        for (fragment, *_) in meta[1]:
            rel = f"pagefind/fragment/{fragment}.pf_fragment"
            status, data = fetch_bytes(base + rel)
            assert status == 200, rel
            out[rel] = json.dumps(pagefind_files.read(data, rel).doc, ensure_ascii=False)
    return out


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


class Server:
    """A `kb serve` process; its output is collected as it runs."""

    def __init__(self, project: Project, *args: str) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}/"
        kb_exe = Path(sys.executable).parent / "kb"
        cmd = [str(kb_exe)] if kb_exe.exists() else [sys.executable, "-m", "kbtools.cli"]
        self.proc = subprocess.Popen([*cmd, "serve", *args, "-a", f"127.0.0.1:{self.port}"],
                                     cwd=project.root, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, text=True,
                                     env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
                                     # Ctrl+C as in a terminal, even where the shell that
                                     # started the tests has its children ignore SIGINT.
                                     preexec_fn=_default_sigint)
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.append(line)

    @property
    def output(self) -> str:
        return "".join(self.lines)

    def get(self, path: str) -> tuple[int, str]:
        return fetch(self.base + path)

    def wait_for(self, path: str, needle: str, status: int = 200) -> str:
        """The body of ``path`` once it is served with ``status`` and holds ``needle``."""
        deadline = time.monotonic() + WAIT
        last: tuple[int, str] = (0, "")
        while time.monotonic() < deadline:
            last = self.get(path)
            if last[0] == status and needle in last[1]:
                return last[1]
            assert self.proc.poll() is None, self.output
            time.sleep(0.1)
        raise AssertionError(f"{needle!r} not served at /{path} ({last[0]}) within {WAIT} s\n"
                             f"{self.output}")

    def wait_output(self, needle: str, after: int = 0) -> None:
        """Wait until the terminal shows ``needle`` (in the output from character ``after``)."""
        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline:
            if needle in self.output[after:]:
                return
            assert self.proc.poll() is None, self.output
            time.sleep(0.1)
        raise AssertionError(f"{needle!r} not printed within {WAIT} s\n{self.output}")

    def stop(self) -> str:
        self.proc.send_signal(signal.SIGINT)
        try:
            self.proc.wait(timeout=WAIT)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self._reader.join(timeout=10)
        if self.proc.stdout is not None:
            self.proc.stdout.close()
        return self.output


@pytest.fixture
def serve(project: Project) -> Iterator[type[Server]]:
    started: list[Server] = []

    def start(*args: str) -> Server:
        server = Server(project, *args)
        started.append(server)
        return server

    yield start  # type: ignore[misc]
    for server in started:
        output = server.stop()
        assert "Traceback" not in output, output


@pytest.fixture
def content(project: Project) -> Project:
    project.write("accounts/open.md", topic("Open question", body="Public words.\n\n"
                                            "/// members\nZQXpassage words for members.\n///"))
    project.write("accounts/secret.md", topic("ZQX secret", visibility="members",
                                              aliases="[accounts/zqx-old.md]",
                                              body="ZQXsecretbody.\n\n![ZQX](zqx-only.png)"))
    project.write("accounts/zqx-only.png", b"\x89PNG\r\n\x1a\n")
    return project


def test_public_preview_has_no_members_content(content: Project, serve: type[Server]) -> None:
    server = serve("--public")
    page = server.wait_for("accounts/open/", "Public words.")
    assert "zqx" not in page.lower()
    assert "livereload(" in page  # the page reloads itself on a save
    # A members topic, its alias, its image: not in the public preview.
    for path in ("accounts/secret/", "accounts/secret/index.html", "accounts/zqx-old/",
                 "accounts/zqx-only.png"):
        status, body = server.get(path)
        assert status == 404, path
        assert "zqx" not in body.lower()
    # Whatever else the site holds, served on request, holds nothing members-only either.
    for path in ("", "accounts/", "sitemap.xml", "tags/", "llms.txt", "404.html",
                 "pagefind/pagefind-entry.json", "pagefind/pagefind.js"):
        status, body = server.get(path)
        assert status == 200, path
        assert "zqx" not in body.lower(), path
    # The search index, made on the first search as the build makes it: every fragment
    # read (decompressed) holds the public page and nothing members-only.
    texts = search_texts(server.base)
    assert any("Open question" in text for text in texts.values()), texts
    assert not any("zqx" in text.lower() for text in texts.values())


def test_members_preview_has_everything(content: Project, serve: type[Server]) -> None:
    server = serve("--members")
    assert "ZQXpassage" in server.wait_for("accounts/open/", "Public words.")
    page = server.wait_for("accounts/secret/", "ZQXsecretbody")
    assert 'name="robots" content="noindex' in page
    assert server.get("accounts/zqx-only.png")[0] == 200
    alias = server.get("accounts/zqx-old/")[1]  # the alias redirects, and is noindex too
    assert '"../secret/"' in alias and 'content="noindex' in alias


def test_an_edit_is_served_and_reloads_the_browser(content: Project,
                                                    serve: type[Server]) -> None:
    server = serve("--public")
    page = server.wait_for("accounts/open/", "Public words.")
    epoch = int(re.search(r"livereload\((\d+), \d+\)", page)[1])  # type: ignore[index]
    content.write("accounts/open.md", topic("Open question", body="Edited words.\n\n"
                                            "/// members\nZQXpassage edited.\n///"))
    page = server.wait_for("accounts/open/", "Edited words.")
    assert "zqx" not in page.lower()
    # The browser's live-reload poll answers with a newer version of the site.
    status, newer = server.get(f"livereload/{epoch}/1")
    assert status == 200 and int(newer) > epoch
    # A new topic appears, in the nav of the other pages too.
    content.write("accounts/new.md", topic("Brand new topic", body="New words."))
    server.wait_for("accounts/new/", "New words.")
    assert "Brand new topic" in server.wait_for("accounts/open/", "Brand new topic")


def test_an_invalid_edit_keeps_the_last_good_page(content: Project,
                                                  serve: type[Server]) -> None:
    server = serve("--public")
    server.wait_for("accounts/open/", "Public words.")
    mark = len(server.output)
    content.write("accounts/open.md", topic("Open question", body="Broken words [x](nope.md)"))
    server.wait_output("the public site was not rebuilt: 1 error in the content", mark)
    assert "content/accounts/open.md:7:18: error[KB300]" in server.output[mark:]
    page = server.wait_for("accounts/open/", "data-kb-serve-error")
    assert "Public words." in page and "Broken words" not in page
    assert "the latest save has 1 error" in page
    # Fixed: the new page, without the banner.
    content.write("accounts/open.md", topic("Open question", body="Fixed words."))
    page = server.wait_for("accounts/open/", "Fixed words.")
    assert "data-kb-serve-error" not in page


def test_errors_at_start_are_shown_and_the_server_stays_up(content: Project,
                                                           serve: type[Server]) -> None:
    content.write("accounts/bad.md", topic("Bad", body="[x](nope.md)"))
    server = serve("--public")
    server.wait_output("Serving on")
    out = server.output
    assert "content/accounts/bad.md:7:5: error[KB300]" in out
    assert "the public site was not rebuilt: 1 error in the content" in out
    assert out.count("1 error in the content") == 1, out
    assert "Aborted with" not in out and "BuildError" not in out
    status, body = server.get("accounts/open/")
    assert status == 404 and "Public words" not in body  # nothing good to show yet
    content.write("accounts/bad.md", topic("Bad", body="Now fine."))
    server.wait_for("accounts/bad/", "Now fine.")


def test_impossible_date_is_a_diagnostic_not_a_hang(content: Project,
                                                    serve: type[Server]) -> None:
    content.write("accounts/bad.md", topic("Bad", updated="2026-02-30"))
    server = serve("--public")
    server.wait_output("Serving on")
    assert "content/accounts/bad.md:5:10: error[KB107]" in server.output
    assert "February 2026 has 28 days" in server.output
    assert "ValueError" not in server.output


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


def test_the_preview_is_the_published_page(content: Project, serve: type[Server],
                                           tmp_path: Path) -> None:
    """The topic's article and nav, as `kb build` writes them."""
    content.write("accounts/other.md", topic("Other question", body="## A heading\n\nMore."))
    out = content.build(Site.PUBLIC, tmp_path / "built")
    server = serve("--public")
    for page in ("accounts/open/", "accounts/other/", "accounts/"):
        served = server.wait_for(page, "</html>")
        built = (out / page / "index.html").read_text()
        for part in (r"<article.*?</article>", r'<nav class="md-nav md-nav--primary".*?</nav>'):
            a, b = re.search(part, served, re.S), re.search(part, built, re.S)
            assert a is not None and b is not None, part
            assert a[0] == b[0], page


def test_a_page_the_audit_refuses_is_never_served(content: Project,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """The renderer is broken to render the public passage: the audit refuses the page."""
    from kbtools.plugin import members_block
    from kbtools.plugin.serve import Preview, PreviewServer

    monkeypatch.chdir(content.root)
    monkeypatch.setattr(members_block.DropPassages, "run", lambda self, root: None)
    port = free_port()
    preview = Preview(str(content.config), Site.PUBLIC, f"http://127.0.0.1:{port}/")
    server = PreviewServer(preview, host="127.0.0.1", port=port, root=str(content.content))
    server.error_handler = server.error_page
    preview.rebuild()
    thread = threading.Thread(target=server.serve, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + WAIT
        while fetch(f"http://127.0.0.1:{port}/")[0] == 0 and time.monotonic() < deadline:
            time.sleep(0.1)
        status, body = fetch(f"http://127.0.0.1:{port}/accounts/open/")
        assert status == 500
        assert "ZQXpassage" not in body and "Refused by the audit" in body
        # The refused page is not indexed for search either.
        status, body = fetch(f"http://127.0.0.1:{port}/pagefind/pagefind-entry.json")
        assert status == 200 and "ZQXpassage" not in body
        texts = search_texts(f"http://127.0.0.1:{port}/")
        assert texts and not any("zqxpassage" in text.lower() for text in texts.values())
        assert fetch(f"http://127.0.0.1:{port}/accounts/")[0] == 200  # nothing of it there
    finally:
        server.shutdown()
        thread.join(timeout=30)
        preview.close()


def test_the_next_start_uses_the_memo_and_sees_edits_made_meanwhile(
        content: Project, serve: type[Server]) -> None:
    """Ctrl+C keeps the memo in .cache/kbtools; a topic edited while no preview ran shows its
    new words on the next start, and the members passage stays out of the public preview."""
    first = serve("--public")
    first.wait_for("accounts/open/", "Public words.")
    first.stop()
    assert (content.root / ".cache" / "kbtools" / "preview-public.pickle").is_file()
    content.write("accounts/open.md", topic("Open question", body="Words edited meanwhile.\n\n"
                                            "/// members\nZQXpassage again.\n///"))
    second = serve("--public")
    page = second.wait_for("accounts/open/", "Words edited meanwhile.")
    assert "starting from what the last preview kept" in second.output
    assert "zqx" not in page.lower()
    assert second.get("accounts/secret/")[0] == 404
