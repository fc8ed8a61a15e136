"""kbtools: one Markdown knowledge base, a public site and a members site."""

from .core.diagnostics import Diagnostic, Severity
from .core.sites import Site

__version__ = "0.1.0"
__all__ = ["Diagnostic", "Severity", "Site", "__version__"]
