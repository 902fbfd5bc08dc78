#!/usr/bin/env bash
# `npm run demo`: the console with 5 simulated phones, offline, on the embedded SQLite database.
# Installs and builds what is missing, then hands over to scripts/demo.ts.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -d node_modules ]; then npm ci; fi
if [ ! -d lib/db/generated/sqlite ] || [ ! -d lib/db/generated/postgres ]; then npm run -s db:generate; fi
if [ ! -f .next/BUILD_ID ] || [ -n "$(find app components lib proxy.ts instrumentation.ts next.config.mjs -newer .next/BUILD_ID -type f 2>/dev/null | head -1)" ]; then
  echo "Building the console…"
  npx next build > .next-build.log 2>&1 || { cat .next-build.log; exit 1; }
fi
exec npx tsx scripts/demo.ts
