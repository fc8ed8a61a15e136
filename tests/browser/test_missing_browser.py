"""Without Chromium the browser tests skip on a developer's machine and fail in CI."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ROOT

TEST = Path(__file__).with_name("test_journeys.py")


@pytest.mark.parametrize(("ci", "outcome", "code"), [("true", "error", 1), ("", "skipped", 0)])
def test_missing_chromium_fails_in_ci_and_skips_elsewhere(ci: str, outcome: str, code: int,
                                                          tmp_path: Path) -> None:
    env = {**os.environ, "CI": ci, "KB_CHROMIUM": str(tmp_path / "not-installed")}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", f"{TEST}::test_search_results_show_the_audience",
         "-q", "-p", "no:cacheprovider", "-rfs", f"--basetemp={tmp_path / 'run'}"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    summary = result.stdout.strip().splitlines()[-1]
    assert f"1 {outcome}" in summary, result.stdout[-2000:]
    assert result.returncode == code, result.stdout[-2000:]
    assert "Chromium is not installed" in result.stdout, result.stdout[-2000:]
