#!/usr/bin/env bash
# Service report benchmark (docs/REPORTS.md): builds the jar, starts a throwaway PostgreSQL (fsync
# on) and Vigil on it (which applies the migrations), loads bench/reports/generate.sql (50
# customers, 1,000,000 tickets and 10,000,000 ticket_events over 2025; the report's ticket_facts rebuilt
# at its end), VACUUM ANALYZEs, then times through
# the real endpoint with curl:
#   (a) one customer's monthly report   GET /api/v1/reports/service?customer=cust07&from=2025-06-01&to=2025-07-01
#       (and the printable page /reports/service/cust07/2025-06, and a December month)
#   (b) the all-customer yearly report  GET /api/v1/reports/service?from=2025-01-01&to=2026-01-01
# each BENCH_REPORT_RUNS times after one warm-up, reporting median and max; then EXPLAIN ANALYZE of
# both statements. Writes bench/results/reports-last-run.md; stops everything it started.
#
# Settings: BENCH_REPORT_RUNS (7), BENCH_SKIP_BUILD (0), BENCH_JAR (a prebuilt jar; skips the
# build), BENCH_PG_OPTS (-c shared_buffers=1GB -c max_wal_size=4GB), BENCH_BUDGET (1200),
# BENCH_VIGIL_JAVA_OPTS (-Xmx512m), BENCH_OUT (bench/results/reports-last-run.md).
# Not part of any test suite.
set -euo pipefail
BENCH="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$BENCH")"
# shellcheck source=bench/lib.sh
. "$BENCH/lib.sh"
RUNS="${BENCH_REPORT_RUNS:-7}"
BUDGET="${BENCH_BUDGET:-1200}"
PG_OPTS="${BENCH_PG_OPTS:--c shared_buffers=1GB -c max_wal_size=4GB}"
VIGIL_JAVA_OPTS="${BENCH_VIGIL_JAVA_OPTS:--Xmx512m}"
OUT="${BENCH_OUT:-$BENCH/results/reports-last-run.md}"
for tool in java mvn curl python3; do command -v "$tool" >/dev/null || die "$tool is required"; done
PGBIN="$(pg_bindir)"

bench_begin vigil-reports "$BUDGET" "(logs in bench/results/reports-last-run-*.log)"
at_exit_stop VIGIL_PID TERM
at_exit_keep "$WORK/vigil.log" "$BENCH/results/reports-last-run-vigil.log"
at_exit_keep "$WORK/generate.log" "$BENCH/results/reports-last-run-generate.log"

if [ "${BENCH_SKIP_BUILD:-0}" != 1 ] && [ -z "${BENCH_JAR:-}" ]; then
  build_vigil "$ROOT/pom.xml" package 300 1 "$WORK/build.log"
fi
copy_jar "${BENCH_JAR:-$ROOT/server/target/vigil.jar}" "$WORK/vigil.jar"

PGPORT="$(free_port)"
# shellcheck disable=SC2086 # a list of server options
pg_start "$PGBIN" "$WORK/pg" "$PGPORT" $PG_OPTS
TOKEN="$(new_token)"
PORT="$(free_port)"
URL="http://127.0.0.1:$PORT"
start_vigil "$WORK/vigil.jar" "$WORK/vigil.log" "$PORT" "$VIGIL_JAVA_OPTS" \
  VIGIL_DATABASE_URL="postgresql://postgres@127.0.0.1:$PGPORT/vigil" VIGIL_RULES="$BENCH/rules.yaml" VIGIL_ADMIN_TOKEN="$TOKEN"
say "Vigil on $URL migrated the database at $(elapsed)s; generating …"

T_GEN=$(date +%s)
run_child "$PG_BIN/psql" -h 127.0.0.1 -p "$PGPORT" -U postgres -d vigil -v ON_ERROR_STOP=1 -q -f "$BENCH/reports/generate.sql" >"$WORK/generate.log" 2>&1 \
  || { tail -n 20 "$WORK/generate.log" >&2; die "generate.sql failed"; }
for t in tickets ticket_surveys ticket_visits ticket_events customers ticket_facts report_customers; do sql "VACUUM ANALYZE $t"; done
GEN_S=$(( $(date +%s) - T_GEN ))
COUNTS="$(sql "SELECT (SELECT count(*) FROM tickets) || ' tickets, ' || (SELECT count(*) FROM ticket_events) || ' events, '
  || (SELECT count(*) FROM ticket_surveys) || ' surveys, ' || (SELECT count(*) FROM ticket_visits) || ' visits, '
  || (SELECT count(*) FROM customers) || ' customers; ' || pg_size_pretty(pg_database_size('vigil'))")"
say "generated in ${GEN_S}s: $COUNTS"

