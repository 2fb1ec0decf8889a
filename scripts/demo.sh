#!/usr/bin/env bash
# Placeholder: the end-to-end demo (throwaway PostgreSQL + fake-hubspot + a real two-way sync) arrives
# with the sync engine. Until then this script says so and exits non-zero rather than pretending.
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
die "the demo is not implemented yet: the sync engine has not landed. Run scripts/test.sh to see what works."
