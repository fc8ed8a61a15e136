"""Where the knowledge base is: mkdocs.yml read without MkDocs, and the paths writers type.

The `kb` commands that do not render (check, new, mv, audit, stale) need only a few settings
of mkdocs.yml; reading them here keeps those commands fast and free of MkDocs.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from kbtools.core.model.errors import UsageError

CONFIG_NAME = "mkdocs.yml"


class ProjectError(UsageError):
    """No usable project where the command looked, or a path outside it, said in one line.

    A usage error (exit 2): the command cannot start, nothing was checked.
    """


@dataclass(frozen=True)
class Project:
    """The settings of mkdocs.yml the content commands use."""

    config_file: Path
    content: Path  # resolved content folder (mkdocs.yml's docs_dir)
    site_name: str = ""
    site_url: str = ""
    use_directory_urls: bool = True
    subjects: dict[str, str] = field(default_factory=dict)
    facts: dict[str, Any] = field(default_factory=dict)  # `extra: facts:`, as written
    members_url: str = ""  # the kb plugin's `members_url`
    links: Any = None  # `extra: links:`, as written

    @property
    def url_prefix(self) -> str:
        """The path part of ``site_url`` (``/`` when the site is at the root)."""
        from urllib.parse import urlsplit

        path = urlsplit(self.site_url).path or "/"
        return path if path.endswith("/") else path + "/"


def find_config(given: str | os.PathLike[str] | None, cwd: Path | None = None) -> Path:
    """The mkdocs.yml to use: ``given``, or the nearest one in this folder or a parent."""
    cwd = cwd or Path.cwd()
    if given is not None:
        path = Path(given)
        if not path.is_file():
            raise ProjectError(f"{given}: no such configuration file")
        return path
    for folder in (cwd, *cwd.parents):
        candidate = folder / CONFIG_NAME
        if candidate.is_file():
            return candidate
    raise ProjectError(f"no {CONFIG_NAME} here or in a parent folder; run kb in the project "
                       "or pass -f/--config-file")


def read_project(config_file: Path) -> Project:
    """Read the settings kbtools needs from ``config_file``."""
    try:
        with open(config_file, encoding="utf-8") as f:
            data = yaml.load(f, Loader=_ConfigLoader)
    except (OSError, UnicodeDecodeError) as e:
        raise ProjectError(f"{config_file}: cannot be read ({e})") from None
    except yaml.YAMLError as e:
        raise ProjectError(f"{config_file}: not valid YAML ({_first_line(e)})") from None
    if not isinstance(data, dict):
        raise ProjectError(f"{config_file}: not a MkDocs configuration")
    base = config_file.resolve().parent
    content = (base / str(data.get("docs_dir") or "docs")).resolve()
    if not content.is_dir():
        raise ProjectError(f"{config_file}: the content folder {content} does not exist")
    return Project(
        config_file=config_file,
        content=content,
        site_name=str(data.get("site_name") or ""),
        site_url=str(data.get("site_url") or ""),
        use_directory_urls=data.get("use_directory_urls", True) is not False,
        subjects=_kb_option(data.get("plugins"), "subjects") or {},
        members_url=str(_kb_option(data.get("plugins"), "members_url") or ""),
        facts=_facts_data(data.get("extra")),
        links=data["extra"].get("links") if isinstance(data.get("extra"), dict) else None,
    )


def _kb_option(plugins: Any, name: str) -> Any:
    for plugin, options in _plugin_entries(plugins):
        if plugin == "kb" and isinstance(options, dict):
            return options.get(name)
    return None


def _facts_data(extra: Any) -> dict[str, Any]:
    facts = extra.get("facts") if isinstance(extra, dict) else None
    return facts if isinstance(facts, dict) else {}


def _plugin_entries(plugins: Any) -> Iterator[tuple[Any, Any]]:
    # `plugins:` is a list of names and one-key mappings, or a mapping.
    if isinstance(plugins, dict):
        yield from plugins.items()
        return
    for entry in plugins if isinstance(plugins, list) else []:
        if isinstance(entry, dict):
            yield from entry.items()
        else:
            yield entry, {}


def _first_line(e: Exception) -> str:
    return str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__


class _ConfigLoader(yaml.SafeLoader):
    """SafeLoader that understands MkDocs' `!ENV` and ignores other tags (`!!python/name:`)."""


