"""scripts/deploy-members.sh against a real rsync and rrsync, and a real gateway reading the
result while it runs.

`ssh` is replaced by a script that does what sshd does with the deploy key's
`command="rrsync DIR",restrict` line (deploy/README.md): it runs Debian's rrsync confined to
the deploy folder with the command rsync asked for. Everything else is real: rsync on both
sides, the layout rrsync allows, and nginx with the shipped configuration serving the
`current` link while releases are uploaded and switched.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from .conftest import require as require_tool
from .gateway.auth_stub import AuthStub
from .gateway.conftest import (
    Client,
    MembersSite,
    _running,
    auth_stub,
    members_site,
    nginx_binary,
    tls,
)
from .gateway.nginx import REPO, Gateway

__all__ = ["auth_stub", "members_site", "nginx_binary", "tls"]  # fixtures, imported for pytest

SCRIPT = REPO / "scripts" / "deploy-members.sh"
RRSYNC = Path("/usr/bin/rrsync")
SECRETS = {"MEMBERS_SSH_HOST": "gateway.example.invalid", "MEMBERS_SSH_USER": "kbdeploy",
           "MEMBERS_SSH_KEY": "-----BEGIN OPENSSH PRIVATE KEY-----\nfake\n",
           "MEMBERS_SSH_KNOWN_HOSTS": "gateway.example.invalid ssh-ed25519 AAAAfake",
           "MEMBERS_SSH_PATH": "."}

FAKE_SSH = r"""#!/usr/bin/env bash
# sshd with `command="rrsync $KB_REMOTE_ROOT",restrict` for the deploy key.
printf '%s\n' "$*" >> "$KB_SSH_LOG"
key=""
while [ $# -gt 0 ]; do
  case "$1" in
    -i) key="$2"; shift 2;;
    -p|-o|-l) shift 2;;
    -*) shift;;
    *) break;;
  esac
done
stat -c "%a" "$key" >> "$KB_SSH_LOG.keymode"
shift   # user@host
export SSH_ORIGINAL_COMMAND="$*"
cd "$KB_REMOTE_ROOT"
cut="${KB_SSH_CUT_UPLOAD:-}"
if [ -n "$cut" ] && [[ "$SSH_ORIGINAL_COMMAND" == *"releases/$cut"* ]]; then
  # The connection drops midway through the upload of this release: as soon as its first
  # files have landed, the receiving rsync is killed.
  "$KB_RRSYNC" "$KB_REMOTE_ROOT" <&0 &   # (an explicit stdin: & alone would give /dev/null)
  pid=$!
  for _ in $(seq 500); do
    [ -n "$(find "releases/$KB_SSH_CUT_UPLOAD" -type f -print -quit 2>/dev/null)" ] && break
    sleep 0.01
  done
  kill -9 "$pid" 2>/dev/null
  exit 255
