#!/usr/bin/env bash
# `npm test`: type-check, lint, then every test file in one node:test run (one closing summary), with
# one throwaway PostgreSQL cluster for the whole run, always removed afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "# typecheck"
npx tsc --noEmit -p .
echo "# lint"
npx biome ci --colors=off --error-on-warnings .

pg_root=""
stop_pg() {
  if [[ -n "$pg_root" ]]; then PGTMP_ROOT="$pg_root" scripts/pgtmp.sh stop || true; fi
}
trap stop_pg EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

set +e
pg_env="$(scripts/pgtmp.sh start)"
pg_rc=$?
set -e
if ((pg_rc == 0)); then
  pg_root="$(sed -n 's/^export PGTMP_ROOT=//p' <<<"$pg_env")"
  LATCHKEY_TEST_PG_URL="$(sed -n 's/^export DATABASE_URL=//p' <<<"$pg_env")"
  export LATCHKEY_TEST_PG_URL
  echo "# PostgreSQL tests use $LATCHKEY_TEST_PG_URL"
elif [[ "${CI:-}" == "true" ]]; then
  echo "# PostgreSQL could not be started, and CI must run the PostgreSQL tests" >&2
  exit 1
else
  echo "# PostgreSQL tests skipped: no PostgreSQL could be started here (install postgresql-15 to run them)"
fi

mapfile -t files < <(find src test examples -name '*.test.ts' -not -path '*/node_modules/*' 2>/dev/null | sort)
set +e
node --import tsx --conditions=latchkey-source --test --test-reporter=tap "${files[@]}"
rc=$?
set -e
exit "$rc"
