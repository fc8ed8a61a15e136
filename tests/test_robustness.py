"""Property: whatever a writer puts in content/, kbtools answers with diagnostics, never a
traceback.

Hypothesis writes small knowledge bases with generated front matter (known and unknown keys,
impossible and foreign dates, unicode, tabs, byte order marks, anchors, tags, broken quotes),
Markdown (links, anchors, headings, placeholders, members blocks open and closed, fences, raw
HTML, comments) and file names (unicode, bytes that are not UTF-8, spaces, newlines). For each:

- `kb check`, `kb build --public` and `kb build --members` (the plugin, in a real MkDocs build)
  end with exit status 0, or 1 with at least one diagnostic naming a file of content/;
- none of them prints a traceback or ends with an exception;
- `kb check` and the builds agree: a clean check builds both sites, an error refuses both.

CI runs KB_ROBUST_EXAMPLES examples (default 30, about 20 s); run it with more by hand:
`KB_ROBUST_EXAMPLES=500 .venv/bin/python -m pytest tests/test_robustness.py`.
"""

from __future__ import annotations

import io
import logging
import os
import re

from click.testing import CliRunner
from hypothesis import HealthCheck, event, example, given, note, settings
from hypothesis import strategies as st

from kbtools.cli import main

from .conftest import PNG, Project

EXAMPLES = int(os.environ.get("KB_ROBUST_EXAMPLES", "30"))
DIAGNOSTIC = re.compile(r"content/.*: (error|warning)\[KB\d+\]")

# Text a writer might type: letters of several scripts, punctuation YAML and Markdown care
# about, tabs and odd spaces.
WRITERS_TEXT = st.text(
    alphabet=st.one_of(
        st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")),
        st.sampled_from(list(":#[]{}&*!|>'\"%@`,\t -_/\\.\u00a0\u200b\u2028é漢ß")),
    ),
    max_size=24,
)

DATES = st.one_of(
    st.builds(lambda y, m, d: f"{y:04d}-{m:02d}-{d:02d}", st.integers(1990, 2100),
              st.integers(0, 14), st.integers(0, 33)),
    st.builds(lambda y, m, d: f"{d}/{m}/{y}", st.integers(2000, 2030), st.integers(1, 13),
              st.integers(1, 32)),
    st.sampled_from(["2026-02-30", "2026-13-01", "2027-04-31", "01/11/2026", "Nov 1, 2026",
                     "2026-11-01 10:00:00", '"2026-11-01"', "20261101", "2026-1-5"]),
)

VALUES = st.one_of(
    WRITERS_TEXT,
    DATES,
    st.sampled_from(["public", "members", "Public", "yes", "no", "true", "12", "~", "",
                     "[publisher]", "[publisher, advertiser]", "publishers", "[publishers]",
                     "[a, b", '"unclosed', "'single'", "&anchor x", "*anchor", "!!str x",
                     "[accounts/a.md]", "[../out.md]", "{a: b}", "- item", "Support: EMEA",
                     '"[[support.phone]]"', "[KB-0001]", "KB-0001"]),
)

KEYS = st.one_of(
    st.sampled_from(["title", "audience", "visibility", "summary", "tags", "related",
                     "aliases", "id", "owner", "updated", "review_by", "draft", "featured",
                     "titel", "audiences", "sumary", "Title", "review-by"]),
    WRITERS_TEXT.map(lambda k: k.strip() or "key"),
)

DATE_KEYS = st.sampled_from(["updated", "review_by"])
FM_LINE = st.one_of(
    st.builds(lambda k, v: f"{k}: {v}", DATE_KEYS, DATES),
    st.builds(lambda k, v: f"{k}: {v}", KEYS, VALUES),
    st.builds(lambda k, v: f"\t{k}: {v}", KEYS, VALUES),
    st.builds(lambda k, v: f"{k}:\n  - {v}", KEYS, VALUES),
    WRITERS_TEXT,
)

GOOD_HEAD = ['title: "A question?"', "audience: [publisher]", "visibility: public",
             'summary: "One sentence."']


