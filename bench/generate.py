#!/usr/bin/env python3
"""Generate a realistic knowledge base in kbtools' content format, for benchmarks and tests.

    python bench/generate.py --topics 1000 --out /tmp/kb1000 [--seed 0]

Deterministic: the same topics, out and seed give byte-identical files (one seeded
``random.Random``, no clock, no set or hash order). OUT receives:

content/          N topics over 10 subject folders of very different sizes (one holds 40% of
                  the topics, five hold 2-5% each), about 500 words each: headings, numbered
                  steps, bullet lists, a code block; 2-4 links per topic, about a third of them
                  to a heading's #anchor; about 30% members-only topics; about a third of the
                  public topics have a `/// members` passage (some with their own heading and a
                  link to a members topic). Tags are shared: each subject's own, a few every
                  subject uses, and members-only ones. Valid under the project's rules: every
                  link and anchor resolves in both sites, public text links members topics only
                  inside members passages, anchors point at headings outside members passages.
mkdocs.yml        the project's mkdocs.yml with custom_dir pointing at the project's overrides/
                  (absolute path) and the generated subjects: `kb build -f OUT/mkdocs.yml`.
mkdocs-material.yml  the baseline: MkDocs + Material without kbtools, with the project's own
                  theme features (mkdocs.yml's `features` list: navigation.prune and the rest),
                  its markdown_extensions and the search and tags plugins, every topic of
                  content/ in one site (site-material/). `/// members` blocks render as the
                  project's block extension is absent: as text. Zensical builds the same file.
hugo/             Hugo's project: hugo.toml (contentDir ../content, publishDir ../site-hugo)
                  and a minimal layout (page title, content, its section's page list, no CSS
                  or JS): `hugo --source OUT/hugo`.

Importable: ``generate(out: Path, topics: int, seed: int = 0) -> Summary``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import posixpath
import random
import re
import shutil
import sys
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MARKER = ".kb-bench"  # marks a folder this script made, so it may overwrite it
MEMBERS_SHARE = 0.30
PASSAGE_SHARE = 0.35  # of public topics
ANCHOR_SHARE = 0.35  # of links
TARGET_WORDS = 500
# Share of the topics in each subject folder (SUBJECTS order): real knowledge bases have one
# large subject and a long tail; a nav or listing that scales with the largest subject shows.
SUBJECT_SHARES = (0.05, 0.08, 0.04, 0.10, 0.40, 0.03, 0.15, 0.08, 0.05, 0.02)

# Subjects ----------------------------------------------------------------------------------
# Each subject: folder, display name, tasks ("verb object" phrases a visitor asks about),
# the object nouns used in prose, screen names, tags and the kind of code block it shows.

@dataclass(frozen=True)
class Subject:
    folder: str
    name: str
    tasks: tuple[str, ...]
    objects: tuple[str, ...]
    screens: tuple[str, ...]
    tags: tuple[str, ...]
    code: str


SUBJECTS: tuple[Subject, ...] = (
    Subject("getting-started", "Getting started",
            ("apply to join the network", "complete my publisher profile",
             "add a promotional property", "choose my account type",
             "confirm my email address", "set up two-step verification",
             "invite a colleague to my account", "pick the programs to join",
             "add my website to the application", "change the language of my account",
             "find the welcome checklist", "accept the network agreement",
             "describe my traffic sources", "reopen an unfinished application",
             "check the status of my application", "switch between my accounts",
             "update my company details", "add a second contact person",
             "choose a reporting currency", "read the onboarding guide"),
            ("application", "publisher profile", "promotional property", "account type",
             "welcome checklist", "network agreement", "company details", "contact person",
             "reporting currency", "onboarding guide"),
            ("Account Settings", "Network Profile", "Promotional Properties", "Get Started"),
            ("onboarding", "application", "profile", "properties"), "text"),
    Subject("accounts-and-passwords", "Accounts and passwords",
            ("reset my password", "change my password", "unlock my user account",
             "change the email address I log in with", "add a user to my account",
             "remove a former employee", "change a user's permissions",
             "recover my username", "turn off two-step verification",
             "replace my authenticator app", "update my security questions",
             "see who logged in to my account", "end all active sessions",
             "rename a user", "transfer the superuser role", "set a password expiry policy",
             "restore a deleted user", "merge two user logins",
             "change my display name", "sign out on a shared computer"),
            ("password", "user account", "login email", "permission set", "username",
             "authenticator app", "security question", "active session", "superuser role",
             "password policy"),
            ("Sign-in Settings", "User Management", "Security Settings", "My Profile"),
            ("passwords", "login", "users", "security"), "error"),
    Subject("account-status", "Account status",
            ("reactivate my publisher account", "find out why my account was deactivated",
             "appeal a deactivation", "pause my advertiser program",
             "close my account", "reopen a closed account",
             "update the account owner", "change the legal entity on my account",
             "check my account standing", "resolve a compliance hold",
             "restore access after a security lock", "keep my account active",
             "move my account to another region", "split one account into two",
             "combine two accounts", "confirm my identity", "download my account history",
             "cancel a scheduled closure", "respond to an account review",
             "see the notes on my account"),
            ("account status", "deactivation notice", "compliance hold", "account owner",
             "legal entity", "account review", "identity check", "account history",
             "scheduled closure", "security lock"),
            ("Account Status", "Account Settings", "Notifications", "Account History"),
            ("account-status", "deactivation", "reactivation", "compliance"), "text"),
    Subject("payments-and-invoices", "Payments and invoices",
            ("update my bank details", "change my payment threshold", "download an invoice",
             "submit my tax form", "change the payment currency",
             "find a missing payment", "request an early payout",
             "update the billing contact", "pay an open invoice", "add a purchase order number",
             "dispute an invoice line", "see my payment history",
             "change my payment method", "add a VAT number", "get a credit note",
             "top up my prepayment balance", "read a remittance advice",
             "change the invoice address", "set up automatic payments",
             "reconcile a payout with my report"),
            ("bank details", "payment threshold", "invoice", "tax form", "payment currency",
             "payout", "billing contact", "payment history", "payment method", "VAT number",
             "credit note", "prepayment balance", "remittance advice"),
            ("Payment Settings", "Invoices", "Payment History", "Billing"),
            ("payments", "invoices", "tax", "billing"), "csv"),
    Subject("tracking-and-reporting", "Tracking and reporting",
            ("export a performance report", "schedule a daily report",
             "find a missing transaction", "check my tracking setup",
             "add a custom column to a report", "compare two date ranges",
             "see clicks by device", "filter a report by program",
             "understand a locked transaction", "correct a transaction amount",
             "set up cross-device tracking", "test a tracking link",
             "read the commission detail report", "share a report with a colleague",
             "change the report time zone", "see why a sale was declined",
             "download raw transaction data", "track a sale from an app",
             "set up server-to-server tracking", "save a report template"),
            ("performance report", "transaction", "tracking link", "commission detail report",
             "report time zone", "report template", "date range", "custom column",
             "tracking setup", "click record"),
            ("Reports", "Transactions", "Tracking Settings", "Report Builder"),
            ("reporting", "tracking", "transactions", "exports"), "url"),
    Subject("links-and-creatives", "Links and creatives",
            ("get a link for a product", "create a deep link", "add a banner to my site",
             "update an expired link", "upload a new creative",
             "find links for a promotion", "shorten a tracking link",
             "add my own sub-ID to a link", "replace a broken image",
             "see which links perform best", "request a custom creative",
             "use a product feed", "schedule a creative for a sale",
             "remove an old creative", "add alt text to a banner",
             "check a link before I publish", "link to a product category",
             "use links in an email newsletter", "build a text link",
             "rotate creatives on my page"),
            ("deep link", "banner", "creative", "product feed", "sub-ID", "text link",
             "promotion", "link code", "image size", "landing page"),
            ("Links", "Get Links", "Creative Library", "Product Catalogs"),
            ("links", "creatives", "banners", "product-feeds"), "html"),
    Subject("program-relationships", "Programs and relationships",
            ("join an advertiser program", "leave a program", "see why my application was declined",
             "invite a publisher to my program", "change a publisher's group",
             "set program terms for a group", "read a program's terms",
             "accept new program terms", "message a publisher", "approve publishers automatically",
             "find programs in my category", "reapply to a program",
             "end a relationship with a publisher", "see pending applications",
             "offer a private program", "add a publisher to a campaign",
             "check when terms change", "review a publisher's promotional methods",
             "export my publisher list", "set up a program for a new brand"),
            ("program", "program terms", "publisher group", "relationship", "application",
             "campaign", "publisher list", "promotional method", "category", "private program"),
            ("Advertisers", "Publishers", "Program Terms", "Relationships"),
            ("programs", "relationships", "terms", "applications"), "text"),
    Subject("commissions-and-offers", "Commissions and offers",
            ("change a commission rate", "set a bonus for a publisher",
             "create a coupon offer", "end a promotion early", "pay a one-time bonus",
             "set different rates by product", "see the commission for a sale",
             "extend a limited-time offer", "add a situational commission",
             "share a coupon code", "stop a coupon from being used",
             "reverse a commission", "pay commission on new customers only",
             "set a commission for app sales", "schedule a rate change",
             "explain a lower commission", "find current offers",
             "set up tiered commissions", "cap the commission on a sale",
             "review the commission history"),
            ("commission rate", "bonus", "coupon offer", "promotion", "situational commission",
             "coupon code", "tiered commission", "commission history", "rate change",
             "limited-time offer"),
            ("Commissions", "Offers", "Program Terms", "Bonuses"),
            ("commissions", "offers", "coupons", "bonuses"), "json"),
    Subject("web-services", "Web services",
            ("create a developer key", "rotate my developer key",
             "call the commission detail API", "query the product search API",
             "fix an authorization error", "page through API results",
             "stay within the rate limit", "use the link search API",
             "receive transaction notifications", "test a webhook",
             "migrate from the old REST API", "filter API results by date",
             "request more API capacity", "read API error codes",
             "find my company ID", "use the GraphQL endpoint",
             "download the API schema", "sign a webhook request",
             "revoke a developer key", "set up a test account for the API"),
            ("developer key", "API request", "rate limit", "webhook", "company ID",
             "API response", "GraphQL query", "API schema", "error code", "endpoint"),
            ("Developer Portal", "Personal Access Tokens", "API Settings", "Webhooks"),
            ("api", "developers", "webhooks", "integration"), "api"),
    Subject("compliance-and-policies", "Compliance and policies",
            ("add an affiliate disclosure", "report a policy violation",
             "respond to a compliance warning", "check a site for trademark bidding",
             "understand the code of conduct", "handle a privacy request",
             "set up a consent banner", "review restricted promotion types",
             "appeal a commission reversal for fraud", "check what counts as incentivized traffic",
             "keep records for an audit", "update my privacy policy",
             "limit tracking for a region", "report a suspicious publisher",
             "request a compliance review", "use brand terms correctly",
             "check cookie rules for my site", "remove a prohibited coupon",
             "confirm my site follows the rules", "learn about data retention"),
            ("affiliate disclosure", "policy", "compliance warning", "trademark",
             "code of conduct", "privacy request", "consent banner", "audit record",
             "brand term", "data retention rule"),
            ("Network Quality", "Compliance Center", "Policies", "Account Settings"),
            ("compliance", "policies", "privacy", "brand-safety"), "disclosure"),
)

QUALIFIERS = ("", " in CJ Account Manager", " as a publisher", " as an advertiser",
              " for a sub-account", " from a mobile device", " after an account migration",
              " for several programs at once", " outside business hours")
TITLE_FORMS = ("How do I {t}{q}?", "Why can't I {t}{q}?", "Can I {t}{q}?",
               "How long does it take to {t}{q}?", "What do I need before I {t}{q}?",
               "What happens after I {t}{q}?", "Is there a limit on how often I can {t}{q}?")

# Prose -------------------------------------------------------------------------------------
TIMEFRAMES = ("a few minutes", "one hour", "two hours", "one business day",
              "two business days", "the next reporting cycle", "24 hours", "three business days")
ROLES = ("superuser", "account administrator", "finance user", "reporting user",
         "program manager")
IDENTIFIERS = ("company ID", "publisher ID", "advertiser ID", "transaction ID", "invoice number",
               "order ID")
BUTTONS = ("Save", "Apply", "Submit", "Confirm", "Continue", "Update", "Done")
OWNERS = ("Client Support", "Publisher Success", "Advertiser Operations", "Network Quality",
          "Developer Relations", "Finance Operations")
GENERIC_TAGS = ("how-to", "troubleshooting", "account-manager", "policy", "getting-help")
MEMBERS_TAGS = ("partner-insights", "account-manager-only", "beta-features", "priority-support")

INTRO = (
    "This topic explains how to {task} and what to check if the result is not what you expect.",
    "Most members can {task} on their own in a few steps, without contacting Client Support.",
    "You can {task} at any time, but some changes only apply from the next reporting cycle.",
    "The {obj} belongs to your whole account, so a change here affects every user who works with "
    "it.",
    "Before you {task}, make sure you are logged in with a user that has the {role} role.",
    "Changes to the {obj} are recorded in the account history together with the user who made "
    "them.",
    "If you work with several programs, the {obj} may be set per program rather than for the "
    "whole account.",
    "The steps are the same for publishers and advertisers, although some screens use different "
    "labels.",
)
DETAIL = (
    "Open **{screen}** and look for the {obj} in the list on the left.",
    "Only users with the {role} role can change the {obj}; other users see it as read-only.",
    "Changes to the {obj} usually show within {time}.",
    "If you manage more than one account, switch to the right account first in the upper right "
    "corner.",
    "We send a confirmation email to the account contact once the change is processed.",
    "Reports use the time zone set in your account, which can move a total to the next day.",
    "The {obj} you see in **{screen}** is the value we use for all new activity.",
    "Older activity keeps the {obj} that was in place when it was recorded.",
    "Keep a copy of the confirmation for your records, as some requests need it later.",
    "You can undo most changes to the {obj} within {time} from the same screen.",
    "When the page shows a yellow banner, the change is saved but still waiting for review.",
    "Some fields are locked while a payment or a review is in progress.",
    "The **{screen}** page lists every change with its date, so you can see what happened and "
    "when.",
    "If a field is greyed out, ask the superuser on your account to give you access.",
    "Advertisers and publishers see the same {obj}, but only the account owner can edit it.",
    "It is a good idea to check the {obj} once a month, especially after a busy season.",
    "Your changes apply to new activity only and never rewrite past reports.",
    "Settings you change on a mobile device are the same as the ones on the desktop site.",
)
TROUBLE = (
    "If the {obj} still looks wrong after {time}, clear your browser cache and log in again.",
    "A common reason is that the change was saved in a different account than the one you are "
    "viewing.",
    "Check that the {ident} you use matches the one shown in **{screen}**.",
    "If you see an error message, note the exact text and the time it appeared.",
    "Browser extensions that block scripts can stop the page from saving; try a private window.",
    "When several users edit the {obj} at the same time, only the last change is kept.",
    "If the problem continues, contact Client Support and include your {ident} and a screenshot.",
    "A pending review can hold the change for up to {time}; you do not need to submit it again.",
    "Declined changes are listed in **{screen}** with the reason, so you can correct and "
    "resubmit them.",
    "Make sure your login email is confirmed, because some changes are only sent to a confirmed "
    "address.",
)
STEPS = (  # in the order they happen; a topic uses a subset, in this order
    "Log in to **CJ Account Manager**.",
    "Open **{screen}** from the main menu.",
    "Select the {obj} you want to work with.",
    "Click **Edit** next to the {obj}.",
    "If you are asked to confirm your identity, enter the code we send to your login email.",
    "Enter the new details and check them carefully.",
    "Choose the date from which the change should apply.",
    "Click **{button}** to save your changes.",
    "Wait for the confirmation message at the top of the page.",
    "Check the {obj} again in **{screen}** after {time}.",
)
BULLETS = (
    "your {ident}",
    "the name of the user who made the change",
    "the date the change should apply",
    "a screenshot of any error message",
    "the {obj} as it is now and as it should be",
    "access to the login email of the account",
    "the {role} role, or a colleague who has it",
    "a few minutes without other users editing the same settings",
    "the program or brand the change is for",
    "your tax or company registration number, where it applies",
)
HEADINGS = (  # one per section, so a topic's headings are distinct
    ("Before you begin", "What you need", "Who can do this", "Check the settings first",
     "Where to find the {obj}"),
    ("Steps", "How to do it", "Step by step", "Make the change", "Change the {obj}"),
    ("If it does not work", "Common reasons", "Troubleshooting", "When the {obj} looks wrong"),
    ("What to expect", "Timing and limits", "Good to know", "Once you are done",
     "How it works"),
)
MEMBERS_TOOLS = ("Partner Insights dashboard", "Network Health console",
                 "Program Manager workspace", "Priority Support queue")
MEMBERS_HEADINGS = ("Member shortcut", "For signed-in members", "Account manager options",
                    "Members-only reports", "Priority handling")
MEMBERS_TEXT = (
    "Signed-in members can open the **{tool}** to {task} without waiting for a review.",
    "Your dedicated account manager can approve an exception to the usual {obj} rules.",
    "Members on an enterprise plan see the full {obj} history for the last 24 months.",
    "The **{tool}** also shows which users changed the {obj} and from which device.",
    "Use the priority line in the **{tool}** if the change is urgent for a campaign.",
    "Early access features for the {obj} are switched on from the **{tool}**.",
)
LINK_SENTENCES = (
    "For the full steps, see [{title}]({href}).",
    "If you also need to {task}, read [{title}]({href}).",
    "This is explained in more detail in [{title}]({href}).",
    "Many members also ask: [{title}]({href})",
)
ANCHOR_SENTENCES = (
    "The section [{heading}]({href}) in the topic about how to {task} covers this.",
    "See [{heading}]({href}) for the part that applies here.",
)
MEMBERS_LINK_SENTENCES = (
    "Members can go straight to [{title}]({href}).",
    "Signed in, you can also read [{title}]({href}).",
)


@dataclass
class Planned:
    index: int
    subject: Subject
    task: str
    title: str
    path: str
    public: bool
    audience: list[str]
    obj: str = ""  # the object noun the prose talks about
    headings: list[str] = field(default_factory=list)  # outside members passages
    passage: bool = False  # public topic with a members passage


@dataclass(frozen=True)
class Summary:
    """What was generated."""

    out: Path
    topics: int
    members: int
    passages: int
    links: int
    anchor_links: int
    words: int


def slugify(text: str) -> str:
    """Python-Markdown toc's slugify (separator '-')."""
    value = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    value = re.sub(r"[^\w\s-]", "", value).strip().lower()
    return re.sub(r"[-\s]+", "-", value)


