#!/usr/bin/env bash
# The recognition benchmark: the generated test set (crates/decoda-suggest/tests/recognition/set.toml)
# rendered, read by Tesseract and looked up in the sandbox; prints how often the first suggestion is
# the right patient, whether a wrong one was ever offered with high confidence, and the time per page
# against `tesseract` alone on the same page. Needs tesseract-ocr, tesseract-ocr-eng and poppler-utils
# (bash scripts/setup-system.sh). DECODA_KEEP_PAGES=DIR keeps the rendered pages.
set -euo pipefail
cd "$(dirname "$0")/.."
DECODA_REQUIRE_SYSTEM_TOOLS=1 DECODA_RECOGNITION_TIMING=1 \
  cargo test --locked -p decoda-suggest --test recognition -- --nocapture 2>&1 |
  grep -E '^(recognition|  )'
