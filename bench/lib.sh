# shellcheck shell=bash
# What the benchmark scripts (run.sh, kafka.sh, lineprotocol.sh, remotewrite.sh) share. Sourced
# right after `set -euo pipefail` and BENCH=…:  . "$BENCH/lib.sh"
#
# State kept here, for the exit trap (cleanup) to stop everything a script started, whatever happens:
#   START_TS   when this file was sourced (elapsed counts from it)
#   WORK       the scratch folder (bench_begin), removed at exit
#   CHILD      the step run_child is waiting for; WATCHDOG the budget watchdog (bench_begin)
#   VIGIL_PID  the server start_vigil started (a script stops it at exit with at_exit_stop VIGIL_PID)
#   PG_*       the cluster pg_start made (sql, pg_pids and pg_stop use it)
#   EXIT_*     what at_exit_stop / at_exit_keep registered, and the hint of the failure message
START_TS=$(date +%s)
WORK=""; CHILD=""; WATCHDOG=""; VIGIL_PID=""
PG_BIN=""; PG_DIR=""; PG_PORT=""
EXIT_STOP=(); EXIT_KEEP=(); EXIT_HINT=""

# ---- messages and small helpers ------------------------------------------------------------

# say MESSAGE...: a progress line on stderr
say() { printf '\033[1mbench:\033[0m %s\n' "$*" >&2; }
# die MESSAGE...: say MESSAGE and exit 1 (the exit trap then cleans up)
die() { say "$*"; exit 1; }
# elapsed: whole seconds since lib.sh was sourced
elapsed() { echo $(( $(date +%s) - START_TS )); }
# is_root: true when running as root
is_root() { [ "$(id -u)" = 0 ]; }
# as_pg CMD...: CMD as user postgres when root (PostgreSQL refuses to run as root), else as is
as_pg() { if is_root; then runuser -u postgres -- "$@"; else "$@"; fi; }
# free_port: a TCP port on 127.0.0.1 that is free right now
free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
# kv LINE KEY: the value of " KEY=value" in a result LINE such as "WRK_RESULT a=1 b=2"
kv() { sed -n "s/.* $2=\([^ ]*\).*/\1/p" <<<"$1" | head -n 1; }
# new_token: a random admin token for this run
new_token() { echo "vgl_bench_$(head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')"; }
# ensure_debian COMMAND PACKAGE: install Debian's PACKAGE when COMMAND is missing (root only, else die)
ensure_debian() {
  command -v "$1" >/dev/null && return 0
  is_root || die "$1 is required: apt-get install $2"
  say "installing $2 (Debian package)"
  if apt-get update -qq >/dev/null; then DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null; fi
}

# ---- processes, traps, watchdog ------------------------------------------------------------

# stop_pid PID [SIGNAL]: send SIGNAL (TERM), wait up to 10 s, then SIGKILL; reaps PID
stop_pid() {
  local pid="$1" sig="${2:-TERM}"
  kill -0 "$pid" 2>/dev/null || return 0
  kill "-$sig" "$pid" 2>/dev/null || true
  for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}
# run_child CMD...: run CMD in the background and wait for it, so a signal is handled at once (CHILD holds its pid meanwhile)
run_child() { "$@" & CHILD=$!; local rc=0; wait "$CHILD" || rc=$?; CHILD=""; return "$rc"; }
# at_exit_stop VAR [SIGNAL]: at exit, stop the pid held in variable VAR (if set) with SIGNAL (TERM), in the order registered
at_exit_stop() { EXIT_STOP+=("$1 ${2:-TERM}"); }
# at_exit_keep FILE COPY: at exit, copy FILE (a log in WORK) to COPY if FILE exists
at_exit_keep() { EXIT_KEEP+=("$1" "$2"); }

# bench_begin TMP_PREFIX BUDGET [HINT]: make WORK (/tmp/TMP_PREFIX.XXXXXX), trap EXIT (cleanup), INT and TERM, and start a watchdog that TERMs this script after BUDGET s; HINT ends the failure message
bench_begin() {
  local budget="$2"
  WORK="$(mktemp -d "/tmp/$1.XXXXXX")"
  chmod 755 "$WORK"
  EXIT_HINT="${3:-}"
  trap cleanup EXIT
  trap 'say "interrupted"; exit 130' INT TERM
  # Past the budget, TERM this script (its trap then cleans up).
  ( trap 'kill "$sp" 2>/dev/null; exit 0' TERM; sleep "$budget" & sp=$!; wait "$sp"; echo "bench: budget of ${budget}s exceeded, stopping" >&2; kill -TERM $$ ) &
  WATCHDOG=$!
}