# time_get NAME PATH: RUNS timed GETs after one warm-up; prints "NAME median max bytes status"
time_get() {
  local name="$1" path="$2" t out=() status bytes
  curl -fsS -o /dev/null -H "Authorization: Bearer $TOKEN" "$URL$path" || die "$name: GET $path failed"
  for _ in $(seq 1 "$RUNS"); do
    read -r t status bytes < <(curl -sS -o /dev/null -w '%{time_total} %{http_code} %{size_download}\n' -H "Authorization: Bearer $TOKEN" "$URL$path")
    [ "$status" = 200 ] || die "$name: GET $path answered $status"
    out+=("$t")
  done
  python3 - "$name" "$bytes" "${out[@]}" <<'PY'
import statistics, sys
name, size, times = sys.argv[1], sys.argv[2], [float(t) * 1000 for t in sys.argv[3:]]
row = f"| {name} | {statistics.median(times):.0f} | {max(times):.0f} | {min(times):.0f} | {size} |"
print(row)
print("bench: " + row, file=sys.stderr)
PY
}

ROWS=()
ROWS+=("$(time_get "(a) one customer, June 2025 (JSON)" "/api/v1/reports/service?customer=cust07&from=2025-06-01&to=2025-07-01")")
ROWS+=("$(time_get "(a) one customer, December 2025 (JSON)" "/api/v1/reports/service?customer=cust07&from=2025-12-01&to=2026-01-01")")
ROWS+=("$(time_get "(a) one customer, June 2025, printable page (HTML)" "/reports/service/cust07/2025-06")")
ROWS+=("$(time_get "(b) all 50 customers, 2025 (JSON)" "/api/v1/reports/service?from=2025-01-01&to=2026-01-01")")
ROWS+=("$(time_get "(b) all 50 customers, 2025 (CSV)" "/api/v1/reports/service?from=2025-01-01&to=2026-01-01&format=csv")")
ROWS+=("$(time_get "all 50 customers, June 2025 (JSON)" "/api/v1/reports/service?from=2025-06-01&to=2025-07-01")")

# The plans of the statements the server runs (ServiceReports.main prints them), same parameters and work_mem.
java -cp "$WORK/vigil.jar" io.vigil.server.tickets.ServiceReports > "$WORK/report.sql"
# The server's SET LOCALs, as session settings here (psql runs each -c in its own transaction).
SET_ONE="$(java -cp "$WORK/vigil.jar" io.vigil.server.tickets.ServiceReports settings-one | sed 's/SET LOCAL/SET/g')"
SET_ALL="$(java -cp "$WORK/vigil.jar" io.vigil.server.tickets.ServiceReports settings-all | sed 's/SET LOCAL/SET/g')"
# explain SETTINGS SQL_FILE PARAMETERS: EXPLAIN (ANALYZE, BUFFERS) of the statement in SQL_FILE with PARAMETERS (a failure is shown, not fatal)
explain() {
  "$PG_BIN/psql" -h 127.0.0.1 -p "$PGPORT" -U postgres -d vigil -v ON_ERROR_STOP=1 -qX -c "$1" \
    -c "PREPARE r(text[], timestamptz[], timestamptz[], timestamptz) AS $(cat "$2")" \
    -c "EXPLAIN (ANALYZE, BUFFERS) EXECUTE r($3)" 2>&1 || true
}
CUSTS="$(sql "SELECT 'ARRAY[' || string_agg(quote_literal(id), ',' ORDER BY id) || ']' FROM customers")"
N="$(sql "SELECT count(*) FROM customers")"
PLAN_A="$(explain "$SET_ONE" "$WORK/report.sql" "ARRAY['cust07'], ARRAY[timestamptz '2025-06-01 00:00+08'], ARRAY[timestamptz '2025-07-01 00:00+08'], now()")"
PLAN_B="$(explain "$SET_ALL" "$WORK/report.sql" "$CUSTS, array_fill(timestamptz '2025-01-01 00:00+00', ARRAY[$N]), array_fill(timestamptz '2026-01-01 00:00+00', ARRAY[$N]), now()")"

{
  echo "# Service reports: last run"
  echo
  echo "\`bash bench/reports.sh\` on $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores ($(cpu_model)), PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') (\`$PG_OPTS\`, otherwise defaults; in the report's own transaction: \`$SET_ALL\`), Vigil \`$VIGIL_JAVA_OPTS\`."
  echo
  echo "Data: $COUNTS (generated and analysed in ${GEN_S}s). Times are curl's total per request (server, PostgreSQL, transfer), ms, $RUNS runs after one warm-up."
  echo
  echo "| request | median | max | min | bytes |"
  echo "| --- | ---: | ---: | ---: | ---: |"
  printf '%s\n' "${ROWS[@]}"
  echo
  echo "Targets: monthly per customer ≤ 200 ms, all-customer yearly ≤ 2 s."
  echo
  echo "## Plan (a): one customer, June 2025"
  echo; echo '```'; echo "$PLAN_A"; echo '```'; echo
  echo "## Plan (b): all customers, 2025"
  echo; echo '```'; echo "$PLAN_B"; echo '```'
} >"$WORK/report.md"
publish_report "$WORK/report.md" "$OUT"
