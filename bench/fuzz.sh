#!/usr/bin/env bash
# Fuzzing campaign (issue 14), one command: runs server/src/test/java/io/vigil/server/it/FuzzIT
# with BENCH_FUZZ_N bodies per protocol (JSON ingest, line protocol, remote_write, alert intake,
# POST /api/v1/tickets) against a real Vigil and PostgreSQL (the integration tests' own), prints
# the counts by status and writes them to bench/results/fuzz-last-run.md. Exits non-zero on any
# 5xx, any request left unanswered, any blocked event loop, or any data of a refused body stored.
# The default suite runs the same test with 4,000 bodies per protocol.
#
# Settings (environment): BENCH_FUZZ_N (1000000), BENCH_FUZZ_SEED (20261207; a failure replays
# with the same seed), BENCH_OUT (bench/results/fuzz-last-run.md). Not part of any test suite.
set -euo pipefail
BENCH="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$BENCH")"
N="${BENCH_FUZZ_N:-1000000}"
SEED="${BENCH_FUZZ_SEED:-20261207}"
OUT="${BENCH_OUT:-$BENCH/results/fuzz-last-run.md}"
LOG="$BENCH/results/fuzz-last-run.log"
START=$(date +%s)
rc=0
mvn -B -q -f "$ROOT/pom.xml" -pl server -am verify -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false \
  -Dit.test=FuzzIT -Dfailsafe.failIfNoSpecifiedTests=false -Dvigil.fuzz.n="$N" -Dvigil.fuzz.seed="$SEED" >"$LOG" 2>&1 || rc=$?
{
  cat "$ROOT/server/target/fuzz-report.md" 2>/dev/null || echo "(no report: the run failed before the end; see $LOG)"
  echo
  echo "Run $(date -u '+%Y-%m-%d %H:%M UTC'), $(( $(date +%s) - START )) s, by \`BENCH_FUZZ_N=$N bash bench/fuzz.sh\`;" \
    "$(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'). Result: $([ "$rc" = 0 ] && echo passed || echo "FAILED (see bench/results/fuzz-last-run.log)")."
} >"$OUT"
cat "$OUT"
grep -E "FuzzIT.*(FAIL|expected)|AssertionFailed" "$LOG" | head -20 || true
exit "$rc"