def body_pieces(names: list[str]) -> st.SearchStrategy[str]:
    targets = st.one_of(st.sampled_from(names or ["x.md"]), WRITERS_TEXT,
                        st.sampled_from(["#a-heading", "nowhere.md", "../out.md", "/abs/",
                                         "https://example.com/", "pic.png", "page.html",
                                         "a%20b.md", "<a b.md>"]))
    return st.one_of(
        WRITERS_TEXT,
        st.builds(lambda t: f"## {t}", WRITERS_TEXT),
        st.builds(lambda t, u: f"[{t}]({u})", WRITERS_TEXT, targets),
        st.builds(lambda u, a: f"[see]({u}#{a})", targets, WRITERS_TEXT),
        st.builds(lambda u: f"![img]({u})", targets),
        st.builds(lambda u: f'<a href="{u}">x</a> <img src={u}>', targets),
        st.sampled_from(["/// members", "///", "//// members", "/// member", "/// Members",
                         "    ///", "/// members\nSecret.\n///", "!!! members \"M\"", "```",
                         "~~~", "<div markdown>", "</div>", "<!-- note", "-->", "<details>",
                         "[[support.phone]]", "[[support.fone]]", "## Call [[support.phone]]",
                         "call 1-800-555-0100", "> quote", "- item", "1. step", "\t- tab",
                         "[ref]: nowhere.md", "[Tip]: press twice.", "| a | b |", ""]),
    )


@st.composite
def file_names(draw: st.DrawFn) -> bytes:
    """A file name as bytes: usually UTF-8 text, sometimes bytes that are not UTF-8."""
    stem = draw(st.one_of(
        st.text(alphabet=st.characters(codec="utf-8", exclude_characters="/\x00",
                                       exclude_categories=("Cs",)), min_size=1, max_size=12)
        .map(lambda s: s.encode("utf-8")),
        st.binary(min_size=1, max_size=8).map(lambda b: b.replace(b"/", b"_")
                                              .replace(b"\x00", b"_")),
        st.sampled_from([b"a", b"with space", b"new\nline", b"caf\xe9", b"index", b"tags",
                         b"-dash", b".hidden", b"UPPER", b"tab\there"]),
    ))
    return stem[:60] + draw(st.sampled_from([b".md", b".md", b".md", b".MD", b".html", b""]))


SAFE_TEXT = st.text(alphabet=st.characters(codec="utf-8", categories=("L", "N", "Zs")),
                    min_size=1, max_size=20).map(lambda t: t.strip() or "word")
VALID_LINES = st.sampled_from(["tags: [login, passwords]", "updated: 2026-11-01",
                               "review_by: 2030-01-01", "owner: Support", "featured: true",
                               "visibility: members",
                               "audience: [publisher, advertiser]", "aliases: [old/path.md]"])


def careful_head(extra: list[str], number: int) -> list[str]:
    """GOOD_HEAD with ``extra`` lines replacing the keys they name (no key twice)."""
    keys = {line.split(":", 1)[0] for line in extra}
    head = [line for line in GOOD_HEAD if line.split(":", 1)[0] not in keys]
    return head + extra + [f"id: KB-{number:04d}"]


def clean_body(names: list[str]) -> st.SearchStrategy[str]:
    """Markdown a careful writer would write: it should build."""
    return st.one_of(
        SAFE_TEXT,
        st.builds(lambda t: f"## {t}", SAFE_TEXT),
        st.builds(lambda u: f"See [the other]({u}).", st.sampled_from(names or ["#top"])),
        st.builds(lambda t: f"/// members\nMembers: {t}.\n///", SAFE_TEXT),
        st.builds(lambda t: f"```\n[not a link]({t}.md)\n```", SAFE_TEXT),
        st.sampled_from(["Call [[support.phone]].", "- one\n- two", "> A quote.",
                         "A [printable form](page.html) and ![a picture](pic.png).",
                         "<!-- a comment -->", "!!! note\n    Careful.", "**bold** text"]),
    )


