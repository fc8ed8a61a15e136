"""The GitHub Actions workflows: valid, audited, and shaped so the members site never leaks.

Validity and the security audit come from the tools the issue names (check-jsonschema with
its built-in GitHub workflow schema, zizmor offline); the rest are this project's own rules,
read from the workflow files: pinned actions, least privilege, one deploy at a time, and the
members site built and shipped in one protected job, never uploaded or cached.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
WORKFLOWS = REPO / ".github" / "workflows"
DEPLOY_SCRIPT = REPO / "scripts" / "deploy-members.sh"
FILES = sorted(WORKFLOWS.glob("*.yml")) + sorted(WORKFLOWS.glob("*.yaml"))
USES = re.compile(r"^\s*(?:-\s*)?uses:\s*(\S+?)(?:\s+#\s*(\S+))?\s*$", re.M)


def tool(name: str) -> str:
    """A console script of the test dependencies (the venv's, else PATH); fail in CI if absent."""
    here = Path(sys.executable).parent / name
    path = str(here) if here.exists() else shutil.which(name)
    if path is None:
        message = f"{name} is not installed: pip install -e '.[test]'"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    return path


def load(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text())
    if True in data:  # YAML 1.1 reads the key `on` as a boolean
        data["on"] = data.pop(True)
    return data


def workflow(name: str) -> dict[str, Any]:
    return load(WORKFLOWS / name)


def steps(job: dict[str, Any]) -> list[dict[str, Any]]:
    return job.get("steps", [])


def runs(job: dict[str, Any]) -> str:
    return "\n".join(s.get("run", "") for s in steps(job))


def uses(job: dict[str, Any]) -> list[str]:
    return [s["uses"].split("@")[0] for s in steps(job) if "uses" in s]


def test_there_are_a_pull_request_and_a_deploy_workflow() -> None:
    assert {p.name for p in FILES} >= {"pull-request.yml", "deploy.yml"}, FILES


# -- the tools --------------------------------------------------------------------------------
def test_workflows_validate_against_the_github_schema() -> None:
    result = subprocess.run(
        [tool("check-jsonschema"), "--builtin-schema", "vendor.github-workflows",
         *map(str, FILES)], capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_zizmor_finds_nothing_medium_or_high() -> None:
    result = subprocess.run(
        [tool("zizmor"), "--offline", "--format", "json", "--no-progress", str(WORKFLOWS)],
        capture_output=True, text=True, timeout=120, check=False)
    assert result.stdout.strip(), result.stderr
    findings = json.loads(result.stdout)
    serious = [f"{f['ident']} ({f['determinations']['severity']}): {f['desc']}"
               for f in findings
               if f["determinations"]["severity"].lower() in {"medium", "high"}]
    assert not serious, "\n".join(serious)
    # zizmor exits 0 without findings, and 10+ with them (by severity): at most low ones here.
    assert result.returncode in (0, 11, 12), (result.returncode, result.stderr)


# -- the project's own rules ------------------------------------------------------------------
@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_actions_are_pinned_to_a_commit_with_its_version(path: Path) -> None:
    found = USES.findall(path.read_text())
    assert found, f"{path.name} uses no action"
    for ref, comment in found:
        action, _, sha = ref.partition("@")
        assert re.fullmatch(r"[0-9a-f]{40}", sha), f"{path.name}: {ref} is not pinned to a commit"
        assert re.fullmatch(r"v\d+\.\d+\.\d+", comment or ""), \
            f"{path.name}: {action} has no `# vX.Y.Z` comment naming the pinned version"


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_least_privilege_and_no_races(path: Path) -> None:
    wf = load(path)
    assert wf.get("permissions") == {}, f"{path.name}: top-level permissions must be {{}}"
    assert "concurrency" in wf, f"{path.name}: no concurrency group"
    for name, job in wf["jobs"].items():
        perms = job.get("permissions")
        assert isinstance(perms, dict), f"{path.name}:{name}: no job-level permissions"
        writes = {k for k, v in perms.items() if v == "write"}
        assert writes <= {"pages", "id-token"}, f"{path.name}:{name}: writes {writes}"
        if writes:
            assert uses(job) == ["actions/deploy-pages"], \
                f"{path.name}:{name}: write permissions outside the Pages deploy job"
        assert "timeout-minutes" in job, f"{path.name}:{name}: no timeout"
        for step in steps(job):
            if step.get("uses", "").startswith("actions/checkout@"):
                assert step.get("with", {}).get("persist-credentials") is False, \
                    f"{path.name}:{name}: checkout keeps the token on disk"
            # Expressions go through env:, never straight into a shell script.
            assert "${{" not in step.get("run", ""), f"{path.name}:{name}: ${{{{ }}}} in run:"


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_nothing_is_uploaded_or_cached_but_the_public_site(path: Path) -> None:
    text = path.read_text()
    for forbidden in ("actions/upload-artifact", "actions/cache", "actions/download-artifact"):
        assert forbidden not in text, f"{path.name}: {forbidden}"
    wf = load(path)
    for name, job in wf["jobs"].items():
        for step in steps(job):
            assert "cache" not in step.get("with", {}), f"{path.name}:{name}: a cache"
            if step.get("uses", "").startswith("actions/upload-pages-artifact@"):
                assert step["with"]["path"] == "site/public", step
                assert "--public" in runs(job) and "--members" not in runs(job), name
                assert not re.search(r"kb build(?!.*--public)", runs(job)), name


def test_pull_requests_check_build_test_and_summarise_the_public_surface() -> None:
    wf = workflow("pull-request.yml")
    assert set(wf["on"]) == {"pull_request"}, "pull_request only (never pull_request_target)"
    assert wf["concurrency"]["cancel-in-progress"] is True
    text = (WORKFLOWS / "pull-request.yml").read_text()
    assert "secrets." not in text and "environment:" not in text
    (job,) = wf["jobs"].values()
    script = runs(job)
    assert "kb check --format github" in script
    assert re.search(r"kb build\s*$", script, re.M), "both sites are built"
    assert "pytest" in script
    assert re.search(r'kb audit --against "origin/\$BASE_REF"', script)
    assert "$GITHUB_STEP_SUMMARY" in script
    audit = next(s for s in steps(job) if "kb audit" in s.get("run", ""))
    assert audit["env"]["BASE_REF"] == "${{ github.base_ref }}"
    checkout = next(s for s in steps(job) if s.get("uses", "").startswith("actions/checkout@"))
    assert checkout["with"]["fetch-depth"] == 0, "the audit needs the base branch"


def test_main_deploys_public_to_pages_and_members_only_to_the_gateway() -> None:
    wf = workflow("deploy.yml")
    assert wf["on"]["push"]["branches"] == ["main"]
    assert wf["concurrency"]["cancel-in-progress"] is False, "a deploy is never cut off midway"
    jobs = wf["jobs"]
    # Pages: the official actions, in the github-pages environment.
    pages = [n for n, j in jobs.items() if "actions/deploy-pages" in uses(j)]
    assert len(pages) == 1
    assert jobs[pages[0]]["environment"]["name"] == "github-pages"
    assert any("actions/upload-pages-artifact" in uses(j) for j in jobs.values())
    # Members: built in the very job that ships it, behind the protected environment, and the
    # only job that sees the deploy secrets.
    members = [n for n, j in jobs.items() if "kb build --members" in runs(j)]
    assert len(members) == 1, members
    job = jobs[members[0]]
    assert job["environment"]["name"] == "members"
    assert "scripts/deploy-members.sh site/members" in runs(job)
    assert set(uses(job)) == {"actions/checkout"}, uses(job)
    for name, other in jobs.items():
        text = yaml.safe_dump(other)
        if name != members[0]:
            assert "secrets." not in text, f"{name} sees secrets"
            assert "--members" not in runs(other) and "deploy-members" not in runs(other)
            assert not re.search(r"kb build\s*$", runs(other), re.M), f"{name} builds members"
    env = {s["env"][k] for s in steps(job) if "env" in s for k in s["env"]}
    assert env == {f"${{{{ secrets.MEMBERS_SSH_{k} }}}}"
                   for k in ("HOST", "USER", "KEY", "KNOWN_HOSTS", "PATH")}
    # Every deploy waits for the tests.
    for name in (n for n in jobs if n != "test"):
        assert jobs[name].get("needs"), f"{name} does not wait for anything"


# -- scripts/deploy-members.sh ----------------------------------------------------------------
@pytest.fixture
def fake_tools(tmp_path: Path) -> tuple[Path, Path]:
    """rsync and ssh stand-ins that record how they were called (and the key's mode)."""
    bin_dir, log = tmp_path / "bin", tmp_path / "calls.log"
    bin_dir.mkdir()
    (bin_dir / "rsync").write_text(
        "#!/usr/bin/env bash\n"
        f'printf "%s\\n" "$@" > "{log}"\n'
        'key=$(printf "%s\\n" "$@" | sed -n "s/.*-i \\([^ ]*\\) .*/\\1/p" | head -1)\n'
        f'stat -c "%a" "$key" >> "{log}.keymode"\n'
        f'cat "$key" >> "{log}.key"\n')
    (bin_dir / "ssh").write_text("#!/usr/bin/env bash\nexit 99\n")
    for f in bin_dir.iterdir():
        f.chmod(f.stat().st_mode | stat.S_IXUSR)
    return bin_dir, log


def _run_deploy(site: Path, bin_dir: Path, **env: str) -> subprocess.CompletedProcess[str]:
    base = {"PATH": f"{bin_dir}:{os.environ['PATH']}", "HOME": os.environ.get("HOME", "/tmp")}
    return subprocess.run(["bash", str(DEPLOY_SCRIPT), str(site)], env={**base, **env},
                          capture_output=True, text=True, timeout=30, check=False)


SECRETS = {"MEMBERS_SSH_HOST": "gateway.example.invalid", "MEMBERS_SSH_USER": "kbdeploy",
           "MEMBERS_SSH_KEY": "-----BEGIN OPENSSH PRIVATE KEY-----\nfake\n",
           "MEMBERS_SSH_KNOWN_HOSTS": "gateway.example.invalid ssh-ed25519 AAAAfake",
           "MEMBERS_SSH_PATH": "/srv/kb/members"}


def test_deploy_script_ships_with_rsync_and_a_checked_host_key(tmp_path: Path,
                                                               fake_tools: tuple[Path, Path]):
    bin_dir, log = fake_tools
    site = tmp_path / "members"
    site.mkdir()
    (site / "index.html").write_text("<!doctype html>")
    (site / "404.html").write_text("<!doctype html>")
    result = _run_deploy(site, bin_dir, **SECRETS)
    assert result.returncode == 0, result.stderr
    args = log.read_text().splitlines()
    assert "--delete" in args and "--delay-updates" in args and "--chmod=D755,F644" in args
    assert args[-2:] == [f"{site}/", "kbdeploy@gateway.example.invalid:/srv/kb/members/"]
    ssh = args[args.index("-e") + 1]
    assert "StrictHostKeyChecking=yes" in ssh and "BatchMode=yes" in ssh
    assert "UserKnownHostsFile=" in ssh and "IdentitiesOnly=yes" in ssh
    assert (log.parent / "calls.log.keymode").read_text().strip() == "600"
    assert "fake" in (log.parent / "calls.log.key").read_text()
    key_path = re.search(r"-i (\S+)", ssh).group(1)  # type: ignore[union-attr]
    assert not Path(key_path).exists(), "the key outlived the deploy"


def test_deploy_script_refuses_without_secrets_or_a_site(tmp_path: Path,
                                                         fake_tools: tuple[Path, Path]) -> None:
    bin_dir, log = fake_tools
    site = tmp_path / "members"
    site.mkdir()
    (site / "index.html").write_text("x")
    (site / "404.html").write_text("x")
    for missing in SECRETS:
        env = {k: v for k, v in SECRETS.items() if k != missing}
        result = _run_deploy(site, bin_dir, **env)
        assert result.returncode == 2 and missing in result.stderr
    empty = tmp_path / "empty"
    empty.mkdir()
    result = _run_deploy(empty, bin_dir, **SECRETS)
    assert result.returncode == 2 and "not a built site" in result.stderr
    assert not log.exists(), "rsync ran although the deploy was refused"
