#!/usr/bin/env bash
# Notification benchmark (docs/NOTIFICATIONS.md), one run, two parts:
#  1. Fault → webhook latency, group_wait 0, for Vigil and for Debian's Prometheus + Alertmanager on the
#     same data: each repetition is a new host whose gauge `up` appears at 0 at time T. For Vigil the
#     driver POSTs that sample to /api/v1/ingest at T (rule SystemDown: up == 0, for 0s); for the peer
#     the driver's /metrics shows it from T (scrape and evaluation every 1 s, rule for: 0s, Alertmanager
#     group_wait 0s). The receiver (bench/notify/receiver.py, Python stdlib, threaded) records the
#     receipt; latency = receipt − T, per host, first 2xx receipt.
#  2. Outbox drain: the receiver answers 503 for NOTIFY_OUTAGE_S while NOTIFY_N faults are raised
#     through ingest (N distinct hosts, up=0, NOTIFY_BATCH samples a POST; group_by includes host, so
#     each is its own notification), then answers 200: time from its return to the last delivery,
#     notifications/s, distinct Idempotency-Keys received (must be N), duplicates.
# Vigil's bench config sets notify.retry_cap 5s (default 5 min) so the first probe after the outage
# comes within 5 s, and VIGIL_ALERT_RESOLVE_TIMEOUT=6h so no fault of the run resolves (no resolved
# notifications mixed into the counts). Writes bench/results/notify-last-run.md; stops everything it started.
#
# Settings: NOTIFY_OUTAGE_S (600), NOTIFY_N (100000), NOTIFY_BATCH (5000), NOTIFY_LAT_N (100, Vigil
# repetitions), NOTIFY_PEER_N (100), NOTIFY_SPACING_MS (200), BENCH_SKIP_BUILD (0), BENCH_JAR,
# BENCH_BUDGET (3600), BENCH_VIGIL_JAVA_OPTS (-Xmx1g), BENCH_OUT (bench/results/notify-last-run.md).
# Not part of any test suite.
set -euo pipefail
BENCH="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$BENCH")"
# shellcheck source=bench/lib.sh
. "$BENCH/lib.sh"
OUTAGE="${NOTIFY_OUTAGE_S:-600}"
N="${NOTIFY_N:-100000}"
BATCH="${NOTIFY_BATCH:-5000}"
LAT_N="${NOTIFY_LAT_N:-100}"
PEER_N="${NOTIFY_PEER_N:-100}"
SPACING="${NOTIFY_SPACING_MS:-200}"
BUDGET="${BENCH_BUDGET:-3600}"
VIGIL_JAVA_OPTS="${BENCH_VIGIL_JAVA_OPTS:--Xmx1g}"
OUT="${BENCH_OUT:-$BENCH/results/notify-last-run.md}"
PROM="${NOTIFY_PROMETHEUS:-/usr/bin/prometheus}"
AM="${NOTIFY_ALERTMANAGER:-/usr/bin/prometheus-alertmanager}"
for tool in java mvn curl python3 "$PROM" "$AM"; do command -v "$tool" >/dev/null || die "$tool is required"; done
PGBIN="$(pg_bindir)"
PY="$BENCH/notify"
PROBLEMS=()

RECV_PID=""; EXP_PID=""; PROM_PID=""; AM_PID=""
bench_begin vigil-notify "$BUDGET" "(logs in bench/results/notify-last-run-*.log)"
at_exit_stop PROM_PID TERM
at_exit_stop AM_PID TERM
at_exit_stop EXP_PID TERM
at_exit_stop VIGIL_PID TERM
at_exit_stop RECV_PID TERM
at_exit_keep "$WORK/vigil.log" "$BENCH/results/notify-last-run-vigil.log"
at_exit_keep "$WORK/prometheus.log" "$BENCH/results/notify-last-run-prometheus.log"
at_exit_keep "$WORK/alertmanager.log" "$BENCH/results/notify-last-run-alertmanager.log"