def _obj_for(subject: Subject, task: str, rng: random.Random) -> str:
    for obj in subject.objects:
        if obj in task:
            return obj
    return rng.choice(subject.objects)


def _fill(template: str, rng: random.Random, topic: Planned, **extra: str) -> str:
    subject = topic.subject
    values = {
        "task": topic.task, "obj": topic.obj,
        "screen": rng.choice(subject.screens), "role": rng.choice(ROLES),
        "time": rng.choice(TIMEFRAMES), "ident": rng.choice(IDENTIFIERS),
        "button": rng.choice(BUTTONS), "tool": rng.choice(MEMBERS_TOOLS),
    }
    values.update(extra)
    return template.format(**values)


def _subject_counts(topics: int) -> list[int]:
    """Topics per subject: SUBJECT_SHARES of ``topics`` (largest remainders), every subject at
    least one topic when there are enough topics."""
    floor = 1 if topics >= len(SUBJECTS) else 0
    exact = [share * topics for share in SUBJECT_SHARES]
    counts = [max(floor, int(x)) for x in exact]
    by_remainder = sorted(range(len(exact)), key=lambda k: (-(exact[k] - int(exact[k])), k))
    k = 0
    while sum(counts) < topics:
        counts[by_remainder[k % len(counts)]] += 1
        k += 1
    while sum(counts) > topics:  # the floor took topics from the largest subject
        counts[counts.index(max(counts))] -= 1
    return counts


