#!/usr/bin/env bash
# kill -9 campaign (issue 14), one command: runs server/src/test/java/io/vigil/server/it/KillCampaignIT
# with BENCH_KILLS SIGKILLs of a Vigil process at random moments while JSON, line protocol,
# remote_write and Kafka writers load it and P1 faults fire and page a local receiver (real
# PostgreSQL and a real KRaft broker, the integration tests' own; Kafka samples count once the
# broker acknowledged them to the producer). After each restart it checks that every acknowledged sample is stored, no
# fingerprint has two faults or tickets, no SLA due time moved and every acknowledged fault fired; at
# the end that every fault paged with one idempotency key. Prints kills survived, samples
# acknowledged/stored and start-to-ready p50/p99, also in bench/results/kill9-last-run.md. Exits
# non-zero on any loss. The default suite runs the same test with 3 kills.
#
# Settings (environment): BENCH_KILLS (100), BENCH_KILLS_SEED (20261207), BENCH_OUT
# (bench/results/kill9-last-run.md). Not part of any test suite.
set -euo pipefail
BENCH="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=bench/lib.sh
. "$BENCH/lib.sh"
N="${BENCH_KILLS:-100}"
SEED="${BENCH_KILLS_SEED:-20261207}"
it_campaign KillCampaignIT kill-campaign-report.md "${BENCH_OUT:-$BENCH/results/kill9-last-run.md}" "BENCH_KILLS=$N bash bench/kill9.sh" -Dvigil.kills="$N" -Dvigil.kills.seed="$SEED"
