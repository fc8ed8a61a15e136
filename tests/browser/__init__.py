"""The built sites in a real browser: Playwright for Python driving Debian's Chromium."""