def _members(order: list[Subject], rng: random.Random) -> set[int]:
    """MEMBERS_SHARE of the topics, members-only; every subject keeps a public topic (a subject
    missing from the public site is not the shape under test)."""
    members = set(rng.sample(range(len(order)), round(len(order) * MEMBERS_SHARE)))
    by_subject: dict[str, list[int]] = {}
    for i, subject in enumerate(order):
        by_subject.setdefault(subject.folder, []).append(i)
    for indexes in by_subject.values():
        if all(i in members for i in indexes):
            public = {f: [i for i in ix if i not in members] for f, ix in by_subject.items()}
            spare = [i for ix in public.values() if len(ix) > 1 for i in ix]
            if spare:  # the same count: another subject's public topic becomes members-only
                members.discard(indexes[0])
                members.add(rng.choice(spare))
    return members


def _plan(topics: int, rng: random.Random) -> list[Planned]:
    # All titles per subject, shuffled once: unique titles without retries.
    pools: dict[str, list[tuple[str, str, str]]] = {}
    for subject in SUBJECTS:
        combos = [(form.format(t=t, q=q), t, q) for t in subject.tasks for form in TITLE_FORMS
                  for q in QUALIFIERS]
        rng.shuffle(combos)
        pools[subject.folder] = combos
    used_paths: set[str] = set()
    planned = []
    order = [s for s, k in zip(SUBJECTS, _subject_counts(topics), strict=True) for _ in range(k)]
    rng.shuffle(order)
    members = _members(order, rng)
    seen: dict[str, int] = {}
    for i, subject in enumerate(order):
        pool = pools[subject.folder]
        n = seen[subject.folder] = seen.get(subject.folder, -1) + 1
        title, task, qualifier = pool[n % len(pool)]
        if n >= len(pool):  # more topics than distinct titles in a subject
            title = title[:-1] + f" (case {n // len(pool) + 1})?"
        slug = slugify(title)[:80].strip("-")
        path, k = f"{subject.folder}/{slug}.md", 2
        while path in used_paths:
            path, k = f"{subject.folder}/{slug}-{k}.md", k + 1
        used_paths.add(path)
        if "publisher" in qualifier:
            audience = ["publisher"]
        elif "advertiser" in qualifier:
            audience = ["advertiser"]
        else:
            audience = rng.choice([["publisher", "advertiser"]] * 2
                                  + [["publisher"], ["advertiser"]])
        obj = _obj_for(subject, task, rng)
        topic = Planned(i, subject, task, title, path, i not in members, audience, obj)
        topic.headings = [rng.choice(pool).format(obj=obj) for pool in HEADINGS]
        topic.passage = topic.public and rng.random() < PASSAGE_SHARE
        planned.append(topic)
    return planned


