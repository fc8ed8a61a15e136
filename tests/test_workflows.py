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


# -- the jobs that publish --------------------------------------------------------------------
LOCK = REPO / "requirements" / "deploy.txt"
INSTALL_LOCKED = REPO / "scripts" / "install-locked.sh"
DIGEST = re.compile(r"^[a-z0-9./_-]+:[A-Za-z0-9._-]+@sha256:[0-9a-f]{64}$")


def publishing_jobs() -> dict[str, dict[str, Any]]:
    """Jobs of deploy.yml that see a secret, run in a protected environment or publish."""
    jobs = workflow("deploy.yml")["jobs"]
    return {name: job for name, job in jobs.items()
            if "environment" in job or "secrets." in yaml.safe_dump(job)
            or "actions/upload-pages-artifact" in uses(job)}


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_containers_are_pinned_by_digest(path: Path) -> None:
    for name, job in load(path)["jobs"].items():
        container = job.get("container")
        if container is None:
            continue
        image = container if isinstance(container, str) else container["image"]
        assert DIGEST.match(image), f"{path.name}:{name}: {image} is not pinned by digest"


def test_only_main_ships_enforced_by_the_workflow_itself() -> None:
    """Not only the environments' branch rules (repository settings, which a setting change
    can undo): every job that publishes refuses to run for any other ref, including a manual
    run (workflow_dispatch) started on another branch."""
    jobs = publishing_jobs()
    assert {"members", "public-build", "public-deploy"} <= set(jobs), sorted(jobs)
    for name, job in jobs.items():
        assert job.get("if") == "github.ref == 'refs/heads/main'", f"{name}: if is {job.get('if')}"


def test_jobs_that_publish_install_only_from_the_hashed_lock_file() -> None:
    for name, job in publishing_jobs().items():
        script = runs(job)
        if "actions/deploy-pages" in uses(job):
            assert not script, f"{name} runs commands beside the Pages deploy"
            continue
        assert "scripts/install-locked.sh" in script, name
        assert "make install" not in script, f"{name}: make install resolves ranges"
        assert not re.search(r"\bpip3? install\b", script), f"{name}: pip install outside the lock"
        assert "npm " not in script and "curl " not in script, name
    text = INSTALL_LOCKED.read_text().replace("\\\n", " ")
    installs = re.findall(r'pip" install ([^\n]*)', text)
    assert len(installs) == 2, installs
    assert all(flag in installs[0] for flag in (
        "--require-hashes", "--no-deps", "--only-binary :all:", "-r requirements/deploy.txt"))
    assert all(flag in installs[1] for flag in ("--no-deps", "--no-build-isolation", "--no-index"))


def test_the_lock_file_is_hashed_and_satisfies_pyproject() -> None:
    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    try:
        import tomllib
    except ImportError:  # pragma: no cover - Python 3.10
        pytest.fail("Python 3.11+ is required (tomllib)")
    text = LOCK.read_text()
    options = [ln for ln in text.splitlines() if ln.startswith("-")]
    assert not options, f"options in the lock file (a local index or wheel folder?): {options}"
    assert "file://" not in text
    entries = re.findall(
        r"^([A-Za-z0-9_.-]+)==([^\s\\]+)((?:\s*\\\n\s*--hash=sha256:[0-9a-f]{64})+)", text, re.M)
    pinned = {canonicalize_name(n): v for n, v, _h in entries}
    lines = [ln for ln in text.splitlines() if re.match(r"^[A-Za-z0-9]", ln)]
    assert len(lines) == len(entries), "a requirement without a hash"
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    for spec in project["dependencies"]:
        req = Requirement(spec)
        name = canonicalize_name(req.name)
        assert name in pinned, f"{req.name} is not in {LOCK.name}"
        assert req.specifier.contains(pinned[name], prereleases=True), \
            f"{LOCK.name} pins {req.name}=={pinned[name]}, pyproject.toml wants {req.specifier}"
    assert "setuptools" in pinned, "the build backend (--no-build-isolation) is not locked"