# cleanup: the EXIT trap: stops CHILD, the registered pids, PostgreSQL and the watchdog, keeps the registered logs, removes WORK, exits with the script's status
cleanup() {
  local rc=$? entry var i
  trap - EXIT INT TERM
  [ -n "$CHILD" ] && stop_pid "$CHILD" TERM
  for entry in "${EXIT_STOP[@]}"; do
    var="${entry% *}"
    [ -n "${!var:-}" ] && stop_pid "${!var}" "${entry#* }"
  done
  pg_stop
  [ -n "$WATCHDOG" ] && stop_pid "$WATCHDOG" TERM
  for (( i = 0; i < ${#EXIT_KEEP[@]}; i += 2 )); do
    [ -f "${EXIT_KEEP[i]}" ] && mkdir -p "$(dirname "${EXIT_KEEP[i + 1]}")" && cp "${EXIT_KEEP[i]}" "${EXIT_KEEP[i + 1]}"
  done
  [ -n "$WORK" ] && rm -rf "$WORK"
  [ "$rc" = 0 ] || say "stopped with status $rc after $(elapsed)s${EXIT_HINT:+ $EXIT_HINT}"
  exit "$rc"
}

# ---- measuring processes -------------------------------------------------------------------

# cpu_ticks PID...: CPU time of the PIDs together (utime + stime, and their waited-for children's), in clock ticks
cpu_ticks() { local t=0 p; for p in "$@"; do [ -r "/proc/$p/stat" ] && t=$(( t + $(awk '{print $14 + $15 + $16 + $17}' "/proc/$p/stat") )); done; echo "$t"; }
# cpu_s PID...: the same in seconds, one decimal
cpu_s() { awk -v t="$(cpu_ticks "$@")" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.1f", t / hz }'; }
# rss_mib PID...: resident memory (VmRSS) of the PIDs together, in MiB
rss_mib() { local t=0 p; for p in "$@"; do [ -r "/proc/$p/status" ] && t=$(( t + $(awk '/VmRSS/ {print $2}' "/proc/$p/status") )); done; echo $(( t / 1024 )); }
# hwm_mib PID: peak resident memory (VmHWM) of PID, in MiB
hwm_mib() { echo $(( $(awk '/VmHWM/ {print $2}' "/proc/$1/status") / 1024 )); }
# metric URL NAME: the sum over all label sets of the Prometheus series NAME on URL/metrics
metric() { curl -fsS "$1/metrics" | grep -E "^$2(\{| )" | awk '{s += $NF} END {printf "%.0f\n", s}'; }

# ---- throwaway PostgreSQL, fsync on ----------------------------------------------------------

# pg_bindir: the newest PostgreSQL server bin folder under /usr/lib/postgresql (dies if there is none)
pg_bindir() {
  local d
  # shellcheck disable=SC2012 # version-sorted folder names
  d="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)" || true
  [ -n "$d" ] || die "PostgreSQL server binaries not found under /usr/lib/postgresql (apt-get install postgresql)"
  echo "$d"
}
# pg_start BINDIR DIR PORT [OPTION...]: a throwaway cluster in DIR/data on 127.0.0.1:PORT (trust, fsync=on, synchronous_commit=on, extra server OPTIONs, socket in DIR, log DIR/server.log) with a database vigil; stopped by pg_stop or at exit
pg_start() {
  local bin="$1" dir="$2" port="$3"; shift 3
  mkdir -p "$dir"; if is_root; then chown postgres:postgres "$dir"; fi
  as_pg "$bin/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log" >&2; die "initdb failed"; }
  PG_BIN="$bin"; PG_DIR="$dir"; PG_PORT="$port"
  as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
    -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=on -c synchronous_commit=on${*:+ $*}" start >/dev/null \
    || die "PostgreSQL did not start"
  sql "CREATE DATABASE vigil" postgres
}
# pg_stop: stop the cluster pg_start made (fast, else immediate); nothing when none is running
pg_stop() {
  [ -n "$PG_DIR" ] || return 0
  as_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast -w -t 20 stop >/dev/null 2>&1 \
    || as_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate -w -t 10 stop >/dev/null 2>&1 || true
  PG_DIR=""
}
# sql QUERY [DATABASE]: run QUERY on the cluster pg_start made (database vigil by default), bare output
sql() { "$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -d "${2:-vigil}" -v ON_ERROR_STOP=1 -qtAX -c "$1"; }
# pg_pids: the postmaster of the cluster pg_start made, then its children (backends and workers)
pg_pids() { local m; m="$(head -n 1 "$PG_DIR/data/postmaster.pid")"; echo "$m $(pgrep -P "$m" | tr '\n' ' ')"; }

# ---- Vigil ---------------------------------------------------------------------------------

# build_vigil POM GOAL TIMEOUT ATTEMPTS LOG: mvn -B -q -f POM GOAL -DskipTests, TIMEOUT s an attempt, up to ATTEMPTS attempts 20 s apart, output in LOG; dies when every attempt failed
build_vigil() {
  local pom="$1" goal="$2" limit="$3" attempts="$4" log="$5" attempt
  say "building (mvn -B -q $goal -DskipTests) …"
  for attempt in $(seq 1 "$attempts"); do
    run_child timeout "$limit" mvn -B -q -f "$pom" "$goal" -DskipTests >"$log" 2>&1 && return 0
    [ "$attempts" != 1 ] || { tail -n 20 "$log" >&2; die "build failed"; }
    say "build failed (attempt $attempt; another edit in progress?)"; tail -n 15 "$log" >&2
    [ "$attempt" = "$attempts" ] || { say "retrying in 20 s"; run_child sleep 20; }
  done
  die "build failed $attempts times; see the output above"
}
# copy_jar JAR COPY: copy the jar (dies if missing): a concurrent rebuild must not change the jar under the running server.
# It must be the runnable jar (server/target/vigil.jar, every dependency inside: the load generators compile against it),
# not the thin vigil-server.jar next to it
copy_jar() {
  [ -f "$1" ] || die "$1 is missing"
  python3 -c 'import sys, zipfile; sys.exit("io/vertx/core/Vertx.class" not in zipfile.ZipFile(sys.argv[1]).namelist())' "$1" \
    || die "$1 is not the runnable jar (no dependencies inside): use server/target/vigil.jar"
  cp "$1" "$2"
}
# bench_jar ROOT: the runnable jar in $WORK/vigil.jar: BENCH_JAR when set, else a fresh build of ROOT
bench_jar() {
  [ -n "${BENCH_JAR:-}" ] || build_vigil "$1/pom.xml" package 300 1 "$WORK/build.log"
  copy_jar "${BENCH_JAR:-$1/server/target/vigil.jar}" "$WORK/vigil.jar"
}
# start_vigil JAR LOG PORT JAVA_OPTS [NAME=VALUE...]: run Vigil from JAR on 127.0.0.1:PORT with the environment NAME=VALUE and the JVM options JAVA_OPTS, output in LOG; sets VIGIL_PID and waits up to 60 s for /readyz
start_vigil() {
  local jar="$1" log="$2" port="$3" opts="$4"; shift 4
  # shellcheck disable=SC2086 # JAVA_OPTS is a list of options
  env VIGIL_PORT="$port" VIGIL_HOST=127.0.0.1 "$@" java $opts -jar "$jar" >"$log" 2>&1 &
  VIGIL_PID=$!
  for _ in $(seq 1 240); do
    curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && return 0
    kill -0 "$VIGIL_PID" 2>/dev/null || { tail -n 30 "$log" >&2; die "Vigil exited during start-up"; }
    sleep 0.25
  done
  curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 || { tail -n 30 "$log" >&2; die "Vigil not ready within 60 s"; }
}

# ---- report --------------------------------------------------------------------------------

# cpu_model: the CPU's model name, from /proc/cpuinfo
cpu_model() { grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'; }
# problems_section NONE [PROBLEM...]: the report's "## Problems found": NONE when no PROBLEM is given, else a list of them
problems_section() {
  local none="$1" p; shift
  echo "## Problems found"
  echo
  if [ $# = 0 ]; then echo "$none"
  else for p in "$@"; do echo "- $p"; done; fi
}
# publish_report FILE OUT: copy the report FILE to OUT (making its folder) and print it
publish_report() { mkdir -p "$(dirname "$2")"; cp "$1" "$2"; cat "$1"; }

# ---- campaigns: an integration test run with more iterations (bench/fuzz.sh, bench/kill9.sh) ----

# it_campaign TEST REPORT OUT COMMAND -Dprop=value…: runs the server integration test TEST with the
# given system properties (output in OUT's .log), then writes OUT: the Markdown REPORT the test left
# in server/target/, when and how it ran (COMMAND), and whether it passed; prints OUT and the
# failures, and returns the test's status.
it_campaign() {
  local test="$1" report="$2" out="$3" cmdline="$4"; shift 4
  local root log start rc=0
  root="$(dirname "$BENCH")"; log="${out%.md}.log"; start=$(date +%s)
  mvn -B -q -f "$root/pom.xml" -pl server -am verify -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false \
    -Dit.test="$test" -Dfailsafe.failIfNoSpecifiedTests=false "$@" >"$log" 2>&1 || rc=$?
  {
    cat "$root/server/target/$report" 2>/dev/null || echo "(no report: the run failed before the end; see $log)"
    echo
    echo "Run $(date -u '+%Y-%m-%d %H:%M UTC'), $(( $(date +%s) - start )) s, by \`$cmdline\`;" \
      "$(nproc) cores, $(cpu_model). Result: $([ "$rc" = 0 ] && echo passed || echo "FAILED (see ${log#"$root"/})")."
  } >"$out"
  cat "$out"
  grep -E "$test.*(FAIL|expected)|AssertionFailed" "$log" | head -20 || true
  return "$rc"
}
