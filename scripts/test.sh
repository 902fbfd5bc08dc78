#!/usr/bin/env bash
# `npm test`: everything, in the order that fails fastest. First installs what a fresh machine
# lacks (one named step; TEST_NO_INSTALL=1 refuses instead).
set -euo pipefail
cd "$(dirname "$0")/.."

stage() { printf '\n=== %s (%ss) ===\n' "$1" "$SECONDS"; }

stage "prerequisites (docs/testing.md, \"What the machine needs\")"
# One explicit step, before anything runs: Debian packages the suite needs and a fresh machine
# lacks are named and installed here (TEST_NO_INSTALL=1: name them and stop instead).
#   chromium    the browser Playwright drives (/usr/bin/chromium)
#   prometheus  promtool, which checks /api/metrics and docs/monitoring's alert rules
#   postgresql  the server on 127.0.0.1:5432 and initdb/pg_ctl for tests that run their own
pg_bindir() {
  if [ -n "${PG_BIN:-}" ] && [ -x "$PG_BIN/initdb" ]; then echo "$PG_BIN"; return; fi
  local dir
  dir=$(pg_config --bindir 2>/dev/null || true)
  if [ -n "$dir" ] && [ -x "$dir/initdb" ]; then echo "$dir"; return; fi
  for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k4 -rn); do
    if [ -x "$dir/initdb" ]; then echo "$dir"; return; fi
  done
}
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v promtool >/dev/null || missing+=(prometheus)
[ -n "$(pg_bindir)" ] || missing+=(postgresql)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "${TEST_NO_INSTALL:-}" = 1 ]; then
    echo "missing Debian packages: ${missing[*]} (see docs/testing.md)" >&2
    exit 1
  fi
  echo "installing the missing Debian packages: ${missing[*]}"
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
echo "PostgreSQL server programs: $(pg_bindir)"
if [ ! -d node_modules ]; then npm ci; fi
if [ ! -d lib/db/generated/sqlite ] || [ ! -d lib/db/generated/postgres ]; then npm run -s db:generate; fi
if ! pg_isready -q -h 127.0.0.1 -p 5432; then
  # The cluster that listens on 5432, whichever version it is (several may be installed).
  cluster=$(pg_lsclusters --no-header 2>/dev/null | awk '$3 == 5432 { print $1, $2; exit }')
  if [ -z "$cluster" ]; then
    echo "no PostgreSQL cluster is configured on port 5432 (pg_lsclusters); see docs/testing.md" >&2
    exit 1
  fi
  # shellcheck disable=SC2086 # "version name"
  pg_ctlcluster --skip-systemctl-redirect $cluster start
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
  pg_isready -q -h 127.0.0.1 -p 5432 || { echo "PostgreSQL $cluster did not start on 5432" >&2; exit 1; }
fi
stage "lint"
npx eslint .
stage "typecheck"
# The typed client's types are made from the route contracts each run (scripts/api-types.ts), so
# the check below compiles it against the document as it is now.
npm run -s api:types
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
# The browser suite runs apart (npm run test:e2e; on a two-node fleet: npm run test:e2e:fleet):
# with it, after the integration lanes or in their second lane, `npm test` took 32 to 35 minutes on
# CI's 2-CPU machine, past its 30 (docs/testing.md, "What npm test leaves out").
stage "all tests passed"
