"""`kb audit`: the public surface, and its change against a git ref."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from .conftest import PNG, Project, topic
from .conftest import kb_cli as kb


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", "-c",
                    "commit.gpgsign=false", *args], cwd=root, check=True, capture_output=True)


@pytest.fixture
def repo(project: Project, monkeypatch: pytest.MonkeyPatch) -> Project:
    project.write("accounts/reset.md", topic("How do I reset my password?",
                                             audience="[publisher, advertiser]",
                                             body="![s](shot.png)\n\n/// members\nZQXmembers\n///"))
    project.write("accounts/shot.png", PNG)
    project.write("accounts/change.md", topic("How do I change it?"))
    project.write("accounts/secret-plan.md", topic("ZQX secret plan", visibility="members"))
    project.write("tools/api-keys.md", topic("ZQX api keys", visibility=None))
    project.write("tools/old.md", topic("Old | piped title", audience="[advertiser]"))
    project.write("tools/draft.md", topic("ZQX draft", draft="true"))
    monkeypatch.chdir(project.root)
    git(project.root, "init", "-q", "-b", "main")
    git(project.root, "add", ".")
    git(project.root, "commit", "-qm", "start")
    return project


def test_surface_lists_public_pages_only(repo: Project) -> None:
    result = kb("audit")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.startswith("# Public surface\n")
    assert ("https://support.example.invalid/ · 9 public pages (3 topics, 6 generated), "
            "2 members-only topics.") in out
    assert "| `/accounts/` | Accounts | all | generated |" in out  # a subject page
    assert ("| `/accounts/reset/` | How do I reset my password? | publisher, advertiser | "
            "`content/accounts/reset.md` |") in out
    assert "| `/tools/old/` | Old \\| piped title | advertiser |" in out
    assert "| `/for/publishers/` | For publishers | publisher | generated |" in out
    assert "| `/` |" in out and "| `/tags/` |" in out
    assert "## Files\n\n- `/accounts/shot.png`" in out
    assert "| Accounts | 1 |\n| Tools | 1 |" in out
    assert "zqx" not in out.lower()  # no members-only title, passage or draft


def test_against_a_ref(repo: Project) -> None:
    c = repo.content
    (c / "accounts/secret-plan.md").write_text(topic("Now public plan"))
    (c / "accounts/change.md").write_text(topic("How do I change my password?"))
    (c / "accounts/reset.md").write_text(topic("How do I reset my password?",
                                               audience="[publisher, advertiser]",
                                               body="Shorter.\n\n/// members\nZQXother\n///"))
    (c / "tools/old.md").unlink()
    (c / "tools/new.md").write_text(topic("New | piped title", audience="[advertiser]",
                                          aliases="[tools/old.md]"))
    (c / "tools/fresh.md").write_text(topic("Fresh"))
    result = kb("audit", "--against", "main")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.startswith("# Public surface: changes since `main`\n\n"
                          "**3 added, 1 removed, 2 changed public pages, 1 topic changed "
                          "visibility.** Members-only topics: 2 → 1.\n")
    assert "| `content/accounts/secret-plan.md` | members | **public** |" in out
    assert "| `/accounts/secret-plan/` | Now public plan | publisher |" in out
    assert "| `/tools/fresh/` | Fresh | publisher |" in out
    assert ("| `/tools/old/` | Old \\| piped title | advertiser | redirects to `/tools/new/` |"
            in out)
    assert ("| `/accounts/change/` | How do I change it? → How do I change my password? | "
            "title |") in out
    assert "| `/accounts/reset/` | How do I reset my password? | text |" in out
    assert "## Redirects added\n\n| From | To |\n|---|---|\n| `/tools/old/` | `/tools/new/` |" \
        in out
    assert "## Files removed\n\n- `/accounts/shot.png`" in out
    assert "zqx" not in out.lower()


def test_no_change_and_the_work_tree_untouched(repo: Project) -> None:
    status = subprocess.run(["git", "status", "--porcelain"], cwd=repo.root,
                            capture_output=True, text=True).stdout
    (repo.content / "accounts/secret-plan.md").write_text(topic("ZQX secret plan 2",
                                                                visibility="members"))
    result = kb("audit", "--against", "HEAD")
    assert result.exit_code == 0
    assert result.stdout == ("# Public surface: changes since `HEAD`\n\n"
                             "No change to the public surface.\n")
    after = subprocess.run(["git", "status", "--porcelain"], cwd=repo.root,
                           capture_output=True, text=True).stdout
    assert after == status + " M content/accounts/secret-plan.md\n"


def test_a_ref_without_the_content_folder(repo: Project) -> None:
    git(repo.root, "checkout", "-q", "--orphan", "empty")
    git(repo.root, "rm", "-rq", "--cached", ".")
    (repo.root / "README").write_text("x")
    git(repo.root, "add", "README")
    git(repo.root, "commit", "-qm", "empty")
    result = kb("audit", "--against", "empty")
    assert result.exit_code == 0, result.output
    # 3 topics and their 2 subject pages
    assert ("**5 added, 0 removed, 0 changed public pages.** Members-only topics: 0 → 2."
            in result.stdout)


@pytest.mark.parametrize("ref", ["nope", "--help", "main~5", ""])
def test_bad_ref_is_one_line(repo: Project, ref: str) -> None:
    result = kb("audit", "--against", ref)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert result.stderr.startswith("kb audit: `") and len(result.stderr.splitlines()) == 1


def test_outside_a_repository(project: Project, monkeypatch: pytest.MonkeyPatch,
                              tmp_path: Path) -> None:
    project.write("a.md", topic("A"))
    monkeypatch.chdir(project.root)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    result = kb("audit", "--against", "main")
    assert result.exit_code == 2
    assert "is not in a git repository" in result.stderr
    assert kb("audit").exit_code == 0


def test_errors_are_noted_on_stderr(repo: Project) -> None:
    repo.write("accounts/broken.md", topic("Broken", visibility="Public"))
    result = kb("audit")
    assert result.exit_code == 0
    assert "kb audit: note: the content has 1 error" in result.stderr
    assert "Broken" not in result.stdout