fi
exec "$KB_RRSYNC" "$KB_REMOTE_ROOT"
"""


@pytest.fixture(scope="module")
def tools() -> None:
    fix = "scripts/system-deps.sh installs rsync (with rrsync)"
    require_tool(shutil.which("rsync"), "rsync is not installed", fix)
    require_tool(RRSYNC.is_file(), f"{RRSYNC} is not installed (Debian package rsync)", fix)


@pytest.fixture
def remote(tmp_path: Path, tools: None) -> Iterator[dict[str, str]]:
    """The deploy folder on the 'gateway host', and the environment that reaches it."""
    root = tmp_path / "srv-kb-members"
    root.mkdir()
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    ssh = bin_dir / "ssh"
    ssh.write_text(FAKE_SSH)
    ssh.chmod(ssh.stat().st_mode | stat.S_IXUSR)
    env = {"PATH": f"{bin_dir}:{os.environ['PATH']}", "HOME": str(tmp_path),
           "KB_REMOTE_ROOT": str(root), "KB_SSH_LOG": str(tmp_path / "ssh.log"),
           "KB_RRSYNC": str(RRSYNC), **SECRETS}
    yield env


def deploy(site: Path, env: dict[str, str], release: str,
           **extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["bash", str(SCRIPT), str(site)],
                          env={**env, "MEMBERS_RELEASE": release, **extra},
                          capture_output=True, text=True, timeout=120, check=False)


def tree(path: Path) -> dict[str, bytes]:
    return {p.relative_to(path).as_posix(): p.read_bytes()
            for p in sorted(path.rglob("*")) if p.is_file()}


def release_b(site_a: Path, dest: Path) -> tuple[str, str]:
    """A second release: every page changed, one page gone, one page new."""
    shutil.copytree(site_a, dest, symlinks=True)
    for page in dest.rglob("*.html"):
        page.write_text(page.read_text().replace("</body>", "<!-- release B --></body>"))
    gone = "getting-started/does-cj-build-websites/index.html"
    (dest / gone).unlink()
    new = "whats-new/index.html"
    (dest / "whats-new").mkdir()
    (dest / new).write_text((dest / "index.html").read_text().replace("<h1", "<h1 data-new"))
    return gone, new


# -- the script on its own --------------------------------------------------------------------
def test_releases_are_uploaded_then_switched_and_old_ones_pruned(
        tmp_path: Path, remote: dict[str, str], members_site: MembersSite) -> None:
    root = Path(remote["KB_REMOTE_ROOT"])
    site_a = members_site.root
    first = deploy(site_a, remote, "r1")
    assert first.returncode == 0, first.stderr
    assert os.readlink(root / "current") == "releases/r1"
    served = tree(root / "current")
    expected = {k: v for k, v in tree(site_a).items()
                if not any(part.startswith(".") for part in k.split("/"))}
    expected.pop("leak.txt", None)  # bait of the gateway tests: a link out of the site
    assert {k: v for k, v in served.items() if k != "leak.txt"} == expected
    # Mode bits for nginx to read and no more; dotfiles never shipped.
    for p in (root / "releases" / "r1").rglob("*"):
        mode = stat.S_IMODE(p.lstat().st_mode)
        if p.is_symlink():
            continue
        assert mode == (0o755 if p.is_dir() else 0o644), (p, oct(mode))
        assert not p.name.startswith("."), p
    # The ssh command: host key checked, key file private.
    log = Path(remote["KB_SSH_LOG"])
    calls = log.read_text().splitlines()
    assert calls and all("StrictHostKeyChecking=yes" in c and "BatchMode=yes" in c
                         and "IdentitiesOnly=yes" in c for c in calls), calls
    assert set(Path(f"{log}.keymode").read_text().split()) == {"600"}
    # Unchanged files of the next release are hard links to the live one: only changes travel.
    site_b = tmp_path / "b"
    release_b(site_a, site_b)
    for name in ("r2", "r3", "r4"):
        result = deploy(site_b, remote, name)
        assert result.returncode == 0, result.stderr
    assert os.readlink(root / "current") == "releases/r4"
    assert sorted(p.name for p in (root / "releases").iterdir()) == ["r2", "r3", "r4"]
    css = next((root / "releases" / "r4").rglob("*.css"))
    assert css.stat().st_nlink > 1, "unchanged files were copied again"
    assert tree(root / "current") == {k: v for k, v in tree(site_b).items()
                                      if k != "leak.txt" and not k.startswith(".")
                                      and "/." not in k}


def test_refusals(tmp_path: Path, remote: dict[str, str], members_site: MembersSite) -> None:
    for missing in SECRETS:
        env = {k: v for k, v in remote.items() if k != missing}
        result = deploy(members_site.root, env, "r1")
        assert result.returncode == 2 and missing in result.stderr
    empty = tmp_path / "empty"
    empty.mkdir()
    result = deploy(empty, remote, "r1")
    assert result.returncode == 2 and "not a built site" in result.stderr
    for bad in ("../escape", "a/b", ".hidden", "x y"):
        result = deploy(members_site.root, remote, bad)
        assert result.returncode == 2 and "plain folder name" in result.stderr, bad
    result = deploy(members_site.root, remote, "r1", MEMBERS_KEEP="0")
    assert result.returncode == 2
    assert not Path(remote["KB_SSH_LOG"]).exists(), "ssh ran although the deploy was refused"
    assert not any(Path(remote["KB_REMOTE_ROOT"]).iterdir())


def test_the_switch_is_one_rename(tmp_path: Path, tools: None) -> None:
    """The way the script switches `current` (rsync --links into the folder) replaces the
    link by renaming a new one over it: a reader looking all the while never finds it
    missing, and it always names one whole release."""
    dst, src = tmp_path / "dst", tmp_path / "switch"
    for d in (dst / "releases" / "a", dst / "releases" / "b", src):
        d.mkdir(parents=True)
    (dst / "current").symlink_to("releases/a")
    seen: set[str] = set()
    missing = 0
    stop = threading.Event()

    def look() -> None:
        nonlocal missing
        while not stop.is_set():
            try:
                seen.add(os.readlink(dst / "current"))
            except FileNotFoundError:
                missing += 1

    reader = threading.Thread(target=look, daemon=True)
    reader.start()
    try:
        for i in range(40):
            link = src / "current"
            if link.is_symlink():
                link.unlink()
            link.symlink_to("releases/b" if i % 2 == 0 else "releases/a")
            subprocess.run(["rsync", "--links", str(link), f"{dst}/"], check=True, timeout=30)
    finally:
        stop.set()
        reader.join(5)
    assert missing == 0, f"`current` was missing {missing} times during the switches"
    assert seen == {"releases/a", "releases/b"}, seen


# -- what a visitor sees during a deploy ------------------------------------------------------
@pytest.fixture
def deploy_gateway(nginx_binary: str, remote: dict[str, str], auth_stub: AuthStub,
                   tls: tuple[Path, Path], tmp_path: Path) -> Iterator[Gateway]:
    root = Path(remote["KB_REMOTE_ROOT"])
    yield from _running(nginx_binary, tmp_path / "nginx", root / "current", tls, auth_stub.port)


def test_a_visitor_never_sees_a_mixed_or_partial_site(
        tmp_path: Path, remote: dict[str, str], members_site: MembersSite,
        deploy_gateway: Gateway, tls: tuple[Path, Path]) -> None:
    site_a, site_b = members_site.root, tmp_path / "b"
    gone, new = release_b(site_a, site_b)
    assert deploy(site_a, remote, "r1").returncode == 0
    a, b = tree(site_a), tree(site_b)
    pages = sorted(k for k in a if k.endswith(".html") and k != gone)[:25]
    paths = [*pages, gone, new, "pagefind/pagefind-entry.json",
             next(k for k in a if k.endswith(".css"))]

    def version(path: str, status: int, body: bytes, nonce: str | None) -> str:
        """A or B (the release that answered), AB (the same in both), ? (neither)."""
        if nonce:
            body = body.replace(f' nonce="{nonce}"'.encode(), b"")
        if status == 404:
            return {gone: "B", new: "A"}.get(path, "?404")
        if status != 200:
            return f"?{status}"
        in_a, in_b = a.get(path) == body, b.get(path) == body
        return "AB" if in_a and in_b else "A" if in_a else "B" if in_b else "?partial"

    observations: list[list[tuple[str, str]]] = []
    stop = threading.Event()

    def reader(index: int) -> None:
        c = Client(deploy_gateway.https_port, tls[0])
        cookie = c.sign_in()
        seen: list[tuple[str, str]] = []
        observations.append(seen)
        i = index
        try:
            while not stop.is_set():
                path = paths[i % len(paths)]
                i += 1
                r = c.get("/" + path, cookie=cookie)
                csp = r.header("Content-Security-Policy") or ""
                nonce = csp.split("'nonce-")[1].split("'")[0] if "'nonce-" in csp else None
                seen.append((path, version(path, r.status, r.body, nonce)))
        finally:
            c.close()

    def interrupted_then_complete() -> None:
        cut = deploy(site_b, remote, "r2", KB_SSH_CUT_UPLOAD="r2")
        assert cut.returncode != 0, "the cut upload did not fail"
        time.sleep(0.3)
        done = deploy(site_b, remote, "r3")
        assert done.returncode == 0, done.stderr

    threads = [threading.Thread(target=reader, args=(n,), daemon=True) for n in range(3)]
    for t in threads:
        t.start()
    time.sleep(0.5)
    failures: list[BaseException] = []
    try:
        interrupted_then_complete()
    except BaseException as e:
        failures.append(e)
    time.sleep(0.5)
    stop.set()
    for t in threads:
        t.join(10)
    if failures:
        raise failures[0]
    root = Path(remote["KB_REMOTE_ROOT"])
    assert (root / "releases" / "r2").is_dir(), "the cut upload left nothing to prove with"
    assert os.readlink(root / "current") == "releases/r3"
    assert sum(len(s) for s in observations) > 100, "the readers barely read"
    for seen in observations:
        bad = [(p, v) for p, v in seen if v.startswith("?")]
        assert not bad, f"partial or broken answers during the deploy: {bad[:5]}"
        # One switch, one instant: once anything of B was seen, nothing of A is seen again.
        labels = [v for _p, v in seen if v != "AB"]
        first_b = labels.index("B") if "B" in labels else None
        assert first_b is not None, "the readers never saw the new release"
        assert "A" not in labels[first_b:], \
            f"the old release after the new one: {seen[:10]} ... {labels[first_b:first_b + 20]}"
        assert labels[0] == "A", seen[:3]
