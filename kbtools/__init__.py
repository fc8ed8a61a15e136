"""kbtools: one Markdown knowledge base, a public site and a members site."""

from kbtools.core.model.diagnostics import Diagnostic, Severity
from kbtools.core.site.plan import Site

__version__ = "0.1.0"
__all__ = ["Diagnostic", "Severity", "Site", "__version__"]
