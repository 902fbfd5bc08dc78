#!/usr/bin/env bash
# `npm test`: everything, in the order that fails fastest. Installs what a fresh machine lacks.
set -euo pipefail
cd "$(dirname "$0")/.."

stage() { printf '\n=== %s (%ss) ===\n' "$1" "$SECONDS"; }

stage "prerequisites"
if [ ! -d node_modules ]; then npm ci; fi
if [ ! -d lib/db/generated/sqlite ] || [ ! -d lib/db/generated/postgres ]; then npm run -s db:generate; fi
if [ ! -x /usr/bin/chromium ]; then
  (apt-get update -qq && apt-get install -y -qq chromium) >/dev/null
fi
# promtool (Debian's prometheus package) checks /api/metrics and docs/monitoring's alert rules.
if ! command -v promtool >/dev/null; then
  (apt-get update -qq && apt-get install -y -qq --no-install-recommends prometheus) >/dev/null
fi
if ! pg_isready -q -h 127.0.0.1 -p 5432; then
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql)" main start
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
fi

stage "lint"
npx eslint .
stage "typecheck"
npx tsc --noEmit
stage "unit tests"
npm run -s test:unit
if [ -d simulator/test ]; then
  stage "simulator tests"
  npm run -s test:sim
fi
stage "build"
npx next build > .next-build.log 2>&1 || { cat .next-build.log; exit 1; }
stage "integration tests (SQLite and PostgreSQL)"
npm run -s test:int
stage "end-to-end tests (Chromium)"
npx playwright test
stage "all tests passed"
