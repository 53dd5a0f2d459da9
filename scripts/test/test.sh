#!/usr/bin/env bash
# `npm test`: start the real parts the tests use (moto, dockerd), type-check once,
# run every jest test, stop what was started, and print the closing line
# `tests: N passed, N failed, N skipped` from jest's JSON report. A test that
# needs a missing part (test/helpers/real-parts.ts) is skipped, and counted
# here, outside CI; under CI=true it fails, naming the part.
#
# Extra arguments go to jest, e.g. `npm test -- test/agent`.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root" || exit 1
# A directory per run: two runs at once never stop each other's dockerd or moto.
mkdir -p "$root/.test-env"
state=${TEST_ENV_DIR:-$(mktemp -d "$root/.test-env/run.XXXXXX")}
export TEST_ENV_DIR=$state
mkdir -p "$state"

env_lines=$(bash scripts/test/test-env.sh up) || { echo "tests: 0 passed, 1 failed, 0 skipped"; exit 1; }
eval "$env_lines"
trap 'bash scripts/test/test-env.sh down; [[ -n ${KEEP_TEST_ENV:-} ]] || rm -rf "$state"' EXIT

# Terraform installs the aws provider from the machine's mirror when one is
# named (TF_PROVIDER_MIRROR); scripts/lib/terraform-env.ts turns it into a
# CLI config for every terraform the tests run.
status=0
npx tsc --noEmit -p tsconfig.json || { echo "typecheck failed"; status=1; }
# The bundles the stacks publish and the app bundle (scripts/build/app.js),
# built once here rather than by the first test that synthesizes.
node scripts/build/app.js --build-only || status=1

# The agent's end-to-end tests run it on Node.js 22, as the hosts do: fetched once
# into .cache/ here, rather than by two test files at once.
node --require tsx/cjs -e 'console.log("Node.js 22 for the agent:", require("./scripts/lib/node22").node22())' || status=1

report=$state/jest-report.json
rm -f "$report"
npx jest --ci --json --outputFile="$report" "$@" || status=1

node scripts/test/summary.js "$report"
exit $status
