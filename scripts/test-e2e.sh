#!/usr/bin/env bash
# `npm run test:e2e`: the browser suite (Playwright in Debian's Chromium), apart from `npm test`
# for CI's 30 minutes (docs/testing.md, "What npm test leaves out"). On a fresh clone it installs
# what is missing and builds; a build older than the sources is made again. Arguments go to
# Playwright (a spec, --grep …); E2E_FLEET=1 runs it on a two-node fleet (npm run test:e2e:fleet).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x /usr/bin/chromium ]; then
  if [ "${TEST_NO_INSTALL:-}" = 1 ]; then echo "missing Debian package: chromium (see docs/testing.md)" >&2; exit 1; fi
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends chromium >/dev/null
fi
if [ ! -d node_modules ]; then npm ci; fi
if [ ! -d lib/db/generated/sqlite ] || [ ! -d lib/db/generated/postgres ]; then npm run -s db:generate; fi
if [ ! -f .next/BUILD_ID ] || [ -n "$(find app lib components proxy.ts next.config.mjs -newer .next/BUILD_ID -type f -print -quit 2>/dev/null)" ]; then
  echo "building the console (npx next build)…"
  npx next build > .next-build.log 2>&1 || { cat .next-build.log; exit 1; }
fi
exec npx playwright test "$@"
