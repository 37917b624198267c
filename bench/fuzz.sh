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
# shellcheck source=bench/lib.sh
. "$BENCH/lib.sh"
N="${BENCH_FUZZ_N:-1000000}"
SEED="${BENCH_FUZZ_SEED:-20261207}"
it_campaign FuzzIT fuzz-report.md "${BENCH_OUT:-$BENCH/results/fuzz-last-run.md}" "BENCH_FUZZ_N=$N bash bench/fuzz.sh" -Dvigil.fuzz.n="$N" -Dvigil.fuzz.seed="$SEED"
