"""The preview's memo (kbtools/core/model/memo.py) never changes a result.

`kb serve` runs the build's own checks and audit secrets on every save, with per-topic work
looked up by content. Here the same series of edits is checked twice, with a memo kept across
the edits and with none: the findings and the audit's secrets must be the same every time,
including the findings a save causes in *other* topics (a link into an edited heading).
"""

from __future__ import annotations

from pathlib import Path

from kbtools.core.checks.findings import check_content
from kbtools.core.model.memo import Memo
from kbtools.core.output import secrets
from kbtools.core.reading import facts as contact_facts
from kbtools.core.reading.loading import load
from kbtools.plugin.probe import renderer_for_file

from .conftest import Project, topic


def _run(project: Project) -> tuple[list[str], list[tuple[str, str]], list[str], list[str]]:
    kb = load(project.content, display_base=project.root)
    checked = check_content(kb, contact_facts.Facts({}), renderer_for_file(project.config))
    found = secrets.collect(checked.kb, ["CJ Client Support"], readings=checked.readings)
    phrases = sorted((p, o.path) for p, o in found.phrases._origins.items())
    return ([d.format_text() for d in checked.findings], phrases, sorted(found.urls),
            sorted(found.files))


EDITS: list[tuple[str, str]] = [
    # A heading another topic links to is renamed: the link there breaks.
    ("a/target.md", topic("Target", body="## Renamed heading\n\nWords of the target.")),
    # And back: fixed in the other topic, with nothing written there.
    ("a/target.md", topic("Target", body="## The heading\n\nWords of the target.")),
    # A members passage is added to a public topic, then its words go public elsewhere.
    ("a/target.md", topic("Target", body="## The heading\n\nWords.\n\n/// members\n"
                          "Only members read this sentence here.\n///")),
    ("a/other.md", topic("Other", body="[the heading](target.md#the-heading)\n\n"
                         "Only members read this sentence here.")),
    # A members topic's body changes; a topic becomes members-only.
    ("a/secret.md", topic("Secret", visibility="members", body="New members words, many.")),
    ("a/other.md", topic("Other", visibility="members",
                         body="[the heading](target.md#the-heading)")),
    # A topic breaks its front matter, then a new topic appears.
    ("a/target.md", "---\ntitle: [unclosed\n---\nBody.\n"),
    ("a/new.md", topic("New", body="[the secret](secret.md)")),
]


def test_the_memo_gives_what_a_fresh_run_gives(project: Project, tmp_path: Path) -> None:
    project.write("a/target.md", topic("Target", body="## The heading\n\nWords of the target."))
    project.write("a/other.md", topic("Other", body="[the heading](target.md#the-heading)"))
    project.write("a/secret.md", topic("Secret", visibility="members",
                                       body="Members words, a few of them."))
    memo = Memo()
    for path, text in [("", ""), *EDITS]:
        if path:
            project.write(path, text)
        fresh = _run(project)
        memo.next_generation()
        with memo.active():
            remembered = _run(project)
        assert remembered == fresh, path
    assert memo.hits > 0  # the memo was used: unchanged topics were not read again
    assert any("KB30" in line for line in fresh[0])  # the edits did make findings
