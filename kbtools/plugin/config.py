"""Options of the `kb` MkDocs plugin."""

from __future__ import annotations

from mkdocs.config import config_options as c
from mkdocs.config.base import Config


class KbConfig(Config):
    """`plugins: - kb:` in mkdocs.yml."""

    site = c.Choice(("public", "members"), default="public")
    """Which site to build. The public site is the default; the members site is an explicit
    opt-in (`kb build --members`, or `site: !ENV [KB_SITE, public]` with KB_SITE=members)."""

    public_dir = c.Type(str, default="site/public")
    """Where the public site goes, relative to mkdocs.yml, unless `-d/--site-dir` says otherwise."""

    members_dir = c.Type(str, default="site/members")
    """Where the members site goes, relative to mkdocs.yml, unless `-d/--site-dir` says so."""

    subjects = c.DictOfItems(c.Type((str, dict)), default={})
    """Subject folders as readers see them: a display name (`members-resources: Member
    resources`) or a mapping with `title`, `icon` (a theme icon such as
    `material/key-variant`, shown on the home page's subject cards) and `description` (the
    first line of the subject's page)."""

    members_teaser = c.Type(bool, default=False)
    """Public site: say under each subject how many more answers members can read (a count
    only, never a title), with a "sign in" link to `sign_in_url`."""

    sign_in_url = c.Type(str, default="/members/")
    """Where the members teaser's "sign in" link leads."""

    members_url = c.Type(str, default="")
    """Where the members site is published (its base URL). A public link to a members-only page
    there is refused like a relative one, and the audit looks for such addresses too."""

    nav_cache = c.Type(bool, default=True)
    """Render the sidebar navigation once per group of sibling pages and reuse it (the same
    HTML as Material's, without its O(topics) template work on every page). `false` is plain
    Material: overrides/partials/nav.html is not used and every page renders Material's own
    navigation. Material versions the cache is not tested with get plain Material too."""

    nav_subject_limit = c.Type(int, default=40)
    """A subject with more topics than this shows in the sidebar as its subject page and the
    page being read, instead of one link per topic on every page (its subject page lists
    them). 0 lists every topic of the open subject, whatever the size."""
