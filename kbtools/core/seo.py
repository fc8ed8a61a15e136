"""What search engines are told: robots.txt per site, and FAQPage data for public topics.

The public site invites indexing (robots.txt allows everything and names the sitemap); the
members site forbids it (robots.txt disallows everything, every page says noindex, and it has
no sitemap). Structured data repeats only text the page shows: the title and the summary.
"""

from __future__ import annotations

import json

from .topics import Topic

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
