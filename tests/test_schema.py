"""The committed JSON Schemas are generated from the checker's definitions and agree with it."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest
import yaml
from click.testing import CliRunner

from kbtools.cli import main
from kbtools.core.model.schema import FIELDS
from kbtools.core.reading import frontmatter
from kbtools.core.reports.json_schema import SCHEMAS, dumps

ROOT = Path(__file__).resolve().parent.parent
REGENERATE = "regenerate it: kb schema {0} > schema/{0}.schema.json"


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_committed_schema_is_the_generated_one(name: str) -> None:
    committed = (ROOT / "schema" / f"{name}.schema.json").read_text(encoding="utf-8")
    assert committed == dumps(SCHEMAS[name]()), REGENERATE.format(name)
    jsonschema.Draft7Validator.check_schema(json.loads(committed))


def test_kb_schema_prints_the_committed_files() -> None:
    for name in SCHEMAS:
        result = CliRunner().invoke(main, ["schema", name])
        assert result.exit_code == 0
        assert result.output == (ROOT / "schema" / f"{name}.schema.json").read_text()


def test_every_field_is_described() -> None:
    schema = SCHEMAS["topic"]()
    assert list(schema["properties"]) == [f.name for f in FIELDS]
    assert schema["required"] == [f.name for f in FIELDS if f.required]
    assert all(p["description"] for p in schema["properties"].values())


class Yaml12Loader(yaml.SafeLoader):
    """Read YAML as editors do (YAML 1.2 core schema): dates and yes/no stay text."""


Yaml12Loader.yaml_implicit_resolvers = {
    ch: [(tag, rx) for tag, rx in resolvers
         if tag not in ("tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:bool")]
    for ch, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
Yaml12Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))


def front_matter(text: str) -> object:
    parts, problems = frontmatter.split(text, "t.md")
    assert parts is not None, problems
    return yaml.load(parts.yaml_text, Loader=Yaml12Loader)


def validator() -> jsonschema.Draft7Validator:
    schema = json.loads((ROOT / "schema" / "topic.schema.json").read_text())
    return jsonschema.Draft7Validator(schema, format_checker=jsonschema.FormatChecker())


TOPICS = sorted((ROOT / "content").rglob("*.md"))


@pytest.mark.parametrize("path", TOPICS, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_schema_accepts_every_topic_in_content(path: Path) -> None:
    errors = [e.message for e in validator().iter_errors(front_matter(path.read_text()))]
    assert errors == []


def test_there_are_topics_to_validate() -> None:
    assert len(TOPICS) >= 10


GOOD = """\
title: "How do I reset my password?"
audience: [publisher, advertiser]
visibility: public
summary: "One sentence."
tags: [passwords, login]
related: [accounts-and-passwords/change-password.md]
aliases: [old/reset.md]
id: KB-0001
owner: "Client Support"
updated: 2026-11-01
review_by: 2027-05-01
draft: false
"""

# Each bad front-matter case of the core issue that a schema can express: (name, yaml).
BAD = [
    ("unknown key", 'title: "T"\naudience: [publisher]\naudiences: [publisher]\n'),
    ("title is a number", "title: 12\naudience: [publisher]\n"),
    ("title is empty", 'title: ""\naudience: [publisher]\n'),
    ("title is blank", 'title: "   "\naudience: [publisher]\n'),
    ("title is a list", "title: [a]\naudience: [publisher]\n"),
    ("title missing", "audience: [publisher]\n"),
    ("audience missing", 'title: "T"\n'),
    ("audience empty", 'title: "T"\naudience: []\n'),
    ("audience a string", 'title: "T"\naudience: publisher\n'),
    ("audience: no", 'title: "T"\naudience: no\n'),
    ("audience plural", 'title: "T"\naudience: [publishers]\n'),
    ("audience twice", 'title: "T"\naudience: [publisher, publisher]\n'),
    ("visibility: Public", 'title: "T"\naudience: [publisher]\nvisibility: Public\n'),
    ("visibility: yes", 'title: "T"\naudience: [publisher]\nvisibility: yes\n'),
    ("visibility: true", 'title: "T"\naudience: [publisher]\nvisibility: true\n'),
    ("visibility unknown", 'title: "T"\naudience: [publisher]\nvisibility: private\n'),
    ("tags a string", 'title: "T"\naudience: [publisher]\ntags: login\n'),
    ("tags with a number", 'title: "T"\naudience: [publisher]\ntags: [1]\n'),
    ("related absolute", 'title: "T"\naudience: [publisher]\nrelated: [/a/b.md]\n'),
    ("related with ..", 'title: "T"\naudience: [publisher]\nrelated: [../b.md]\n'),
    ("related not .md", 'title: "T"\naudience: [publisher]\nrelated: [a/b.html]\n'),
    ("aliases backslash", 'title: "T"\naudience: [publisher]\naliases: ["a\\\\b.md"]\n'),
    ("updated not a date", 'title: "T"\naudience: [publisher]\nupdated: soon\n'),
    ("updated with a time", 'title: "T"\naudience: [publisher]\nupdated: 2026-11-01 10:00\n'),
    ("review_by a number", 'title: "T"\naudience: [publisher]\nreview_by: 2027\n'),
    ("draft: yes", 'title: "T"\naudience: [publisher]\ndraft: yes\n'),
    ("draft a string", 'title: "T"\naudience: [publisher]\ndraft: "true"\n'),
    ("id is a number", 'title: "T"\naudience: [publisher]\nid: 7\n'),
    ("owner is null", 'title: "T"\naudience: [publisher]\nowner:\n'),
    ("not a mapping", "- title\n- audience\n"),
]


def test_schema_accepts_a_full_front_matter() -> None:
    assert list(validator().iter_errors(front_matter(f"---\n{GOOD}---\n"))) == []


@pytest.mark.parametrize("case", BAD, ids=[name for name, _ in BAD])
def test_schema_rejects_bad_front_matter(case: tuple[str, str]) -> None:
    name, text = case
    assert list(validator().iter_errors(front_matter(f"---\n{text}---\n"))), name


@pytest.mark.parametrize("case", BAD, ids=[name for name, _ in BAD])
def test_the_checker_rejects_the_same_cases(case: tuple[str, str]) -> None:
    # One source of truth: what the schema rejects, `kb check` rejects too.
    _, text = case
    parts, _ = frontmatter.split(f"---\n{text}---\n", "t.md")
    assert parts is not None
    _, problems = frontmatter.parse(parts, "t.md")
    assert any(p.is_error for p in problems)


def test_what_only_the_checker_sees() -> None:
    # Documented limits: a quoted date is text to an editor (YAML 1.2) but KB110 to kb check.
    text = '---\ntitle: "T"\naudience: [publisher]\nupdated: "2026-11-01"\n---\n'
    assert list(validator().iter_errors(front_matter(text))) == []
    parts, _ = frontmatter.split(text, "t.md")
    assert parts is not None
    _, problems = frontmatter.parse(parts, "t.md")
    assert [p.code for p in problems] == ["KB110"]
