#!/usr/bin/env bash
# The Jenkins job's Plan step: synthesize and plan one round, saving each stack's plan
# (scripts/pipeline/cli.ts describes the environment it reads and what it writes).
set -euo pipefail
cd "$(dirname "$0")/../.."
exec node --require tsx/cjs scripts/pipeline/cli.ts plan
