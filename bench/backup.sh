#!/usr/bin/env bash
# The incremental-backup row of issue 7: one registry (fresh data directory, 127.0.0.1), IMAGES
# images of one distinct LAYER_MIB MiB random layer each pushed through the OCI API, then
#   1. a full backup into an empty directory         (POST /admin/backups, the run's durationMs)
#   2. 1 % more images pushed, a second backup        (only what is new is copied)
#   3. a third backup with nothing new
# (BackupBench, JDK HttpClient). Prints a Markdown table and writes bench/results/backup.md.
# BACKUP_BENCH_IMAGES (default 200) and BACKUP_BENCH_LAYER_MIB (default 5) set the size; about 1 minute.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
PORT=${BACKUP_BENCH_PORT:-5720}
IMAGES=${BACKUP_BENCH_IMAGES:-200}
LAYER_MIB=${BACKUP_BENCH_LAYER_MIB:-5}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/stowage-backup-bench.XXXXXX")
SERVER_PID=
cleanup() {
  [[ -n $SERVER_PID ]] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT

mvn -B -q -DskipTests package >/dev/null
REGISTRY_GC_INTERVAL=PT0S java -XX:SharedArchiveFile=registry-server/target/registry.jsa -jar registry-server/target/registry.jar \
  serve --data-dir "$WORK/data" --listen "127.0.0.1:$PORT" >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 300); do curl -fs -o /dev/null "http://127.0.0.1:$PORT/v2/" && break; sleep 0.1; done
curl -fs -o /dev/null "http://127.0.0.1:$PORT/v2/" || { echo "registry did not start:" >&2; cat "$WORK/server.log" >&2; exit 1; }

java -cp "$ROOT/registry-server/target/test-classes:$ROOT/registry-server/target/registry.jar" \
  io.stowage.server.bench.BackupBench "http://127.0.0.1:$PORT" "$WORK/backup" "$IMAGES" "$LAYER_MIB" >"$WORK/bench.out"

result() { awk -v k="$1" '$1 == "RESULT" && $2 == k { print $3 }' "$WORK/bench.out"; }
field() { # field RUN KEY: a number from that run's JSON report
  result "$1_report" | python3 -c "import json,sys; r=json.load(sys.stdin); print(eval(sys.argv[1], {}, {'r': r}))" "$2"; }
row() { # row RUN LABEL
  printf '| %s | %s | %s | %s | %s |\n' "$2" "$(result "$1_new_images")" \
    "$(field "$1" "r['blobs']['written'] + r['manifests']['written']")" \
    "$(field "$1" "round(r['bytesWritten'] / 1048576, 1)")" "$(result "$1_ms")"
}
FULL_MS=$(result full_ms); INCR_MS=$(result incremental_ms)
{
  echo "# Incremental backups (bench/backup.sh)"
  echo
  echo "- date: $(date -u +%Y-%m-%dT%H:%MZ); command: \`bench/backup.sh\`; Stowage at commit $(git rev-parse --short HEAD)"
  echo "- machine: \`nproc\` = $(nproc); $(awk '/MemTotal/ { printf "%.0f GiB RAM", $2 / 1048576 }' /proc/meminfo); data on $(df -T "$WORK" | awk 'NR == 2 { print $2 }')"
  echo "- $IMAGES images of one distinct $LAYER_MIB MiB layer each in 10 repositories, then 1 % more; the backup is written"
  echo "  by the running server (\`POST /admin/backups\`), every blob fsynced; times are the runs' own \`durationMs\`"
  echo
  echo "| run | new images | blobs + manifests copied | MiB written | time (ms) |"
  echo "|---|---|---|---|---|"
  row full "first (full) backup"
  row incremental "second backup after 1 % new images"
  row unchanged "third backup, nothing new"
  echo
  echo "The second backup took $(awk -v a="$INCR_MS" -v b="$FULL_MS" 'BEGIN { printf "%.1f", 100 * a / b }') % of the time of the first."
} | tee bench/results/backup.md