def _href(source: Planned, target: Planned, anchor: str | None = None) -> str:
    rel = posixpath.relpath(target.path, posixpath.dirname(source.path))
    return rel + (f"#{anchor}" if anchor else "")


def _pick_target(rng: random.Random, topic: Planned, candidates: list[Planned],
                 same_subject: list[Planned], taken: set[str]) -> Planned | None:
    for pool in ((same_subject if rng.random() < 0.7 else candidates), candidates):
        choices = [c for c in pool if c.path != topic.path and c.path not in taken]
        if choices:
            return rng.choice(choices)
    return None


def _link_sentence(rng: random.Random, topic: Planned, target: Planned,
                   counts: dict[str, int]) -> str:
    counts["links"] += 1
    if rng.random() < ANCHOR_SHARE and target.headings:
        heading = rng.choice(target.headings)
        counts["anchors"] += 1
        return rng.choice(ANCHOR_SENTENCES).format(
            heading=heading, href=_href(topic, target, slugify(heading)), task=target.task)
    return rng.choice(LINK_SENTENCES).format(title=target.title, href=_href(topic, target),
                                             task=target.task)


def _code(rng: random.Random, topic: Planned) -> tuple[str, str]:
    """An introducing sentence and a fenced code block for the topic's subject."""
    kind = topic.subject.code
    # Numbers unique to the topic: a members code sample must not share an ID with a public
    # one by chance (the public audit would rightly see the members text in the public site).
    n1 = 1_000_000 + 97 * topic.index + rng.randrange(97)
    n2 = 5_000_000 + 97 * topic.index + rng.randrange(97)
    day = dt.date(2026, 1, 1) + dt.timedelta(days=rng.randrange(300))
    if kind == "csv":
        rows = "\n".join(f"INV-{n1 + k},{day.isoformat()},"
                         f"{rng.randrange(50, 5000)}.{rng.randrange(100):02d},"
                         f"USD,{rng.choice(['paid', 'open', 'pending'])}" for k in range(3))
        return ("An export of the invoice list looks like this:",
                f"```text\ninvoice_id,period_end,amount,currency,status\n{rows}\n```")
    if kind == "url":
        return ("A tracking link with your own sub-ID looks like this:",
                f"```text\nhttps://www.example.invalid/click-{n1}-{n2}?sid=spring-sale-{day.month:02d}\n```")
    if kind == "html":
        return ("The link code you copy from **Get Links** looks like this:",
                f'```html\n<a href="https://www.example.invalid/click-{n1}-{n2}">\n'
                f'  <img src="https://www.example.invalid/image-{n1}-{n2}" width="300" '
                f'height="250" alt="Spring sale banner">\n</a>\n```')
    if kind == "json":
        return ("The offer as the API returns it:",
                "```json\n" + json.dumps({"offerId": n1, "type": "coupon", "rate": "8.5%",
                                          "startsOn": f"{day.isoformat()}T00:00:00Z",
                                          "publisherGroup": "content"},
                                         indent=2) + "\n```")
    if kind == "api":
        return ("A request with your developer key looks like this:",
                f"```bash\ncurl -s https://api.example.invalid/query \\\n"
                f"  -H \"Authorization: Bearer $CJ_DEVELOPER_KEY\" \\\n"
                f"  -d '{{\"query\": \"{{ publisherCommissions(forPublishers: [\\\"{n1}\\\"]) "
                f"{{ count }} }}\"}}'\n```")
    if kind == "error":
        return ("The message you see looks like this:",
                f"```text\nError {rng.choice([401, 403, 423])}: the login for user {n1} "
                f"is temporarily locked.\nReference: {n2}\n```")
    if kind == "disclosure":
        return ("A short disclosure that meets the policy:",
                "```text\nThis page contains affiliate links. We may earn a commission when you\n"
                "buy through them, at no extra cost to you.\n```")
    return ("The confirmation you receive looks like this:",
            f"```text\nRequest: {topic.task}\nReference: {n1}\n"
            f"Status: received {day.isoformat()}\n```")