@st.composite
def knowledge_bases(draw: st.DrawFn) -> list[tuple[bytes, bytes]]:
    """(path, bytes) of every file of a small content folder: careful topics, and topics with
    one kind of mistake (so that it is the one the tools meet), or several."""
    slugs = st.from_regex(r"[a-z][a-z0-9-]{0,10}", fullmatch=True).map(lambda s: s + ".md")
    count = draw(st.integers(1, 3))
    kinds = draw(st.lists(st.sampled_from(["careful"] * 6 + ["name", "front", "body", "bytes",
                                                             "many"]),
                          min_size=count, max_size=count))
    paths = []
    for kind in kinds:
        name = draw(file_names()) if kind in ("name", "many") else draw(slugs).encode()
        folder = draw(st.sampled_from([b"", b"sub/"] + ([b"\xc3\xbc ber/", b"a\xffb/", b"n\nl/"]
                                                        if kind in ("name", "many") else [])))
        paths.append(folder + name)
    if len(set(paths)) < len(paths):
        paths = [p for i, p in enumerate(paths) if p not in paths[:i]]
        kinds = kinds[:len(paths)]
    texts = [os.fsdecode(p) for p in paths]
    files = []
    for number, (kind, path, shown) in enumerate(zip(kinds, paths, texts, strict=True), start=1):
        mds = [os.path.relpath(t, os.path.dirname(shown) or ".") for t in texts
               if t.endswith(".md")]
        head = careful_head(draw(st.lists(VALID_LINES, max_size=2, unique=True)), number)
        if kind == "front":
            head.insert(draw(st.integers(0, len(head))), draw(FM_LINE))
        elif kind == "many":
            head = draw(st.lists(st.sampled_from(GOOD_HEAD), unique=True))
            head += draw(st.lists(FM_LINE, max_size=3))
        pieces = body_pieces(mds) if kind in ("body", "many") else clean_body(mds)
        body = draw(st.lists(pieces, min_size=1, max_size=6))
        close = draw(st.sampled_from(["---\n", "---\n", "...\n", ""])) if kind == "many" \
            else "---\n"
        text = "---\n" + "\n".join(head) + "\n" + close + "\n" + "\n\n".join(body) + "\n"
        data = text.encode("utf-8", errors="surrogateescape")
        if kind in ("bytes", "many"):
            data = draw(st.sampled_from([data.replace(b"\n", b"\r\n"), b"\xef\xbb\xbf" + data,
                                         data + b"\xff", b"", data.replace(b"\n", b"\r")]))
        files.append((path, data))
    # Files next to the topics (careful topics link them), sometimes an HTML file without
    # <head> where a careless writer put one.
    careless = any(kind != "careful" for kind in kinds)
    page = b"<p>no head</p>" if careless and draw(st.integers(0, 3)) == 0 \
        else b"<html><head></head><body><p>A form.</p></body></html>"
    for folder in (b"", b"sub/"):
        files += [(folder + b"pic.png", PNG), (folder + b"page.html", page)]
    return files


def write(project: Project, files: list[tuple[bytes, bytes]]) -> None:
    root = os.fsencode(project.content)
    for rel, data in files:
        path = root + b"/" + rel
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(data)


def run(args: list[str]) -> tuple[int, str]:
    """`kb ARGS` in this process; exit status and everything it printed or logged."""
    log = io.StringIO()
    handler = logging.StreamHandler(log)
    logger = logging.getLogger("mkdocs")
    logger.addHandler(handler)
    try:
        result = CliRunner().invoke(main, args, prog_name="kb")
    finally:
        logger.removeHandler(handler)
    output = result.output + log.getvalue()
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        f"kb {' '.join(args)} raised {result.exception!r}\n{output}"
    assert "Traceback" not in output, output
    return result.exit_code, output


_TOPIC = ("---\n" + "\n".join(GOOD_HEAD) + "\n---\n\nThe answer.\n").encode()
# What this test found, kept as fixed cases: a file `tags` where the tags page is written,
# a public topic in a folder with a space and an accent (search index locations are
# URL-encoded), a printable HTML form linked from a public topic.
FOUND = [
    [(b"tags", _TOPIC), (b"sub/x.md", _TOPIC)],
    [("ü ber/a b.md".encode(), _TOPIC)],
    [(b"a.md", _TOPIC.replace(b"The answer.", b"Print [the form](page.html).")),
     (b"page.html", b"<html><head></head><body><p>A form.</p></body></html>")],
]


@settings(max_examples=EXAMPLES, deadline=None, derandomize=not os.environ.get("KB_ROBUST_SEED"),
          database=None, suppress_health_check=list(HealthCheck))
@given(files=knowledge_bases())
@example(files=FOUND[0])
@example(files=FOUND[1])
@example(files=FOUND[2])
def test_every_input_gets_diagnostics_never_a_traceback(tmp_path_factory,
                                                       files: list[tuple[bytes, bytes]]) -> None:
    project = Project(tmp_path_factory.mktemp("robust") / "kb")
    write(project, files)
    note(repr(files))
    verdicts = {}
    here = os.getcwd()
    os.chdir(project.root)
    try:
        for args in (["check"], ["build", "--public"], ["build", "--members"]):
            code, output = run(args)
            assert code in (0, 1), (args, code, output)
            if code == 1:
                assert DIAGNOSTIC.search(output), (args, output)
            verdicts[args[-1]] = code
    finally:
        os.chdir(here)
    event("kb check clean" if verdicts["check"] == 0 else "kb check found errors")
    # The build refuses exactly what kb check refuses.
    assert verdicts["--public"] == verdicts["--members"] == verdicts["check"], verdicts
