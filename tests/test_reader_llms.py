"""llms.txt: the answers for AI assistants. Other documentation tools have leaked hidden pages
through exactly this file, so it gets the canary treatment (absent from the public file, present
in the members one) and the audit reads it like every other file."""

from __future__ import annotations

from pathlib import Path

import pytest

from kbtools.core import audit, secrets
from kbtools.core.loading import load
from kbtools.core.sites import Site

from .conftest import Project, topic
from .test_leaks import CANARIES, write_canary_kb

# The constructs a list of topics could carry: titles, summaries and addresses.
IN_A_LISTING = ("title", "summary", "slug", "novisibility")


@pytest.fixture(scope="module")
def llms(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    p = Project(tmp_path_factory.mktemp("llms") / "kb")
    write_canary_kb(p)
    public, members = p.build(Site.PUBLIC), p.build(Site.MEMBERS)
    return ((public / "llms.txt").read_text().lower(),
            (members / "llms.txt").read_text().lower())


@pytest.mark.parametrize("construct", sorted(CANARIES))
def test_no_canary_in_the_public_llms_txt(llms: tuple[str, str], construct: str) -> None:
    public, members = llms
    assert CANARIES[construct] not in public
    if construct in IN_A_LISTING:
        assert CANARIES[construct] in members


def test_public_llms_txt_lists_the_public_topics(llms: tuple[str, str]) -> None:
    public, _ = llms
    assert "- [how do i open the guide?](https://support.example.invalid/guides/open/): " \
           "open it from the start page." in public


def kb(tmp_path: Path):
    content = tmp_path / "content"
    (content / "guides").mkdir(parents=True)
    (content / "guides/open.md").write_text(topic(
        "How do I open the account page?", summary='"From the menu."'))
    (content / "guides/secret.md").write_text(topic(
        "Where is the wombat console?", visibility="members",
        summary='"Members find the wombat console here."'))
    return load(content)


def run(tmp_path: Path, text: str) -> list[str]:
    site = tmp_path / "site"
    site.mkdir()
    (site / "llms.txt").write_text(text)
    expected = audit.Expectations(pages={"", "guides/open/"}, site_url="https://kb.test/",
                                  site_url_path="/")
    return sorted({d.code for d in audit.audit(site, secrets.collect(kb(tmp_path)), expected)})


def test_audit_accepts_a_public_llms_txt(tmp_path: Path) -> None:
    assert run(tmp_path, "# Site\n\n## Guides\n\n- [How do I open the account page?]"
                         "(https://kb.test/guides/open/): From the menu.\n") == []


@pytest.mark.parametrize(("line", "code"), [
    ("- [Where is the wombat console?](https://kb.test/guides/open/)", "KB500"),
    ("- [A page](https://kb.test/guides/secret/)", "KB501"),
    ("- [A page](/guides/secret/): Members find the wombat console here.", "KB500"),
])
def test_audit_catches_members_topics_in_llms_txt(tmp_path: Path, line: str, code: str) -> None:
    assert code in run(tmp_path, f"# Site\n\n{line}\n")
