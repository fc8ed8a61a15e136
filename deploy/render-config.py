#!/usr/bin/env python3
"""Render a gateway template: its ${KB_...} placeholders from the environment or an env file.

    python3 deploy/render-config.py deploy/apache/members-sso.conf.template \\
        --env /etc/kb-gateway/gateway.env > /etc/apache2/sites-available/kb-members-sso.conf

Like `envsubst` given exactly the template's own names (nginx's and Apache's own `$variables`
stay untouched), but it refuses to write anything when a value is missing or empty, and when
who may sign in is left open: KB_ALLOWED_GROUP and KB_ALLOWED_EMAIL_DOMAINS are required and
`*` is not a value. KB_ALLOWED_EMAIL_REGEX is derived from KB_ALLOWED_EMAIL_DOMAINS (one or
more domains, separated by spaces or commas). Standard library only; exits 2 on a refusal.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from pathlib import Path

PLACEHOLDER = re.compile(r"\$\{(KB_[A-Z0-9_]+)\}")
DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
GROUP = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@/:-]{0,127}$")  # one word: no spaces
OPEN_VALUES = {"*", "all", "any", ".*"}


class Refused(Exception):
    """A value that would make the gateway fail open, or a missing one."""


def read_env_file(path: Path) -> dict[str, str]:
    """KEY=VALUE lines (blank lines and # comments ignored; optional quotes removed)."""
    values: dict[str, str] = {}
    for number, line in enumerate(path.read_text().splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.partition("=")
        if not sep:
            raise Refused(f"{path}:{number}: not KEY=VALUE: {line!r}")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[key.strip()] = value
    return values


def email_regex(domains: str) -> str:
    """An anchored regex for e-mail addresses at exactly these domains (no subdomains)."""
    names = [d.strip().lower() for d in re.split(r"[\s,]+", domains) if d.strip()]
    if not names:
        raise Refused("KB_ALLOWED_EMAIL_DOMAINS is empty: name the members' e-mail domain(s)")
    for name in names:
        if name in OPEN_VALUES or "*" in name:
            raise Refused(f"KB_ALLOWED_EMAIL_DOMAINS: {name!r} would let anyone in; "
                          "name the members' e-mail domain(s)")
        if not DOMAIN.match(name):
            raise Refused(f"KB_ALLOWED_EMAIL_DOMAINS: {name!r} is not a domain name")
    alternatives = "|".join(re.escape(n) for n in names)
    return f"^[^@]+@({alternatives})$"


def values_for(template: str, given: dict[str, str]) -> dict[str, str]:
    """The value of every placeholder of ``template``; Refused if any is missing or open."""
    values = dict(given)
    if "KB_ALLOWED_EMAIL_REGEX" in PLACEHOLDER.findall(template):
        values["KB_ALLOWED_EMAIL_REGEX"] = email_regex(values.get("KB_ALLOWED_EMAIL_DOMAINS", ""))
    group = values.get("KB_ALLOWED_GROUP")
    if group is not None and (group.strip() in OPEN_VALUES or "*" in group
                              or not GROUP.match(group.strip())):
        raise Refused(f"KB_ALLOWED_GROUP: {group!r} is not a group name")
    missing = sorted({name for name in PLACEHOLDER.findall(template)
                      if not values.get(name, "").strip()})
    if missing:
        raise Refused("no value for " + ", ".join(missing))
    for name in PLACEHOLDER.findall(template):
        if any(ch in values[name] for ch in "\r\n"):
            raise Refused(f"{name}: a value must be one line")
    return values


def render(template: str, given: dict[str, str]) -> str:
    """The template with every ${KB_...} replaced (and nothing else touched)."""
    values = values_for(template, given)
    return PLACEHOLDER.sub(lambda m: values[m.group(1)], template)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("template", type=Path)
    parser.add_argument("--env", type=Path, action="append", default=[],
                        help="KEY=VALUE file (repeatable); the environment overrides it")
    args = parser.parse_args(argv)
    try:
        given: dict[str, str] = {}
        for path in args.env:
            given.update(read_env_file(path))
        given.update({k: v for k, v in os.environ.items() if k.startswith("KB_")})
        sys.stdout.write(render(args.template.read_text(), given))
    except Refused as e:
        print(f"render-config: {args.template}: refused: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