if [ "${BENCH_SKIP_BUILD:-0}" != 1 ] && [ -z "${BENCH_JAR:-}" ]; then
  build_vigil "$ROOT/pom.xml" package 300 1 "$WORK/build.log"
fi
copy_jar "${BENCH_JAR:-$ROOT/server/target/vigil.jar}" "$WORK/vigil.jar"

# ---- receiver -----------------------------------------------------------------------------
RPORT="$(free_port)"; RURL="http://127.0.0.1:$RPORT"
python3 "$PY/receiver.py" "$RPORT" >"$WORK/receiver.log" 2>&1 & RECV_PID=$!
for _ in $(seq 1 50); do curl -fsS "$RURL/_stats" >/dev/null 2>&1 && break; sleep 0.1; done
curl -fsS "$RURL/_stats" >/dev/null || die "receiver did not start"
# rstat PATH FIELD: a field of the receiver's per-path stats (0 when the path has none yet)
rstat() { curl -fsS "$RURL/_stats" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d.get(sys.argv[1], {}).get(sys.argv[2], 0) or 0)' "$1" "$2"; }

# ---- Vigil --------------------------------------------------------------------------------
cat >"$WORK/vigil-rules.yaml" <<YAML
rules:
  - name: SystemDown
    expr: up == 0
    for: 0s
    severity: P1
    annotations: {summary: "{{ \$labels.system }} on {{ \$labels.host }} is down"}
notify:
  retry_base: 1s
  retry_cap: 5s
route:
  receiver: lat
  group_by: [alertname, customer, system, host]
  group_wait: 0s
  routes:
    - matchers: ['customer="box"']
      receiver: box
receivers:
  - name: lat
    webhook_configs: [{url: $RURL/vigil, timeout: 5s}]
  - name: box
    webhook_configs: [{url: $RURL/box, timeout: 5s}]
YAML
PGPORT="$(free_port)"
pg_start "$PGBIN" "$WORK/pg" "$PGPORT" -c shared_buffers=512MB -c max_wal_size=4GB
TOKEN="$(new_token)"
PORT="$(free_port)"; URL="http://127.0.0.1:$PORT"
start_vigil "$WORK/vigil.jar" "$WORK/vigil.log" "$PORT" "$VIGIL_JAVA_OPTS" \
  VIGIL_DATABASE_URL="postgresql://postgres@127.0.0.1:$PGPORT/vigil" VIGIL_RULES="$WORK/vigil-rules.yaml" VIGIL_ADMIN_TOKEN="$TOKEN" \
  VIGIL_MAX_NEW_SERIES_PER_MINUTE=100000000 VIGIL_MAX_SAMPLES_PER_REQUEST=100000 VIGIL_ALERT_RESOLVE_TIMEOUT=6h
say "Vigil on $URL, receiver on $RURL ($(elapsed)s)"

# ---- 1a. Vigil latency --------------------------------------------------------------------
# Warm-up: 5 faults not counted (JIT, connection pools), then LAT_N timed flips SPACING ms apart.
python3 "$PY/driver.py" vigil-flips "$URL" "$TOKEN" 5 "$SPACING" "$WORK/warm.t" warm-v || die "Vigil warm-up ingest failed"
sleep 2
say "Vigil latency: $LAT_N flips ${SPACING} ms apart"
run_child python3 "$PY/driver.py" vigil-flips "$URL" "$TOKEN" "$LAT_N" "$SPACING" "$WORK/vigil.t" lat-v || die "Vigil ingest failed"
for _ in $(seq 1 100); do [ "$(rstat /vigil keys)" -ge $(( LAT_N + 5 )) ] && break; sleep 0.1; done
sleep 1
curl -fsS -X POST "$RURL/_dump?file=$WORK/lat.jsonl" >/dev/null
VIGIL_LAT="$(python3 "$PY/analyze.py" latency "$WORK/vigil.t" "$WORK/lat.jsonl" /vigil)"
say "Vigil: $VIGIL_LAT"
VIGIL_SEND_MS="$(curl -fsS "$URL/metrics" | awk '/^vigil_notify_request_seconds_sum/ {s=$NF} /^vigil_notify_request_seconds_count/ {c=$NF} END {if (c) printf "%.1f ms over %d requests", 1000*s/c, c}')"

