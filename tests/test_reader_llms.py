"""llms.txt: the answers for AI assistants. Other documentation tools have leaked hidden pages
through exactly this file, so it gets the canary treatment (absent from the public file, present
in the members one) and the audit reads it like every other file."""

from __future__ import annotations

from pathlib import Path

import pytest

from kbtools.core.output import leak_audit as audit
from kbtools.core.output import secrets
from kbtools.core.reading.loading import load
from kbtools.core.site import pages
from kbtools.core.site import plan as sites
from kbtools.core.site.plan import Site, SitePlan
from kbtools.plugin import theme as reader

from .conftest import Project, assert_refused, topic, tree_digest
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


# The audit is the net under the generated output: a generator that lists members topics
# (a bug simulated here) gets the build refused, for llms.txt and for subject pages alike.

def _canary_project(tmp_path: Path) -> tuple[Project, Path, dict[str, bytes]]:
    p = Project(tmp_path / "kb")
    write_canary_kb(p)
    out = p.build(Site.PUBLIC)
    return p, out, tree_digest(out)


def _all_topics(plan: SitePlan) -> SitePlan:
    return sites.plan(plan.kb, Site.MEMBERS)


def test_a_members_topic_in_llms_txt_is_refused(tmp_path: Path, caplog,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    p, out, before = _canary_project(tmp_path)
    real = reader.seo.llms_txt
    monkeypatch.setattr(reader.seo, "llms_txt", lambda topics, **kw: real(
        list(topics) + [t for t in load(p.content).topics.values() if not t.is_public], **kw))
    assert_refused(p, out, before, caplog, "llms.txt", CANARIES["title"])


def test_a_members_topic_on_a_subject_page_is_refused(tmp_path: Path, caplog,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    p, out, before = _canary_project(tmp_path)
    real = pages._subject
    monkeypatch.setattr(pages, "_subject", lambda plan, folder, group, *a: real(
        plan, folder, list(_all_topics(plan).topics.values()), *a))
    assert_refused(p, out, before, caplog, "guides/index.html", CANARIES["title"])
