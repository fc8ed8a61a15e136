"""Help texts, `kb codes`, the generated docs/diagnostics.md, the guide and the git hooks."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from kbtools.core.model.codes import CODES
from kbtools.core.reports import codes_doc

from .conftest import kb_cli as kb

ROOT = Path(__file__).resolve().parent.parent
COMMANDS = ["build", "check", "new", "serve", "audit", "mv", "stale", "codes", "schema"]


def test_kb_help_names_every_command_with_an_example() -> None:
    result = kb("--help")
    assert result.exit_code == 0
    for command in COMMANDS:
        assert re.search(rf"^  {command}\s+\S", result.stdout, re.M), command
    assert 'kb new "' in result.stdout and "kb check" in result.stdout
    assert "..." not in result.stdout.split("Commands:")[1]  # short help is never cut


@pytest.mark.parametrize("command", COMMANDS)
def test_each_command_help_stands_alone(command: str) -> None:
    result = kb(command, "--help")
    assert result.exit_code == 0
    assert result.stdout.startswith(f"Usage: kb {command} ")
    body = result.stdout.split("Options:")[0]
    assert len(body.split()) > 12, body  # more than a one-liner
    assert kb(command, "-h").stdout == result.stdout


def test_check_help_documents_exit_codes_and_formats() -> None:
    out = kb("check", "--help").stdout
    for words in ("0 no errors", "1 errors", "2 wrong usage", "--format", "github", "json",
                  "--strict"):
        assert words in out


def test_diagnostics_md_is_current() -> None:
    committed = (ROOT / "docs/diagnostics.md").read_text(encoding="utf-8")
    assert committed == codes_doc.markdown(), \
        "regenerate it: kb codes --markdown > docs/diagnostics.md"


def test_diagnostics_md_lists_every_code_with_example_and_fix() -> None:
    text = (ROOT / "docs/diagnostics.md").read_text(encoding="utf-8")
    headings = re.findall(r"^#### (KB\d{3}): ", text, re.M)
    assert headings == list(CODES)
    for code in CODES.values():
        section = text.split(f"#### {code.id}: ", 1)[1].split("\n#", 1)[0]
        assert f"- example: {code.example}" in section
        assert f"- fix: {code.fix}" in section
        assert f"- severity: {code.severity.value}" in section


def test_kb_codes() -> None:
    listing = kb("codes")
    assert listing.exit_code == 0
    assert len(listing.stdout.splitlines()) == len(CODES)
    one = kb("codes", "kb300")
    assert one.exit_code == 0
    assert one.stdout.startswith("# KB300: link target does not exist in this site")
    assert CODES["KB300"].fix in one.stdout
    bad = kb("codes", "KB999")
    assert bad.exit_code == 2
    assert bad.stderr == "kb codes: KB999: no such code; `kb codes` lists them\n"
    assert kb("codes", "--markdown").stdout == codes_doc.markdown()


def test_writers_guide_covers_the_loop() -> None:
    guide = (ROOT / "docs/writers-guide.md").read_text(encoding="utf-8")
    for words in ("## Add a topic", "## Mark a members-only passage", "## Link topics",
                  "## Read an error", "/// members", "kb new", "kb check", "kb serve",
                  "kb mv", "kb audit", "kb stale", "schema/topic.schema.json",
                  "yaml-language-server: $schema=", "yaml.schemas", "problemMatcher"):
        assert words in guide, words
    # Every code the guide names exists.
    assert set(re.findall(r"KB\d{3}", guide)) <= set(CODES)


def test_guide_problem_matcher_reads_kb_check_output() -> None:
    guide = (ROOT / "docs/writers-guide.md").read_text(encoding="utf-8")
    regexp = re.search(r'"regexp": "(.+)",', guide).group(1).encode().decode("unicode_escape")
    line = ("content/a/b.md:22:39: error[KB300]: link `x.md`: topic `a/x.md` does not exist")
    m = re.match(regexp, line)
    assert m and m.groups() == ("content/a/b.md", "22", "39", "error", "KB300",
                                "link `x.md`: topic `a/x.md` does not exist")


def test_pre_commit_hook_definitions() -> None:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert [h["id"] for h in hooks] == ["kb-check"]
    hook = hooks[0]
    assert hook["entry"] == "kb check" and hook["language"] == "python"
    assert hook["pass_filenames"] is False and hook["name"]
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text())
    local = [h for r in config["repos"] if r["repo"] == "local" for h in r["hooks"]]
    assert [h["id"] for h in local] == ["kb-check"]
    assert local[0]["entry"] == ".venv/bin/kb check"