# ---- 1b. Prometheus + Alertmanager latency -------------------------------------------------
EPORT="$(free_port)"; PPORT="$(free_port)"; APORT="$(free_port)"
mkdir -p "$WORK/prom" "$WORK/am"
cat >"$WORK/prom/prometheus.yml" <<YAML
global: {scrape_interval: 1s, evaluation_interval: 1s}
rule_files: [rules.yml]
alerting:
  alertmanagers: [{static_configs: [{targets: ['127.0.0.1:$APORT']}]}]
scrape_configs:
  - job_name: driver
    static_configs: [{targets: ['127.0.0.1:$EPORT']}]
YAML
# up{host!=""}: the same series as Vigil's rule sees; the filter only keeps Prometheus's own
# synthetic up{job,instance} (no host label) out of the rule.
cat >"$WORK/prom/rules.yml" <<'YAML'
groups:
  - name: bench
    rules:
      - alert: SystemDown
        expr: up{host!=""} == 0
        for: 0s
        labels: {severity: P1}
YAML
cat >"$WORK/am/alertmanager.yml" <<YAML
route:
  receiver: bench
  group_by: [alertname, customer, system, host]
  group_wait: 0s
  group_interval: 1s
  repeat_interval: 1h
receivers:
  - name: bench
    webhook_configs: [{url: '$RURL/peer', send_resolved: false}]
YAML
python3 "$PY/driver.py" exporter "$EPORT" "$PEER_N" "$SPACING" "$WORK/peer.t" >"$WORK/exporter.log" 2>&1 & EXP_PID=$!
"$AM" --config.file="$WORK/am/alertmanager.yml" --storage.path="$WORK/am/data" --web.listen-address="127.0.0.1:$APORT" \
  --cluster.listen-address= >"$WORK/alertmanager.log" 2>&1 & AM_PID=$!
"$PROM" --config.file="$WORK/prom/prometheus.yml" --storage.tsdb.path="$WORK/prom/data" --web.listen-address="127.0.0.1:$PPORT" \
  >"$WORK/prometheus.log" 2>&1 & PROM_PID=$!
for _ in $(seq 1 120); do
  curl -fsS "http://127.0.0.1:$PPORT/api/v1/targets" 2>/dev/null | grep -q '"health":"up"' \
    && curl -fsS "http://127.0.0.1:$APORT/-/ready" >/dev/null 2>&1 && break
  sleep 0.5
done
curl -fsS "http://127.0.0.1:$PPORT/api/v1/targets" | grep -q '"health":"up"' || die "Prometheus does not scrape the driver"
sleep 3
PEER_VERSIONS="$("$PROM" --version 2>&1 | head -n 1 | awk '{print $3}') / $("$AM" --version 2>&1 | head -n 1 | awk '{print $3}')"
say "Prometheus + Alertmanager ($PEER_VERSIONS): $PEER_N flips ${SPACING} ms apart"
curl -fsS -X POST "http://127.0.0.1:$EPORT/_go" >/dev/null
for _ in $(seq 1 $(( PEER_N * SPACING / 100 + 300 ))); do
  grep -q '^done' "$WORK/peer.t" 2>/dev/null && [ "$(rstat /peer accepted)" -ge "$PEER_N" ] && break
  sleep 0.1
done
sleep 3
curl -fsS -X POST "$RURL/_dump?file=$WORK/lat.jsonl" >/dev/null
PEER_LAT="$(python3 "$PY/analyze.py" latency "$WORK/peer.t" "$WORK/lat.jsonl" /peer)"
say "peer: $PEER_LAT"
for v in PROM_PID AM_PID EXP_PID; do stop_pid "${!v}"; printf -v "$v" '%s' ""; done

