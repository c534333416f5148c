#!/usr/bin/env bash
# The full SIGKILL soak: builds the server and the CLI, then runs tests/src/crash.test.ts with
# CRASH_CYCLES kills (default 100) under appendfsync always and again under everysec, and prints
# what was measured. CI runs the same file with a few cycles; this is the long version.
#
#   bash scripts/crash-soak.sh                  # 100 kills per policy
#   CRASH_CYCLES=20 CRASH_SEED=42 bash scripts/crash-soak.sh
#   KV_TARGET=redis bash scripts/crash-soak.sh  # the same soak against redis-server (harness self-test)
#
# Exit status 0 only if both runs passed. Logs and the JSON summaries stay in $CRASH_SOAK_DIR
# (a new temp directory by default).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cycles="${CRASH_CYCLES:-100}"
out="${CRASH_SOAK_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/kv-crash-soak-XXXXXX")}"
mkdir -p "$out"
summary="$out/summary.jsonl"
: >"$summary"

cd "$repo"
echo "building server and cli ..."
npx turbo run build --filter=server --filter=cli --output-logs=errors-only

# The soak restarts the server a hundred times over many minutes; in a shared checkout someone
# may rebuild meanwhile, and a restart would then load half-written dist files. So it runs a
# private copy of the built packages (workspace links are relative, so they resolve inside the
# copy; third-party modules come from the checkout's node_modules, which builds do not touch).
snapshot="$out/build"
rm -rf "$snapshot"
mkdir -p "$snapshot"
ln -s "$repo/node_modules" "$snapshot/node_modules"
for package in apps/server apps/cli packages/core packages/aof packages/protocol; do
  mkdir -p "$snapshot/$package"
  for entry in package.json dist bin node_modules; do
    if [ -e "$repo/$package/$entry" ]; then cp -a "$repo/$package/$entry" "$snapshot/$package/"; fi
  done
done
export KV_SERVER_BIN="$snapshot/apps/server/dist/main.js"
export KV_CLI_BIN="$snapshot/apps/cli/bin/kv.js"
node "$KV_CLI_BIN" check-aof --help >/dev/null

status=0
for policy in always everysec; do
  echo "soak: appendfsync $policy, $cycles kills (log: $out/$policy.log)"
  # nice: the soak is long and the machine is shared; nothing in it asserts on speed.
  if ! (cd tests && CRASH_FSYNC="$policy" CRASH_CYCLES="$cycles" CRASH_SUMMARY_FILE="$summary" \
    nice -n 10 npx vitest run src/crash.test.ts -t "appendfsync $policy" >"$out/$policy.log" 2>&1); then
    echo "soak: appendfsync $policy FAILED; the end of its log:"
    tail -n 60 "$out/$policy.log"
    status=1
  fi
  grep -Eo '\[(always|everysec)\] kill [0-9]+/[0-9]+: .*' "$out/$policy.log" | tail -n 3 || true
done

node - "$summary" <<'EOF'
const { readFileSync } = require("node:fs");
const rows = readFileSync(process.argv[2], "utf8").split("\n").filter(Boolean).map((line) => JSON.parse(line));
if (rows.length === 0) {
  console.log("no summary was written (did a run fail before its end?)");
  process.exit(0);
}
const columns = [
  ["target", (r) => r.target],
  ["appendfsync", (r) => r.policy],
  ["seed", (r) => r.seed],
  ["kills", (r) => r.cycles],
  ["acknowledged writes", (r) => r.acknowledged],
  ["in flight (survived)", (r) => `${r.inFlight} (${r.inFlightSurvived})`],
  ["lost acknowledged", (r) => r.lostAcknowledged],
  ["max loss window ms", (r) => (r.policy === "always" ? "-" : r.maxLossWindowMs)],
  ["truncated tails", (r) => r.truncatedTails],
  ["rewrite cycles (killed before commit)", (r) => `${r.rewriteCycles} (${r.killsBeforeRewriteCommitted})`],
  ["max restart ms", (r) => r.maxRestartMs],
];
console.log(`\n| ${columns.map(([name]) => name).join(" | ")} |`);
console.log(`|${columns.map(() => " ---").join(" |")} |`);
for (const row of rows) console.log(`| ${columns.map(([, value]) => String(value(row))).join(" | ")} |`);
EOF
echo "logs and summary.jsonl in $out"
exit "$status"
