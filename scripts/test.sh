#!/usr/bin/env bash
# `npm test`: type-check, lint, then every test file in one node:test run (one closing summary).
set -euo pipefail
cd "$(dirname "$0")/.."

echo "# typecheck"
npx tsc --noEmit -p .
echo "# lint"
npx biome ci --colors=off --error-on-warnings .

mapfile -t files < <(find src test examples -name '*.test.ts' -not -path '*/node_modules/*' 2>/dev/null | sort)
exec node --import tsx --test --test-reporter=tap "${files[@]}"