# ---- 2. outbox: receiver down for OUTAGE s while N notifications queue, then back ----------
BASE="$(sql "SELECT count(*) FROM notify_deliveries WHERE receiver = 'box'")"
T_FAIL="$(curl -fsS -X POST "$RURL/_mode/fail" | python3 -c 'import json,sys; print(json.load(sys.stdin)["t"])')"
say "outbox: receiver failing (503); raising $N faults through ingest, $BATCH samples a POST"
run_child python3 "$PY/driver.py" fill "$URL" "$TOKEN" "$N" "$BATCH" "$WORK/fill.out" || die "fill failed"
FILL="$(cat "$WORK/fill.out")"
say "$FILL"
T0=$(date +%s.%N); QUEUED=0
while :; do
  QUEUED=$(( $(sql "SELECT count(*) FROM notify_deliveries WHERE receiver = 'box'") - BASE ))
  [ "$QUEUED" -ge "$N" ] && break
  python3 -c "import sys,time; sys.exit(time.time() - $T_FAIL < $OUTAGE + 1800)" && break
  sleep 1
done
QUEUED_S="$(python3 -c "import time; print(f'{time.time() - $T_FAIL:.1f}')")"
say "$QUEUED deliveries queued ${QUEUED_S}s after the outage began"
[ "$QUEUED" -ge "$N" ] || PROBLEMS+=("only $QUEUED of $N deliveries were queued by the end of the wait")
LATE=""
if python3 -c "import sys,time; sys.exit(time.time() - $T_FAIL < $OUTAGE)"; then
  LATE="queuing took ${QUEUED_S}s, longer than the outage: the receiver came back as soon as all were queued"
  PROBLEMS+=("$LATE")
else
  run_child python3 -c "import time; time.sleep(max(0, $T_FAIL + $OUTAGE - time.time()))"
fi
REFUSED="$(rstat /box refused)"
T_OK="$(curl -fsS -X POST "$RURL/_mode/ok" | python3 -c 'import json,sys; print(json.load(sys.stdin)["t"])')"
OUTAGE_REAL="$(python3 -c "print(f'{$T_OK - $T_FAIL:.1f}')")"
say "receiver healthy after ${OUTAGE_REAL}s ($REFUSED attempts refused meanwhile); draining …"
DRAIN_LIMIT=$(( N / 20 + 120 ))
for _ in $(seq 1 "$DRAIN_LIMIT"); do
  [ "$(rstat /box keys)" -ge "$N" ] && break
  sleep 1
done
sleep 5   # late duplicates, if any
UNSENT="$(sql "SELECT count(*) FROM notify_deliveries WHERE delivered_at IS NULL")"
DEAD="$(sql "SELECT count(*) FROM notify_deliveries WHERE dead_at IS NOT NULL" 2>/dev/null || echo "?")"
curl -fsS -X POST "$RURL/_dump?file=$WORK/all.jsonl" >/dev/null
BOX="$(python3 "$PY/analyze.py" outbox "$WORK/all.jsonl" /box "$N" "$T_OK")"
say "$BOX; undelivered in the database: $UNSENT"
[ "$(kv "$BOX" keys)" = "$N" ] || PROBLEMS+=("distinct idempotency keys received: $(kv "$BOX" keys), expected $N")
[ "$UNSENT" = 0 ] || PROBLEMS+=("$UNSENT deliveries still undelivered in the database at the end")
VIGIL_CPU="$(cpu_s "$VIGIL_PID")"; VIGIL_RSS="$(rss_mib "$VIGIL_PID")"

