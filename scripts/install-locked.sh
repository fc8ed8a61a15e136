#!/usr/bin/env bash
# Install kbtools for the publishing jobs from the hashed lock file only: every package is
# pinned and checked against its sha256 (pip --require-hashes), wheels only, no dependency
# resolved at install time, kbtools itself built without fetching a build backend.
#
#   scripts/install-locked.sh            # into .venv
#
# requirements/deploy.txt is compiled from pyproject.toml and requirements/build.in, against
# PyPI itself (no local index or wheel folder: the hashes must be PyPI's), with pip-tools:
#   PIP_CONFIG_FILE=/dev/null pip-compile --generate-hashes --allow-unsafe --strip-extras \
#     --no-emit-index-url --no-emit-find-links --index-url https://pypi.org/simple \
#     --output-file requirements/deploy.txt pyproject.toml requirements/build.in
set -euo pipefail
cd "$(dirname "$0")/.."
venv="${KB_VENV:-.venv}"
python3 -m venv "$venv"
export PIP_DISABLE_PIP_VERSION_CHECK=1
"$venv/bin/pip" install --quiet --require-hashes --no-deps --only-binary :all: \
  -r requirements/deploy.txt
"$venv/bin/pip" install --quiet --no-deps --no-build-isolation --no-index .
"$venv/bin/pip" check
