"""Property: for any small knowledge base, no members-only word reaches the public site,
and every members-only word is in the members site (so the property cannot hold vacuously)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kbtools.core.site.plan import Site

from .conftest import Project, site_text

VISIBILITIES = ("public", "members", None, "draft")


@dataclass
class Planned:
    """Words placed in a generated knowledge base, by where they must (not) appear."""

    secret: set[str] = field(default_factory=set)  # members-only: members site only
    public: set[str] = field(default_factory=set)  # in both sites
    nowhere: set[str] = field(default_factory=set)  # drafts: neither site


topic_strategy = st.fixed_dictionaries({
    "visibility": st.sampled_from(VISIBILITIES),
    "audience": st.sampled_from(["[publisher]", "[advertiser]", "[publisher, advertiser]"]),
    "passages": st.integers(0, 2),
    "headings": st.integers(0, 2),
    "tagged": st.booleans(),
    "folder": st.sampled_from(["", "a", "a/b", "c"]),
})


def write_kb(p: Project, specs: list[dict]) -> Planned:
    counter = itertools.count()
    planned = Planned()

    def word(kind: str) -> str:
        return f"zq{kind}{next(counter)}x"

    paths = [f"{s['folder']}/t{i}.md".lstrip("/") for i, s in enumerate(specs)]
    linkable = [path for path, s in zip(paths, specs, strict=True) if s["visibility"] != "draft"]
    for i, (path, spec) in enumerate(zip(paths, specs, strict=True)):
        vis = spec["visibility"]
        own = planned.nowhere if vis == "draft" else (
            planned.public if vis == "public" else planned.secret)
        title, body_word, tag = word("title"), word("body"), word("tag")
        own.update({title, body_word})
        lines = ["---", f'title: "Question {title}?"', f"audience: {spec['audience']}",
                 f'summary: "Summary of {title}."']
        if vis == "draft":
            lines += ["visibility: public", "draft: true"]
        elif vis is not None:
            lines.append(f"visibility: {vis}")
        if spec["tagged"]:
            lines.append(f"tags: [{tag}]")
            own.add(tag)
        lines += ["---", "", f"The answer mentions {body_word} plainly.", ""]
        for _ in range(spec["headings"]):
            h = word("head")
            own.add(h)
            lines += [f"## Heading {h}", "", "Text under it.", ""]
        for k in range(spec["passages"]):
            secret, ph = word("pass"), word("phead")
            # Inside a public topic the passage is members-only; in a draft it is nowhere.
            (planned.nowhere if vis == "draft" else planned.secret).update({secret, ph})
            target = linkable[(i + k) % len(linkable)] if linkable else None
            link = ""
            if target and vis != "draft":
                rel = Path(target).relative_to(Path(path).parent) if Path(target).parent == \
                    Path(path).parent else None
                link = f" See [the other]({rel})." if rel else ""
            lines += ["/// members", f"## Members {ph}", "", f"Secret words {secret} here.{link}",
                      "///", ""]
        p.write(path, "\n".join(lines) + "\n")
    # A public word can also appear in a members topic; only exclusive words are secret.
    planned.secret -= planned.public
    return planned


@settings(max_examples=8, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(specs=st.lists(topic_strategy, min_size=1, max_size=5))
def test_no_members_word_reaches_public(tmp_path_factory, specs: list[dict]) -> None:
    p = Project(tmp_path_factory.mktemp("prop") / "kb")
    planned = write_kb(p, specs)
    public = site_text(p.build(Site.PUBLIC))
    members = site_text(p.build(Site.MEMBERS))
    for w in planned.secret:
        assert w not in public, w
        assert w in members, w
    for w in planned.public:
        assert w in public, w
    for w in planned.nowhere:
        assert w not in public and w not in members, w
