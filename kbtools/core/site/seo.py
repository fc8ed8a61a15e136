"""What search engines are told: robots.txt per site, and FAQPage data for public topics.

The public site invites indexing (robots.txt allows everything and names the sitemap); the
members site forbids it (robots.txt disallows everything, every page says noindex, and it has
no sitemap). Structured data repeats only text the page shows: the title and the summary.
llms.txt lists the site's own answers for AI assistants.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable

from kbtools.core.model.topics import Topic
from kbtools.core.site.plan import url_path

NOINDEX = "noindex, nofollow"


def robots_txt(*, public: bool, sitemap_url: str | None = None) -> str:
    """robots.txt for the public site (allow all, name the sitemap) or the members site."""
    if not public:
        return "# Members site: not for search engines.\nUser-agent: *\nDisallow: /\n"
    text = "User-agent: *\nAllow: /\n"
    if sitemap_url:
        text += f"\nSitemap: {sitemap_url}\n"
    return text


def faq_jsonld(topic: Topic) -> str | None:
    """schema.org FAQPage for a topic: its title as the question, its summary as the answer.

    Both are visible on the page (the summary stands under the title). None without a summary.
    The JSON is safe inside a ``<script>`` element.
    """
    if not topic.summary:
        return None
    data = {
        "@context": "https://schema.org",
        "@type": "FAQPage",
        "mainEntity": [{
            "@type": "Question",
            "name": topic.title,
            "acceptedAnswer": {"@type": "Answer", "text": topic.summary},
        }],
    }
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def llms_txt(topics: Iterable[Topic], *, site_name: str, description: str, base_url: str,
             subject_title: Callable[[str], str], directory_urls: bool = True) -> str:
    """llms.txt (llmstxt.org): the site's answers for AI assistants, by subject, each with its
    address and summary. Built from the topics given: the public site passes its public topics
    only, and the audit reads the file like every other one."""
    groups: dict[str, list[Topic]] = {}
    for topic in sorted(topics, key=lambda t: (t.subject, t.title.lower())):
        groups.setdefault(topic.subject, []).append(topic)
    out = [f"# {site_name}\n"]
    if description:
        out.append(f"\n> {description}\n")
    for folder, group in groups.items():
        out.append(f"\n## {subject_title(folder) if folder else 'Other answers'}\n\n")
        for t in group:
            url = base_url + url_path(t.path, directory_urls=directory_urls)
            line = f"- [{_md_text(t.title)}]({url})"
            out.append(line + (f": {' '.join(t.summary.split())}" if t.summary else "") + "\n")
    return "".join(out)


def _md_text(text: str) -> str:
    for ch in "\\[]":
        text = text.replace(ch, "\\" + ch)
    return text