def _paragraph(rng: random.Random, topic: Planned, pool: tuple[str, ...], count: int,
               used: set[str]) -> str:
    """``count`` sentences from ``pool`` that this topic has not used yet."""
    fresh = [s for s in pool if s not in used] or list(pool)
    chosen = rng.sample(fresh, min(count, len(fresh)))
    used.update(chosen)
    return " ".join(_fill(s, rng, topic) for s in chosen)


def _body(rng: random.Random, topic: Planned, planned: list[Planned], public: list[Planned],
          by_subject: dict[str, list[Planned]], members: list[Planned],
          counts: dict[str, int]) -> str:
    # Link targets: public text may only link public topics; members topics link anything.
    if topic.public:
        candidates = public
        same = [t for t in by_subject[topic.subject.folder] if t.public]
    else:
        candidates, same = planned, by_subject[topic.subject.folder]
    n_links = rng.randint(2, 4)
    taken: set[str] = set()
    links: list[str] = []
    members_link = None
    if topic.passage and members and rng.random() < 0.6:
        target = _pick_target(rng, topic, members, [m for m in members
                                                   if m.subject is topic.subject], taken)
        if target is not None:
            taken.add(target.path)
            counts["links"] += 1
            members_link = rng.choice(MEMBERS_LINK_SENTENCES).format(
                title=target.title, href=_href(topic, target))
            n_links -= 1
    for _ in range(n_links):
        target = _pick_target(rng, topic, candidates, same, taken)
        if target is None:
            break
        taken.add(target.path)
        links.append(_link_sentence(rng, topic, target, counts))

    h = topic.headings
    used: set[str] = set()
    parts = [_paragraph(rng, topic, INTRO, 3, used)]
    if links:
        parts[0] += " " + links.pop(0)
    # Section 1: prose and what you need.
    bullets = rng.sample(BULLETS, rng.randint(3, 5))
    parts += [f"## {h[0]}", _paragraph(rng, topic, DETAIL, 2, used) + " Have these ready:",
              "\n".join("- " + _cap(_fill(b, rng, topic)) for b in bullets)]
    # Section 2: numbered steps, an example in code.
    picked = sorted(rng.sample(range(1, len(STEPS)), rng.randint(3, 5)))
    steps = [STEPS[0]] + [STEPS[k] for k in picked]
    parts += [f"## {h[1]}",
              "\n".join(f"{k}. {_fill(s, rng, topic)}" for k, s in enumerate(steps, 1))]
    intro, code = _code(rng, topic)
    parts += [intro, code]
    # Section 3: troubleshooting, with a link.
    para = _paragraph(rng, topic, TROUBLE, 3, used)
    if links:
        para += " " + links.pop(0)
    parts += [f"## {h[2]}", para]
    if topic.passage:
        counts["passages"] += 1
        passage = []
        if rng.random() < 0.2:
            passage.append(f"### {rng.choice(MEMBERS_HEADINGS)}\n")
        passage.append(_paragraph(rng, topic, MEMBERS_TEXT, 2, used)
                       + (" " + members_link if members_link else ""))
        if rng.random() < 0.5:
            # A "See also" list inside the passage: members and public titles side by side,
            # the kind of list that once made the audit match phrases across elements.
            pool = [t for t in by_subject[topic.subject.folder] if t is not topic] or planned
            also = rng.sample(pool, min(len(pool), rng.randint(2, 4)))
            counts["links"] += len(also)
            passage.append("\nSee also:\n\n" + "\n".join(
                f"- [{t.title}]({_href(topic, t)})" for t in also))
        parts.append("/// members\n" + "\n".join(passage) + "\n///")
    # Section 4: good to know, remaining links.
    para = _paragraph(rng, topic, DETAIL, 3, used)
    if links:
        para += " " + " ".join(links)
    parts += [f"## {h[3]}", para]
    body = "\n\n".join(parts)
    # Pad to about TARGET_WORDS with more prose in the last sections.
    extra: list[str] = []
    while _words(body) + sum(_words(e) for e in extra) < TARGET_WORDS - 20:
        extra.append(_paragraph(rng, topic, DETAIL + TROUBLE, 3, used))
    if extra:
        body += "\n\n" + "\n\n".join(extra)
    return body + "\n"


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


