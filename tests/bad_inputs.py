"""Bad topics, each with the code and line the checker must report. Shared by the checker's
unit tests and the build tests (which also check that the previous site survives)."""

from __future__ import annotations

GOOD_HEAD = ('title: "A question?"\naudience: [publisher]\nvisibility: public\n'
             'summary: "One sentence."\n')

# id -> (file bytes, expected code, expected line)
BAD_TOPICS: dict[str, tuple[bytes, str, int]] = {
    "malformed-yaml": (b'---\ntitle: "Unclosed\naudience: [publisher]\n---\nBody\n', "KB103", 3),
    "duplicate-key": (b"---\n" + GOOD_HEAD.encode() + b'title: "Again"\n---\nBody\n',
                      "KB104", 6),
    "unknown-key": (b"---\n" + GOOD_HEAD.encode() + b"sumary: Typo\n---\nBody\n", "KB105", 6),
    "wrong-type-tags": (b"---\n" + GOOD_HEAD.encode() + b"tags: login\n---\nBody\n", "KB107", 6),
    "wrong-type-title": (b"---\ntitle: [a, b]\naudience: [publisher]\nvisibility: public\n---\n",
                         "KB107", 2),
    "visibility-yes": (b'---\ntitle: "Q"\naudience: [publisher]\nvisibility: yes\n---\nBody\n',
                       "KB110", 4),
    "audience-no": (b'---\ntitle: "Q"\naudience: no\nvisibility: public\n---\nBody\n',
                    "KB110", 3),
    "date-as-string": (b"---\n" + GOOD_HEAD.encode() + b'updated: "2026-11-01"\n---\nBody\n',
                       "KB110", 6),
    "title-as-date": (b"---\ntitle: 2026-11-01\naudience: [publisher]\nvisibility: public\n---\n",
                      "KB110", 2),
    "draft-yes": (b"---\n" + GOOD_HEAD.encode() + b"draft: yes\n---\nBody\n", "KB110", 6),
    "unknown-audience": (b'---\ntitle: "Q"\naudience: [publishers]\nvisibility: public\n---\n',
                         "KB108", 3),
    "unknown-visibility": (b'---\ntitle: "Q"\naudience: [publisher]\nvisibility: hidden\n---\n',
                           "KB108", 4),
    "visibility-case": (b'---\ntitle: "Q"\naudience: [publisher]\nvisibility: Public\n---\n',
                        "KB108", 4),
    "audience-case": (b'---\ntitle: "Q"\naudience: [Advertiser]\nvisibility: public\n---\n',
                      "KB108", 3),
    "empty-audience": (b'---\ntitle: "Q"\naudience: []\nvisibility: public\n---\n', "KB112", 3),
    "empty-title": (b'---\ntitle: ""\naudience: [publisher]\nvisibility: public\n---\n',
                    "KB112", 2),
    "missing-title": (b"---\naudience: [publisher]\nvisibility: public\n---\nBody\n", "KB109", 1),
    "bom": (b"\xef\xbb\xbf---\n" + GOOD_HEAD.encode() + b"---\nBody\n", "KB100", 1),
    "invalid-utf8": (b"---\n" + GOOD_HEAD.encode() + b"---\nCaf\xe9 latin-1\n", "KB100", 7),
    "yaml-tag": (b'---\ntitle: !!str "Q"\naudience: [publisher]\nvisibility: public\n---\n',
                 "KB106", 2),
    "yaml-anchor-alias": (b"---\n" + GOOD_HEAD.encode() + b"tags: &t [a]\nowner: *t\n---\n",
                          "KB106", 6),
    "not-closed": (b"---\n" + GOOD_HEAD.encode() + b"Body without a closing fence\n", "KB102", 1),
    "no-front-matter": (b"Just text\n", "KB101", 1),
    "empty-file": (b"", "KB101", 1),
    "binary": (b"\x89PNG\r\n\x1a\n\x00\x00\x00", "KB100", 0),
    "front-matter-list": (b"---\n- a\n- b\n---\nBody\n", "KB113", 2),
    "related-outside": (b"---\n" + GOOD_HEAD.encode() + b"related: [../x.md]\n---\n", "KB107", 6),
    "datetime": (b"---\n" + GOOD_HEAD.encode() + b"updated: 2026-11-01 10:00:00\n---\n",
                 "KB107", 6),
    "impossible-day": (b"---\n" + GOOD_HEAD.encode() + b"updated: 2026-02-30\n---\nBody\n",
                       "KB107", 6),
    "impossible-month": (b"---\n" + GOOD_HEAD.encode() + b"updated: 2026-13-01\n---\nBody\n",
                         "KB107", 6),
    "impossible-review-by": (b"---\n" + GOOD_HEAD.encode()
                             + b"review_by: 2027-04-31\n---\nBody\n", "KB107", 6),
    "impossible-datetime": (b"---\n" + GOOD_HEAD.encode()
                            + b"updated: 2026-02-30 10:00:00\n---\nBody\n", "KB107", 6),
    "ambiguous-date": (b"---\n" + GOOD_HEAD.encode() + b"updated: 01/11/2026\n---\nBody\n",
                       "KB107", 6),
    "tab-in-yaml": (b"---\n" + GOOD_HEAD.encode() + b"\towner: Support\n---\nBody\n",
                    "KB103", 6),
    "unquoted-colon": (b"---\n" + GOOD_HEAD.encode() + b"owner: Support: EMEA\n---\nBody\n",
                       "KB103", 6),
    "unclosed-members-block": (b"---\n" + GOOD_HEAD.encode() + b"---\nIntro\n\n/// members\n"
                               b"Secret\n", "KB200", 9),
}
