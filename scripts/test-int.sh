#!/usr/bin/env bash
# `npm run test:int`: the integration tests in two lanes side by side, so that `npm test` stays
# under CI's 30 minutes (docs/testing.md, "Two lanes"). The second lane holds the files that spend
# most of their time waiting on timers (a receiver down for 60 s, a hanging receiver's 5 s
# timeouts, the 60 s fault storm), the fast failover test and the paused node's live view, then
# the engine matrix (the session and message tests on Baileys 7), then five first-lane files that
# balance the two; every test already passes beside
# two CPU hogs, and the other lane is at most one. Each lane runs its files one at a time.
set -uo pipefail
cd "$(dirname "$0")/.."

# Run by `npm run test:int:fleet` only (several console or node processes for a minute or more).
fleet_only=(
  test/integration/fleet/messages-failover.test.ts
  test/integration/platform/demo-fleet.test.ts
  test/integration/platform/token-revocation.test.ts
  test/integration/fleet/monitoring-two-nodes.test.ts
)
second_lane=(
  test/integration/reliability/storms.test.ts
  test/integration/reliability/webhook-failures.test.ts
  test/integration/reliability/webhook-outage.test.ts
  test/integration/fleet/fast-failover.test.ts
  test/integration/fleet/pause-view.test.ts
)
# First-lane files run at the end of the second lane instead, so that the two lanes end together:
# on a quiet 2-CPU machine the first lane took 1366 s and the second 859 s with the matrix
# (December 7, 63ea348); these five are about 260 s of the first lane. None is timer-bound.
second_lane_tail=(
  test/integration/reliability/api-fuzz.test.ts
  test/integration/alerts/alerts-smtp.test.ts
  test/integration/platform/user-cli.test.ts
  test/integration/migrations.test.ts
  test/integration/api/sessions-api.test.ts
)
skip=" ${fleet_only[*]} ${second_lane[*]} ${second_lane_tail[*]} "
first_lane=()
while IFS= read -r f; do
  [[ "$skip" == *" $f "* ]] || first_lane+=("$f")
done < <(find test/integration -name '*.test.ts' | sort)

run() { node --expose-gc --import tsx --test --test-concurrency=1 "$@"; }
# The engine matrix (issue 25), after the second lane's own files: the session and message tests
# again with every phone on Baileys 7 (`npm run test:int:baileys-7` runs it alone; about 4.5 min).
matrix=()
while IFS= read -r f; do matrix+=("$f"); done < <(find test/integration/sessions test/integration/messages -name '*.test.ts' | sort)
second_and_matrix() {
  run "${second_lane[@]}"
  local rc=$?
  echo "=== engine matrix: TEST_ENGINE=baileys-7 (test/integration/sessions, test/integration/messages) ==="
  TEST_ENGINE=baileys-7 run "${matrix[@]}" || rc=1
  echo "=== the first lane's files run here to balance the lanes (${second_lane_tail[*]}) ==="
  run "${second_lane_tail[@]}" || rc=1
  return "$rc"
}

log=$(mktemp)
trap 'rm -f "$log"' EXIT
second_and_matrix > "$log" 2>&1 &
second=$!
run "${first_lane[@]}"
first_rc=$?
wait "$second"
second_rc=$?
echo "=== integration, second lane (${second_lane[*]}, then the engine matrix, then ${second_lane_tail[*]}) ==="
cat "$log"
echo "integration lanes: first exit $first_rc, second exit $second_rc"
[ "$first_rc" -eq 0 ] && [ "$second_rc" -eq 0 ]