_WORD = re.compile(r"[A-Za-z0-9']+")


def _words(text: str) -> int:
    return len(_WORD.findall(text))


def _front_matter(rng: random.Random, topic: Planned, by_subject: dict[str, list[Planned]]) -> str:
    subject = topic.subject
    tags = rng.sample(subject.tags, 2) + rng.sample(GENERIC_TAGS, rng.randint(0, 1))
    if not topic.public and rng.random() < 0.3:
        tags.append(rng.choice(MEMBERS_TAGS))
    siblings = [t.path for t in by_subject[subject.folder] if t.path != topic.path]
    related = rng.sample(siblings, min(len(siblings), rng.randint(0, 3)))
    updated = dt.date(2026, 1, 5) + dt.timedelta(days=rng.randrange(300))
    review_by = updated + dt.timedelta(days=3 * 365 + rng.randrange(365))
    summary = (f"How to {topic.task}, who can do it, how long it takes and what to check "
               f"when the {topic.obj} does not look right.")
    lines = [
        "---",
        f"title: {json.dumps(topic.title)}",
        f"audience: [{', '.join(topic.audience)}]",
        f"visibility: {'public' if topic.public else 'members'}",
        f"summary: {json.dumps(summary)}",
        f"tags: [{', '.join(tags)}]",
        f"related: [{', '.join(related)}]",
        f"id: KB-{topic.index + 1:05d}",
        f"owner: {json.dumps(rng.choice(OWNERS))}",
        f"updated: {updated.isoformat()}",
        f"review_by: {review_by.isoformat()}",
        "---",
        "",
    ]
    return "\n".join(lines)


