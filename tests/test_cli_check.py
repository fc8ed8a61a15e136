"""`kb check`: exit codes, the three formats, PATHS, and every bad input in one line."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
from click.testing import Result

from kbtools.core.checks import content as checks
from kbtools.core.reading.loading import load
from kbtools.core.reading.project import read_project
from kbtools.core.site import pages

from .bad_inputs import BAD_TOPICS
from .conftest import PNG, Project, topic
from .conftest import kb_cli as kb

ROOT = Path(__file__).resolve().parent.parent



@pytest.fixture
def kbdir(project: Project, monkeypatch: pytest.MonkeyPatch) -> Project:
    """A small clean knowledge base; the tests run in its folder, as writers do."""
    project.write("accounts/reset.md", topic(
        "How do I reset my password?", summary='"Use Login Help."',
        body="""
        Open [Login Help][login-help]. See [changing it](change.md).

        ## Steps

        1. Submit your email.
        """))
    project.write("accounts/change.md", topic(
        "How do I change my password?", summary='"Under User Settings."',
        body="## Steps\n\nGo to [reset](reset.md) first."))
    (project.root / ".git").mkdir()  # a repository root, for GitHub's repository paths
    monkeypatch.chdir(project.root)
    return project


def lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


def test_clean_knowledge_base_exits_0(kbdir: Project) -> None:
    result = kb("check")
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert re.fullmatch(r"kb check: no problems in 2 topics \(\d+\.\d\d s\)\n", result.stderr)


def test_errors_exit_1_with_file_line_column_code_and_hint(kbdir: Project) -> None:
    kbdir.write("accounts/change.md", topic("How do I change my password?", summary='"S."',
                                            body="## Steps\n\nGo to [reset](reste.md) first."))
    result = kb("check")
    assert result.exit_code == 1
    assert result.stdout == (
        "content/accounts/change.md:10:15: error[KB300]: link `reste.md`: topic "
        "`accounts/reste.md` does not exist\n"
        "    hint: did you mean `accounts/reset.md`?\n")  # once, though both sites have it
    assert "1 error in 2 topics" in result.stderr


def test_text_is_diagnostic_format_text_and_coloured_only_when_asked(kbdir: Project) -> None:
    kbdir.write("accounts/change.md", topic("Q", body="[x](nope.md)"))
    kbdir.write("accounts/members.md", topic("M", visibility="members", summary=None))
    plain = kb("check")
    found = checks.check(load(kbdir.content), reserved=pages.RESERVED)
    assert plain.stdout == "".join(d.format_text() + "\n" for d in found)
    assert "\x1b[" not in plain.output
    coloured = kb("check", color=True)
    assert "\x1b[31m" in coloured.stdout and "\x1b[33m" in coloured.stdout  # error, warning
    assert re.sub(r"\x1b\[[\d;]*m", "", coloured.stdout) == plain.stdout


def test_no_color_turns_colour_off(kbdir: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    kbdir.write("accounts/change.md", topic("Q", body="[x](nope.md)"))
    monkeypatch.setenv("NO_COLOR", "1")
    assert "\x1b[" not in kb("check", color=True).output


def test_warnings_pass_unless_strict(kbdir: Project) -> None:
    kbdir.write("accounts/old.md", topic("How do I change my password?", visibility="members",
                                         summary=None, review_by="2020-01-01"))
    result = kb("check")
    assert result.exit_code == 0
    assert {"KB120", "KB121"} <= set(re.findall(r"warning\[(KB\d+)\]", result.stdout))
    assert "2 warnings" in result.stderr
    assert kb("check", "--strict").exit_code == 1


def test_json_lines_follow_the_documented_schema(kbdir: Project) -> None:
    kbdir.write("accounts/other.md", topic("Q", body="[x](reset.md#nope)\n\n/// members\nA",
                                           visibility="members", summary=None))
    result = kb("check", "--format", "json")
    assert result.exit_code == 1
    schema = json.loads((ROOT / "schema" / "diagnostic.schema.json").read_text())
    objects = [json.loads(line) for line in result.stdout.splitlines()]
    for obj in objects:
        jsonschema.validate(obj, schema)
    assert {o["code"] for o in objects} >= {"KB200", "KB120"}
    assert all(o["path"] == "content/accounts/other.md" for o in objects)


def test_json_of_a_clean_knowledge_base_is_empty(kbdir: Project) -> None:
    result = kb("check", "--format", "json")
    assert result.exit_code == 0 and result.stdout == ""


_ANNOTATION = re.compile(r"^::(?P<level>error|warning) (?P<props>[^:]*)::(?P<message>.*)$")


def parse_github(output: str) -> list[dict[str, str]]:
    """GitHub workflow commands back into their parts, unescaped as the runner does."""
    def unescape(value: str) -> str:
        return (value.replace("%0A", "\n").replace("%0D", "\r").replace("%3A", ":")
                .replace("%2C", ",").replace("%25", "%"))

    found = []
    for line in output.splitlines():
        m = _ANNOTATION.match(line)
        assert m, f"not a workflow command: {line!r}"
        props = dict(p.split("=", 1) for p in m.group("props").split(","))
        found.append({"level": m.group("level"), "message": unescape(m.group("message")),
                      **{k: unescape(v) for k, v in props.items()}})
    return found


@pytest.mark.parametrize("case", sorted(BAD_TOPICS))
def test_github_annotations_point_at_each_bad_topic(kbdir: Project, case: str) -> None:
    data, code, line = BAD_TOPICS[case]
    kbdir.write("accounts/bad: one, two%.md", data)
    result = kb("check", "--format", "github")
    assert result.exit_code == 1
    annotations = parse_github(result.stdout)
    mine = [a for a in annotations if a["title"] == code]
    assert mine, annotations
    assert mine[0]["file"] == "content/accounts/bad: one, two%.md"
    assert mine[0]["level"] == "error"
    assert int(mine[0].get("line", 0)) == line
    if line:
        assert int(mine[0]["col"]) >= 1


def test_github_paths_are_from_the_repository_root(kbdir: Project,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    kbdir.write("accounts/change.md", topic("Q", summary='"S."', body="[x](nope.md)"))
    monkeypatch.chdir(kbdir.content / "accounts")  # mkdocs.yml is found in a parent folder
    text = kb("check")  # from outside the content folder, text shows absolute paths
    assert text.stdout.startswith(f"{kbdir.content / 'accounts/change.md'}:8:5: error[KB300]")
    annotations = parse_github(kb("check", "--format", "github").stdout)
    assert {a["file"] for a in annotations} == {"content/accounts/change.md"}
    assert {(a["line"], a["col"], a["title"]) for a in annotations} == {("8", "5", "KB300")}
    assert "nope.md" in annotations[0]["message"] and "\n" not in annotations[0]["title"]


def test_paths_report_only_their_findings(kbdir: Project) -> None:
    kbdir.write("accounts/change.md", topic("Q", summary='"S."', body="[x](nope.md)"))
    kbdir.write("other/fine.md", topic("Fine", summary='"S."'))
    only_reset = kb("check", "content/accounts/reset.md")
    assert only_reset.exit_code == 0 and only_reset.stdout == ""
    assert "in 1 of 3 topics" in only_reset.stderr
    change = kb("check", "content/accounts/change.md")
    assert change.exit_code == 1 and "content/accounts/change.md:8:5" in change.stdout
    folder = kb("check", "content/accounts")
    assert folder.exit_code == 1 and "in 2 of 3 topics" in folder.stderr
    assert kb("check", "content/other", "content/accounts/reset.md").exit_code == 0
    assert kb("check", "content").exit_code == 1


def test_a_path_reports_breakage_caused_elsewhere(kbdir: Project) -> None:
    # The whole knowledge base is checked: deleting change.md breaks reset.md's link.
    (kbdir.content / "accounts/change.md").unlink()
    result = kb("check", "content/accounts/reset.md")
    assert result.exit_code == 1 and "KB300" in result.stdout


def one_line_refusal(result: Result, exit_code: int, *words: str) -> None:
    assert result.exit_code == exit_code, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    assert len(lines(result.stderr)) == 1, result.stderr
    for word in words:
        assert word in result.stderr


def test_missing_path(kbdir: Project) -> None:
    one_line_refusal(kb("check", "content/accounts/nope.md"), 2,
                     "kb check: content/accounts/nope.md: no such file or folder")


def test_path_outside_content(kbdir: Project) -> None:
    (kbdir.root / "notes.md").write_text(topic("Q"))
    one_line_refusal(kb("check", "notes.md"), 2, "notes.md: outside the content folder")
    one_line_refusal(kb("check", str(kbdir.root.parent)), 2, "outside the content folder")
    one_line_refusal(kb("check", "content/../mkdocs.yml"), 2, "outside the content folder")


def test_non_markdown_path(kbdir: Project) -> None:
    kbdir.write("accounts/shot.png", PNG)
    one_line_refusal(kb("check", "content/accounts/shot.png"), 2, "not a Markdown topic")


def test_symlink_leading_outside_content(kbdir: Project) -> None:
    secret = kbdir.root / "secret.md"
    secret.write_text(topic("Secret"))
    (kbdir.content / "accounts/link.md").symlink_to(secret)
    one_line_refusal(kb("check", "content/accounts/link.md"), 2,
                     "a symlink leading outside the content folder")
    whole = kb("check")  # and the whole-KB check reports it as a finding
    assert whole.exit_code == 1 and "KB307" in whole.stdout


def test_hidden_path(kbdir: Project) -> None:
    kbdir.write(".drafts/x.md", topic("X"))
    one_line_refusal(kb("check", "content/.drafts/x.md"), 2, "hidden")


def test_several_bad_paths_one_line_each(kbdir: Project) -> None:
    result = kb("check", "a.md", "b.md", "content/accounts/reset.md")
    assert result.exit_code == 2
    assert lines(result.stderr) == ["kb check: a.md: no such file or folder",
                                    "kb check: b.md: no such file or folder"]


@pytest.mark.parametrize("data, code", [(b"", "KB101"), (b"  \n\n", "KB101"),
                                        (b"\x89PNG\r\n\x1a\n\x00\x00", "KB100"),
                                        (b"\xff\xfe\x00t\x00i", "KB100")],
                         ids=["empty", "blank", "binary", "utf-16"])
def test_empty_or_binary_topic_is_one_finding(kbdir: Project, data: bytes, code: str) -> None:
    kbdir.write("accounts/broken.md", data)
    result = kb("check", "content/accounts/broken.md")
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    first = lines(result.stdout)[0]
    assert first.startswith("content/accounts/broken.md") and f"error[{code}]" in first
    assert len([line for line in lines(result.stdout) if "error[" in line]) == 1


def test_no_configuration(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    one_line_refusal(kb("check"), 2, "no mkdocs.yml here or in a parent folder")
    one_line_refusal(kb("check", "-f", "missing.yml"), 2, "missing.yml: no such configuration")
    (tmp_path / "mkdocs.yml").write_text("site_name: [unclosed\n")
    one_line_refusal(kb("check"), 2, "not valid YAML")
    (tmp_path / "mkdocs.yml").write_text("site_name: x\ndocs_dir: nowhere\n")
    one_line_refusal(kb("check"), 2, "does not exist")


def test_unreadable_topic_is_one_line(kbdir: Project) -> None:
    if os.geteuid() == 0:
        pytest.skip("root reads every file")
    path = kbdir.write("accounts/locked.md", topic("Locked"))
    path.chmod(0)
    try:
        one_line_refusal(kb("check"), 1, "Permission denied")
    finally:
        path.chmod(0o644)


def test_the_config_option_and_env_tags(kbdir: Project, tmp_path: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = kb("check", "-f", str(kbdir.config))
    assert result.exit_code == 0, result.output


def test_real_process_without_the_build(kbdir: Project) -> None:
    # The entry point as installed; kb check reads the Markdown set-up with MkDocs' config
    # option (so it renders passages like a build), but loads no theme, plugin or build.
    kbdir.write("accounts/change.md", topic("Q", summary='"S."', body="[x](nope.md)"))
    code = ("import sys; from kbtools.cli import main\n"
            "try:\n    main(['check', '--format', 'json'])\n"
            "except SystemExit as e:\n"
            "    assert not [m for m in sys.modules if m.split('.')[0] == 'material'\n"
                "                or m.startswith(('mkdocs.commands', 'mkdocs.livereload'))]\n"
            "    raise\n")
    env = {**os.environ, "NO_COLOR": "1"}
    done = subprocess.run([sys.executable, "-c", code], cwd=kbdir.root, capture_output=True,
                          text=True, env=env, timeout=60)
    assert done.returncode == 1, done.stderr
    assert json.loads(done.stdout.splitlines()[0])["code"] == "KB300"
    assert "Traceback" not in done.stderr
    kb_exe = Path(sys.executable).parent / "kb"
    if kb_exe.exists():
        clean = subprocess.run([str(kb_exe), "check", "content/accounts/reset.md"],
                               cwd=kbdir.root, capture_output=True, text=True, timeout=60)
        assert clean.returncode == 0, clean.stderr


def test_control_character_in_front_matter_is_not_a_traceback(kbdir: Project) -> None:
    kbdir.write("accounts/bell.md", b'---\ntitle: "bell \x07"\naudience: [publisher]\n---\n')
    result = kb("check")
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert "bell.md" in result.output or "cannot be read" in result.stderr


def test_contact_facts_are_checked(kbdir: Project) -> None:
    # The same check as the build: a number written out that is not a fact is an error.
    phone = read_project(kbdir.config).facts["support"]["phone"]  # the project's mkdocs.yml
    kbdir.write("accounts/call.md", topic("Call", summary='"S."',
                                          body=f"Call 1-800-555-0100 or {phone}."))
    result = kb("check", "content/accounts/call.md")
    assert result.exit_code == 1
    codes = set(re.findall(r"(?:error|warning)\[(KB\d+)\]", result.stdout))
    assert codes == {"KB601", "KB602"}


def test_broken_symlink(kbdir: Project) -> None:
    (kbdir.content / "accounts/dangling.md").symlink_to(kbdir.content / "accounts/nowhere.md")
    one_line_refusal(kb("check", "content/accounts/dangling.md"), 2, "a broken symlink")
    whole = kb("check")
    assert whole.exit_code == 1 and "Traceback" not in whole.output
    assert "dangling.md" in whole.output
