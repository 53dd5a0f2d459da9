#!/usr/bin/env bash
# The Jenkins job's Apply step: apply exactly the saved plans of the last round
# (scripts/pipeline/cli.ts describes the environment it reads and what it writes).
set -euo pipefail
cd "$(dirname "$0")/../.."
exec node --require tsx/cjs scripts/pipeline/cli.ts apply