def _mkdocs_yml(subjects: list[Subject], project: Path) -> str:
    text = (project / "mkdocs.yml").read_text(encoding="utf-8")
    text, n = re.subn(r"(?m)^docs_dir:.*$", "docs_dir: content", text)
    assert n == 1, "mkdocs.yml: no docs_dir line"
    text, n = re.subn(r"(?m)^(\s+)custom_dir:.*$",
                      lambda m: f"{m.group(1)}custom_dir: "
                                f"{json.dumps(str(project / 'overrides'))}", text)
    assert n == 1, "mkdocs.yml: no custom_dir line"
    names = "".join(f"\n        {s.folder}: {json.dumps(s.name)}" for s in subjects)
    text, n = re.subn(r"(?m)^(      subjects:)(?:\n {8,}\S.*)*", lambda m: m.group(1) + names, text)
    assert n == 1, "mkdocs.yml: no kb `subjects:` block"
    return ("# Generated by bench/generate.py from the project's mkdocs.yml: "
            "docs_dir, custom_dir and subjects adjusted.\n" + text)


def _markdown_extensions(project: Path) -> str:
    text = (project / "mkdocs.yml").read_text(encoding="utf-8")
    m = re.search(r"(?ms)^markdown_extensions:\n.*?(?=^\S|\Z)", text)
    assert m, "mkdocs.yml: no markdown_extensions"
    return m.group(0).rstrip() + "\n"


def _features(project: Path) -> str:
    """The project's theme `features:` block, as written in its mkdocs.yml."""
    text = (project / "mkdocs.yml").read_text(encoding="utf-8")
    m = re.search(r"(?m)^  features:\n(?:    - .*\n)+", text)
    assert m, "mkdocs.yml: no theme features"
    return m.group(0)


