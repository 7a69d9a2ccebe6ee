#!/usr/bin/env bash
# The scale-out row of issue 8: push and pull throughput through one replica and through two, over the
# same S3 server and the same PostgreSQL. Everything runs on this machine on 127.0.0.1:
#   - PostgreSQL (Debian's postgresql; a throw-away cluster, run as the postgres user),
#   - an S3 server (S3Proxy over jclouds' filesystem store: S3ServerMain, from the test classpath),
#   - replica a and replica b of this registry (storage.backend s3, metadata.backend postgres).
# Workloads (BenchLoad, JDK HttpClient; with two replicas the clients take them in turn):
#   16 concurrent monolithic pushes of distinct 32 MiB blobs (aggregate MiB/s, median of 3 rounds),
#   8 concurrent pulls of one 256 MiB blob (aggregate MiB/s, median of 3).
# Prints a Markdown table and writes bench/results/scaleout.md; about 3 minutes.
# SCALEOUT_PUSH_MIB / SCALEOUT_PULL_MIB change the sizes; SCALEOUT_REPLICA_JAVA_OPTS adds JVM options to
# both replicas (a profiler agent, say).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
PUSH_MIB=${SCALEOUT_PUSH_MIB:-32}
PULL_MIB=${SCALEOUT_PULL_MIB:-256}
PG_PORT=${SCALEOUT_PG_PORT:-5731}
S3_PORT=${SCALEOUT_S3_PORT:-5732}
PORTS=(5733 5734)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/stowage-scaleout.XXXXXX")
chmod 755 "$WORK"
PIDS=()
PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
log() { printf '[scaleout] %s\n' "$*" >&2; }
as_postgres() { if [[ $(id -u) == 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi; }
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  [[ -d $WORK/pg ]] && as_postgres "$PG_BIN/pg_ctl" -D "$WORK/pg" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

[[ -x $PG_BIN/initdb ]] || { echo "PostgreSQL is missing: apt-get install postgresql" >&2; exit 1; }

log "building registry.jar and the test classpath ..."
# One reactor build, so registry-server's test class path can name storage's test jar built in it
# (the last module to run build-classpath, registry-server, writes the file).
mvn -B -q -DskipTests package dependency:build-classpath -Dmdep.outputFile="$WORK/cp.txt" -Dmdep.includeScope=test >/dev/null
CP=$ROOT/registry-server/target/test-classes:$ROOT/registry-server/target/classes:$(cat "$WORK/cp.txt")
bl() { java -cp "$CP" io.stowage.server.bench.BenchLoad "$@"; }

log "starting PostgreSQL on 127.0.0.1:$PG_PORT ..."
mkdir -p "$WORK/pg"
[[ $(id -u) == 0 ]] && chown postgres "$WORK/pg"
as_postgres "$PG_BIN/initdb" -D "$WORK/pg" -U stowage --auth=trust -E UTF8 >/dev/null
as_postgres "$PG_BIN/pg_ctl" -D "$WORK/pg" -l "$WORK/pg/server.log" -w \
  -o "-p $PG_PORT -k $WORK/pg -c listen_addresses=127.0.0.1 -c max_connections=100" start >/dev/null
as_postgres "$PG_BIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U stowage stowage

log "starting the S3 server on 127.0.0.1:$S3_PORT ..."
java -cp "$CP" io.stowage.server.bench.S3ServerMain "$S3_PORT" "$WORK/s3" registry bench-access bench-secret-key \
  >"$WORK/s3.log" 2>&1 &
PIDS+=($!)
S3_PID=$!
for _ in $(seq 1 300); do curl -s -o /dev/null "http://127.0.0.1:$S3_PORT/" && break; sleep 0.1; done

start_replica() { # start_replica ID PORT
  REGISTRY_REPLICA_ID=$1 REGISTRY_GC_INTERVAL=PT0S \
  REGISTRY_STORAGE_BACKEND=s3 REGISTRY_STORAGE_S3_BUCKET=registry REGISTRY_STORAGE_S3_ENDPOINT="http://127.0.0.1:$S3_PORT" \
  REGISTRY_STORAGE_S3_PATH_STYLE=true REGISTRY_STORAGE_S3_ACCESS_KEY=bench-access REGISTRY_STORAGE_S3_SECRET_KEY=bench-secret-key \
  REGISTRY_METADATA_BACKEND=postgres REGISTRY_METADATA_POSTGRES_URL="jdbc:postgresql://127.0.0.1:$PG_PORT/stowage" \
  REGISTRY_METADATA_POSTGRES_USER=stowage \
  java -XX:SharedArchiveFile=registry-server/target/registry.jsa ${SCALEOUT_REPLICA_JAVA_OPTS:-} -jar registry-server/target/registry.jar \
    serve --data-dir "$WORK/replica-$1" --listen "127.0.0.1:$2" >"$WORK/replica-$1.log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 1 300); do curl -fs -o /dev/null "http://127.0.0.1:$2/v2/" && return; sleep 0.1; done
  echo "replica $1 did not start:" >&2; tail -40 "$WORK/replica-$1.log" >&2; exit 1
}
log "starting replicas a and b ..."
start_replica a "${PORTS[0]}"
A_PID=${PIDS[-1]}
start_replica b "${PORTS[1]}"
B_PID=${PIDS[-1]}
ONE="http://127.0.0.1:${PORTS[0]}"
TWO="http://127.0.0.1:${PORTS[0]},http://127.0.0.1:${PORTS[1]}"

result() { awk -v k="$1" '$1 == "RESULT" && $2 == k { print $3 }' "$2"; }

# CPU seconds (user + system) used so far by the S3 server, each replica, and all PostgreSQL processes,
# to say where a workload's time goes on a machine they all share.
TICKS=$(getconf CLK_TCK)
cpu_of() { awk -v t="$TICKS" '{ printf "%.1f", ($14 + $15) / t }' "/proc/$1/stat" 2>/dev/null || echo 0; }
cpu_snapshot() { # cpu_snapshot FILE
  {
    echo "s3 $(cpu_of "$S3_PID")"
    echo "replica-a $(cpu_of "$A_PID")"
    echo "replica-b $(cpu_of "$B_PID")"
    local pg=0 p
    for p in $(pgrep -u postgres postgres); do pg=$(awk -v a="$pg" -v b="$(cpu_of "$p")" 'BEGIN { print a + b }'); done
    echo "postgresql $pg"
  } >"$1"
}
cpu_used() { # cpu_used BEFORE AFTER: "s3 12.3 s, replica-a ..." of the difference
  join "$1" "$2" | awk '{ printf "%s%s %.1f s", (NR > 1 ? ", " : ""), $1, $3 - $2 }'
}
timed() { # timed LABEL COMMAND...: runs it, keeps the CPU each process used in CPU[LABEL]
  cpu_snapshot "$WORK/cpu-before"; "${@:2}"; cpu_snapshot "$WORK/cpu-after"
  CPU[$1]=$(cpu_used "$WORK/cpu-before" "$WORK/cpu-after")
}
declare -A CPU=()

log "pushes: 16 x $PUSH_MIB MiB through one replica, then through two ..."
timed push-one bl pushes "$ONE" scale/one 16 "$PUSH_MIB" 3 "$WORK/pushes-one" "$A_PID" >"$WORK/push-one.out"
timed push-two bl pushes "$TWO" scale/two 16 "$PUSH_MIB" 3 "$WORK/pushes-two" "$A_PID" >"$WORK/push-two.out"

log "pulls: 8 x one $PULL_MIB MiB blob from one replica, then from two ..."
bl gen "$WORK/pull.blob" "$PULL_MIB" 42 >/dev/null
bl push "$ONE" scale/pull mono "$WORK/pull.blob" >/dev/null
DIGEST=$(cat "$WORK/pull.blob.digest")
SIZE=$(stat -c %s "$WORK/pull.blob")
timed pull-one bl pull "$ONE" scale/pull "$DIGEST" "$SIZE" 8 3 >"$WORK/pull-one.out"
timed pull-two bl pull "$TWO" scale/pull "$DIGEST" "$SIZE" 8 3 >"$WORK/pull-two.out"

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
P1=$(result pushes_mib_s "$WORK/push-one.out"); P2=$(result pushes_mib_s "$WORK/push-two.out")
L1=$(result pull_mib_s "$WORK/pull-one.out"); L2=$(result pull_mib_s "$WORK/pull-two.out")
{
  echo "# Scale-out: one replica and two over the same S3 server and PostgreSQL (bench/scaleout.sh)"
  echo
  echo "- date: $(date -u +%Y-%m-%dT%H:%MZ); command: \`bench/scaleout.sh\`; Stowage at commit $(git rev-parse --short HEAD)"
  echo "- machine: \`nproc\` = $(nproc); $(awk '/MemTotal/ { printf "%.0f GiB RAM", $2 / 1048576 }' /proc/meminfo); data on $(df -T "$WORK" | awk 'NR == 2 { print $2 }'); $("$PG_BIN/postgres" --version); S3Proxy 2.6.0 (filesystem store)"
  echo "- every process (PostgreSQL, the S3 server, both replicas, the load client) shares the machine; with two"
  echo "  replicas the concurrent clients alternate between them"
  echo
  echo "| workload | one replica | two replicas | ratio (two ÷ one) |"
  echo "|---|---|---|---|"
  echo "| 16 concurrent pushes of distinct $PUSH_MIB MiB blobs (aggregate MiB/s, median of 3) | $P1 | $P2 | $(ratio "$P2" "$P1") |"
  echo "| 8 concurrent pulls of one $PULL_MIB MiB blob (aggregate MiB/s, median of 3) | $L1 | $L2 | $(ratio "$L2" "$L1") |"
  echo
  echo "CPU used by each server process during each workload (warm-up and all rounds; the load client not counted):"
  echo
  echo "- pushes, one replica: ${CPU[push-one]}"
  echo "- pushes, two replicas: ${CPU[push-two]}"
  echo "- pulls, one replica: ${CPU[pull-one]}"
  echo "- pulls, two replicas: ${CPU[pull-two]}"
} | tee bench/results/scaleout.md