def _env(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    # pyyaml_env_tag: `!ENV VAR` or `!ENV [VAR1, VAR2, default]` (last item is the default).
    if isinstance(node, yaml.ScalarNode):
        names, default = [loader.construct_scalar(node)], None
    else:
        items = loader.construct_sequence(node)  # type: ignore[arg-type]
        names, default = (items[:-1], items[-1]) if len(items) > 1 else (items, None)
    for name in names:
        if isinstance(name, str) and name in os.environ:
            return yaml.safe_load(os.environ[name])
    return default


def _other(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode):
        return loader.construct_scalar(node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node)
    return loader.construct_mapping(node)  # type: ignore[arg-type]


_ConfigLoader.add_constructor("!ENV", _env)
_ConfigLoader.add_multi_constructor("!", _other)
_ConfigLoader.add_multi_constructor("tag:yaml.org,2002:python/", _other)


# Paths writers type ------------------------------------------------------------------------


@dataclass(frozen=True)
class Located:
    """A path given on the command line, inside the content folder."""

    given: str
    rel: str  # relative to the content folder, forward slashes; "" for the folder itself
    is_dir: bool


def locate(content: Path, given: str, *, cwd: Path | None = None, must_exist: bool = True,
           markdown: bool = True) -> Located:
    """Check that ``given`` names a topic (or folder) inside ``content``; say why not.

    Raises ProjectError with a one-line reason: missing, outside the content folder, a
    symlink leading outside it, hidden, or not Markdown.
    """
    cwd = cwd or Path.cwd()
    absolute = Path(os.path.normpath(cwd / given))
    rel = _inside(content, absolute)
    if rel is None:
        if must_exist and not os.path.lexists(absolute):
            raise ProjectError(f"{given}: no such file or folder")
        raise ProjectError(f"{given}: outside the content folder ({_show(content, cwd)})")
    if must_exist:
        if not os.path.lexists(absolute):
            raise ProjectError(f"{given}: no such file or folder")
        real = absolute.resolve()
        if not real.is_relative_to(content):
            raise ProjectError(f"{given}: a symlink leading outside the content folder "
                               f"(to {real})")
        if not real.exists():
            raise ProjectError(f"{given}: a broken symlink (to {real})")
    if any(part.startswith(".") for part in rel.split("/") if part):
        raise ProjectError(f"{given}: hidden files and folders (starting with `.`) are not "
                           "part of the knowledge base")
    is_dir = must_exist and absolute.is_dir()
    if markdown and not is_dir and not rel.endswith(".md"):
        raise ProjectError(f"{given}: not a Markdown topic (topics end in .md)")
    return Located(given, rel, is_dir)


def _inside(content: Path, absolute: Path) -> str | None:
    # Lexically inside the content folder, as written or with the parent folders resolved
    # (the last part is never resolved: a symlink is judged by where it leads, later).
    candidates = [absolute]
    try:
        candidates.append(absolute.parent.resolve() / absolute.name)
    except OSError:
        pass
    for path in candidates:
        for root in (content, Path(os.path.normpath(content))):
            if path == root:
                return ""
            if path.is_relative_to(root):
                return path.relative_to(root).as_posix()
    return None


def _show(content: Path, cwd: Path) -> str:
    try:
        rel = os.path.relpath(content, cwd)
    except ValueError:
        return str(content)
    return str(content) if rel.startswith("..") else rel + "/"


def git_root(start: Path) -> Path | None:
    """The top of the git work tree containing ``start`` (None outside one)."""
    for folder in (start, *start.parents):
        if (folder / ".git").exists():
            return folder
    return None