def _material_yml(project: Path) -> str:
    return (
        "# Generated by bench/generate.py: the baseline. MkDocs + Material without kbtools, with\n"
        "# the project's theme features and markdown_extensions, the search and tags plugins;\n"
        "# every topic in content/ in one site.\n"
        "site_name: CJ Client Support (Material baseline)\n"
        "site_url: https://support.example.invalid/\n"
        "docs_dir: content\n"
        "site_dir: site-material\n"
        "use_directory_urls: true\n"
        "theme:\n"
        "  name: material\n"
        "  font: false\n"
        + _features(project)
        + "plugins:\n"
        "  - search\n"
        "  - tags\n"
        + _markdown_extensions(project)
    )


HUGO_TOML = """\
# Generated by bench/generate.py: Hugo building the same Markdown with a minimal layout.
baseURL = "https://support.example.invalid/"
title = "CJ Client Support (Hugo)"
contentDir = "../content"
publishDir = "../site-hugo"
disableKinds = ["RSS"]
enableRobotsTXT = false
[taxonomies]
  tag = "tags"
[markup.goldmark.parser.attribute]
  block = true
"""
HUGO_BASEOF = """\
<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{ .Title }} - {{ site.Title }}</title></head>
<body><header><a href="{{ site.Home.RelPermalink }}">{{ site.Title }}</a></header>
{{ block "main" . }}{{ end }}
</body></html>
"""
HUGO_SINGLE = """\
{{ define "main" }}<main><h1>{{ .Title }}</h1>{{ .Content }}
<ul class="tags">{{ range .GetTerms "tags" }}
<li><a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a></li>{{ end }}</ul>
</main>
<nav><ul>{{ range .CurrentSection.Pages }}
<li><a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a></li>{{ end }}</ul></nav>
{{ end }}
"""
HUGO_LIST = """\
{{ define "main" }}<main><h1>{{ .Title }}</h1>
<ul>{{ range .Pages }}<li><a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a></li>{{ end }}</ul>
</main>{{ end }}
"""


def _hugo(out: Path) -> None:
    files = {"hugo.toml": HUGO_TOML, "layouts/_default/baseof.html": HUGO_BASEOF,
             "layouts/_default/single.html": HUGO_SINGLE, "layouts/_default/list.html": HUGO_LIST}
    for name, text in files.items():
        dest = out / "hugo" / name
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_text(text, encoding="utf-8", newline="\n")


def generate(out: Path, topics: int, seed: int = 0, *, project: Path = ROOT) -> Summary:
    """Write a knowledge base of ``topics`` topics into ``out`` (see the module docstring).

    ``project`` is the kbtools checkout whose mkdocs.yml and overrides/ the KB uses.
    """
    project = Path(project).resolve()
    if topics < 1:
        raise ValueError("topics must be at least 1")
    out = Path(out)
    if out.exists() and any(out.iterdir()) and not (out / MARKER).exists():
        raise SystemExit(f"{out}: not empty and not made by bench/generate.py; refusing to "
                         "overwrite it")
    for name in ("content", "plain-docs", "hugo"):
        shutil.rmtree(out / name, ignore_errors=True)
    for name in ("mkdocs-plain.yml",):  # the feature-less baseline of earlier versions
        (out / name).unlink(missing_ok=True)
    out.mkdir(parents=True, exist_ok=True)
    (out / MARKER).write_text("made by bench/generate.py; safe to delete\n", encoding="utf-8")

    rng = random.Random(f"kbtools-bench:{seed}:{topics}")
    planned = _plan(topics, rng)
    public = [t for t in planned if t.public]
    members = [t for t in planned if not t.public]
    by_subject: dict[str, list[Planned]] = {}
    for t in planned:
        by_subject.setdefault(t.subject.folder, []).append(t)
    counts = {"links": 0, "anchors": 0, "passages": 0}
    total_words = 0
    for topic in planned:
        front = _front_matter(rng, topic, by_subject)
        body = _body(rng, topic, planned, public, by_subject, members, counts)
        total_words += _words(body)
        data = (front + body).encode("utf-8")
        dest = out / "content" / topic.path
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_bytes(data)
    used = [s for s in SUBJECTS if s.folder in by_subject]
    (out / "mkdocs.yml").write_text(_mkdocs_yml(used, project), encoding="utf-8", newline="\n")
    (out / "mkdocs-material.yml").write_text(_material_yml(project), encoding="utf-8",
                                            newline="\n")
    _hugo(out)
    return Summary(out, topics, len(members), counts["passages"], counts["links"],
                   counts["anchors"], total_words)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--topics", type=int, required=True, help="number of topics")
    parser.add_argument("--out", type=Path, required=True, help="folder to write")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    args = parser.parse_args(argv)
    s = generate(args.out, args.topics, args.seed)
    print(f"{s.out}: {s.topics} topics ({s.members} members-only, {s.passages} public topics "
          f"with a members passage), {s.links} links ({s.anchor_links} to anchors), "
          f"{s.words / s.topics:.0f} words per topic")
    return 0


if __name__ == "__main__":
    sys.exit(main())