# ---- report ------------------------------------------------------------------------------
# row NAME LAT_RESULT: a latency table row
row() { echo "| $1 | $(kv "$2" p50) | $(kv "$2" p99) | $(kv "$2" max) | $(kv "$2" min) | $(kv "$2" n) of $(kv "$2" sent) |"; }
VP99="$(kv "$VIGIL_LAT" p99)"
python3 -c "import sys; sys.exit(float('${VP99:-inf}') > 20)" || PROBLEMS+=("Vigil p99 ${VP99} ms is above the 20 ms target")
[ "$(kv "$VIGIL_LAT" missing)" = 0 ] || PROBLEMS+=("Vigil: $(kv "$VIGIL_LAT" missing) flips never reached the receiver")
[ "$(kv "$PEER_LAT" missing)" = 0 ] || PROBLEMS+=("peer: $(kv "$PEER_LAT" missing) flips never reached the receiver")
[ "$(kv "$BOX" duplicates)" = 0 ] || PROBLEMS+=("$(kv "$BOX" duplicates) duplicate deliveries ($(kv "$BOX" dup_other_body) with the same key but other hosts)")
CMD="NOTIFY_OUTAGE_S=$OUTAGE NOTIFY_N=$N bash bench/notify.sh"
{
  echo "# Notifications: last run"
  echo
  echo "\`$CMD\` on $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores ($(cpu_model)) **shared with other engineers' builds and tests** (figures are from a busy machine), PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') (fsync on, synchronous_commit on), Vigil \`$VIGIL_JAVA_OPTS\`, peer Prometheus / Alertmanager $PEER_VERSIONS (Debian). Receiver: bench/notify/receiver.py (Python stdlib, a thread per connection)."
  echo
  echo "## 1. Fault → webhook received, group_wait 0"
  echo
  echo "Each repetition is a new host whose \`up\` appears at 0 at T, ${SPACING} ms apart; latency = receipt at the receiver − T, ms."
  echo "Vigil: the driver POSTs the sample to \`/api/v1/ingest\` at T (rule \`up == 0\`, for 0s, P1; route group_by [alertname, customer, system, host], group_wait 0s; 5 untimed warm-up flips first)."
  echo "Peer: the driver's \`/metrics\` shows it from T; scrape and evaluation interval 1s, rule \`up{host!=\"\"} == 0\` for 0s, Alertmanager group_wait 0s, group_interval 1s (\`--cluster.listen-address=\`, no gossip)."
  echo
  echo "| system | median | p99 | max | min | n |"
  echo "| --- | ---: | ---: | ---: | ---: | ---: |"
  row "Vigil" "$VIGIL_LAT"
  row "Prometheus + Alertmanager" "$PEER_LAT"
  echo
  echo "Target: Vigil p99 ≤ 20 ms. Vigil's own webhook request time (vigil_notify_request_seconds, mean): ${VIGIL_SEND_MS:-n/a}."
  echo
  echo "## 2. Outbox: receiver down, then back"
  echo
  echo "Receiver answered 503 for ${OUTAGE_REAL} s (asked: ${OUTAGE} s) while $N faults were raised through ingest ($N distinct hosts, up=0, $BATCH samples a POST; one notification each, group_by includes host). Vigil's bench config: \`notify: {retry_base: 1s, retry_cap: 5s}\` (default cap 5 min) so the first probe after the outage comes within 5 s; webhook max_concurrency default (4)."
  echo
  echo "| figure | value |"
  echo "| --- | ---: |"
  echo "| ingest of the $N samples | $(kv "$FILL" seconds) s ($(kv "$FILL" retries_503) 503 retries) |"
  echo "| all $QUEUED deliveries queued, after the outage began | ${QUEUED_S} s |"
  echo "| attempts refused during the outage | $(kv "$BOX" refused_during) |"
  echo "| receiver back → first delivery | $(kv "$BOX" first_ok_after) s |"
  echo "| receiver back → last delivery (drain) | **$(kv "$BOX" drain_s) s** |"
  echo "| throughput over the drain | **$(kv "$BOX" rate) notifications/s** ($(kv "$BOX" rate_from_first)/s from the first delivery) |"
  echo "| distinct Idempotency-Keys received | $(kv "$BOX" keys) (expected $N) |"
  echo "| duplicates (same key again) | $(kv "$BOX" duplicates) |"
  echo "| undelivered rows left in notify_deliveries | $UNSENT (dead: $DEAD) |"
  echo "| Vigil CPU over the whole run / RSS at the end | ${VIGIL_CPU} s / ${VIGIL_RSS} MiB |"
  echo
  problems_section "None." "${PROBLEMS[@]}"
} >"$WORK/report.md"
publish_report "$WORK/report.md" "$OUT"
