#!/usr/bin/env bash
# What the audit log costs: the same four workloads against one registry with audit.enabled=true and
# one with audit.enabled=false (fresh data directories, 127.0.0.1 only, one server at a time).
#   1. manifest GET by tag   wrk -t2 -c64 -d20s --latency (after a 5 s warm-up)
#   2. blob HEAD             wrk -t2 -c64 -d20s --latency (after a 3 s warm-up), on the empty blob:
#                            wrk 4.1 waits for a body after HEAD when Content-Length > 0 and never
#                            completes a request; the server answers HEAD from metadata alone
#                            (statBlob), so the size does not change the work
#   3. blob push             16 concurrent monolithic pushes of distinct 32 MiB random blobs,
#                            3 rounds with fresh blobs, median aggregate MiB/s (AuditLoad, JDK HttpClient)
#   4. manifest push         2,000 PUTs of one small OCI manifest under distinct tags, 16 clients (AuditLoad)
# Prints a Markdown table (workload | audit on | audit off | cost) and writes it to
# bench/results/audit.md. Takes about 4 minutes. AUDIT_BENCH_PORT picks the ports (default 5710 for
# audit on, +1 for audit off); AUDIT_BENCH_DURATION shortens the wrk runs (default 20s) for a quick check.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

PORT_BASE=${AUDIT_BENCH_PORT:-5710}
DURATION=${AUDIT_BENCH_DURATION:-20s}
REPO=bench/audit
OCI_MANIFEST=application/vnd.oci.image.manifest.v1+json

WORK=$(mktemp -d "${TMPDIR:-/tmp}/stowage-audit-bench.XXXXXX")
SERVER_PID=
stop_server() {
  if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  SERVER_PID=
}
cleanup() { stop_server; rm -rf "$WORK"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "building registry.jar and the load client ..." >&2
mvn -B -q -DskipTests package >/dev/null
JAR=$ROOT/registry-server/target/registry.jar
LOAD_CP=$ROOT/registry-server/target/test-classes
[[ -f $LOAD_CP/io/stowage/server/bench/AuditLoad.class ]] || { echo "AuditLoad not compiled" >&2; exit 1; }

printf 'wrk.method = "HEAD"\n' >"$WORK/head.lua"

# ms from a wrk duration such as 812.00us, 3.41ms, 1.02s
to_ms() { awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n += 0; else if (v ~ /m$/) n *= 60000; else if (v ~ /s$/) n *= 1000; printf "%.2f", n }'; }

# run_wrk NAME URL [wrk args...]: sets <NAME>_rps, <NAME>_p50, <NAME>_p99 (globals)
run_wrk() {
  local name=$1 url=$2; shift 2
  local out=$WORK/$MODE-$name.wrk
  wrk -t2 -c64 -d"$DURATION" --latency "$@" "$url" >"$out"
  if grep -q -e 'Non-2xx' -e 'Socket errors' "$out"; then
    echo "wrk $name ($MODE) saw errors:" >&2; cat "$out" >&2; exit 1
  fi
  printf -v "${name}_rps" '%s' "$(awk '/^Requests\/sec:/ { printf "%.0f", $2 }' "$out")"
  local rps=${name}_rps
  if [[ -z ${!rps} || ${!rps} == 0 ]]; then echo "wrk $name ($MODE) completed no requests:" >&2; cat "$out" >&2; exit 1; fi
  printf -v "${name}_p50" '%s' "$(to_ms "$(awk '$1 == "50%" { print $2 }' "$out")")"
  printf -v "${name}_p99" '%s' "$(to_ms "$(awk '$1 == "99%" { print $2 }' "$out")")"
}

push_blob() { # push_blob BASE FILE -> digest on stdout
  local digest
  digest=sha256:$(sha256sum "$2" | cut -d' ' -f1)
  curl -fsS -o /dev/null -X POST -H 'Content-Type: application/octet-stream' --data-binary "@$2" \
    "$1/v2/$REPO/blobs/uploads/?digest=$digest"
  echo "$digest"
}

# bench MODE(on|off) PORT: starts a server, runs the four workloads, stops it; sets <MODE>_* variables
bench() {
  MODE=$1
  local port=$2 enabled data base
  [[ $MODE == on ]] && enabled=true || enabled=false
  base=http://127.0.0.1:$port
  if curl -s -o /dev/null "$base/healthz"; then echo "port $port is in use" >&2; exit 1; fi
  data=$WORK/data-$MODE
  mkdir -p "$data"
  echo "audit $MODE: starting registry on 127.0.0.1:$port ..." >&2
  REGISTRY_AUDIT_ENABLED=$enabled REGISTRY_GC_INTERVAL=PT0S \
    java -jar "$JAR" serve --data-dir "$data" --listen "127.0.0.1:$port" >"$WORK/server-$MODE.log" 2>&1 &
  SERVER_PID=$!
  for i in $(seq 1 300); do
    curl -fs -o /dev/null "$base/readyz" && break
    kill -0 "$SERVER_PID" 2>/dev/null || { echo "registry exited:" >&2; cat "$WORK/server-$MODE.log" >&2; exit 1; }
    [[ $i == 300 ]] && { echo "registry not ready after 30 s" >&2; exit 1; }
    sleep 0.1
  done

  # seed one small image under v1
  printf '{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}' >"$WORK/config.json"
  head -c 4096 /dev/urandom >"$WORK/layer-$MODE"
  local config_digest layer_digest empty_digest
  config_digest=$(push_blob "$base" "$WORK/config.json")
  layer_digest=$(push_blob "$base" "$WORK/layer-$MODE")
  printf '{"schemaVersion":2,"mediaType":"%s","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"%s","size":%d},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"%s","size":4096}]}' \
    "$OCI_MANIFEST" "$config_digest" "$(stat -c %s "$WORK/config.json")" "$layer_digest" >"$WORK/manifest.json"
  curl -fsS -o /dev/null -X PUT -H "Content-Type: $OCI_MANIFEST" --data-binary "@$WORK/manifest.json" \
    "$base/v2/$REPO/manifests/v1"
  curl -fsS -o /dev/null -H "Accept: $OCI_MANIFEST" "$base/v2/$REPO/manifests/v1"
  : >"$WORK/empty"
  empty_digest=$(push_blob "$base" "$WORK/empty")
  curl -fsS -o /dev/null -I "$base/v2/$REPO/blobs/$empty_digest"

  echo "audit $MODE: manifest GET ..." >&2
  wrk -t2 -c64 -d5s -H "Accept: $OCI_MANIFEST" "$base/v2/$REPO/manifests/v1" >/dev/null
  run_wrk get "$base/v2/$REPO/manifests/v1" -H "Accept: $OCI_MANIFEST"
  echo "audit $MODE: blob HEAD ..." >&2
  wrk -t2 -c64 -d3s -s "$WORK/head.lua" "$base/v2/$REPO/blobs/$empty_digest" >/dev/null
  run_wrk head "$base/v2/$REPO/blobs/$empty_digest" -s "$WORK/head.lua"

  echo "audit $MODE: blob push ..." >&2
  java -cp "$LOAD_CP" io.stowage.server.bench.AuditLoad blobs "$base" "$REPO-blobs" 16 32 3 "$WORK/blobs" \
    | tee "$WORK/$MODE-blobs.out" >&2
  blob_mib=$(sed -n 's/^RESULT blob_push_mib_s=\([0-9.]*\).*/\1/p' "$WORK/$MODE-blobs.out")

  echo "audit $MODE: manifest push ..." >&2
  java -cp "$LOAD_CP" io.stowage.server.bench.AuditLoad manifests "$base" "$REPO-tags" 16 2000 \
    | tee "$WORK/$MODE-manifests.out" >&2
  read -r mput mput_p50 mput_p99 < <(sed -n 's/^RESULT manifest_put_per_s=\([0-9.]*\) p50_ms=\([0-9.]*\) p99_ms=\([0-9.]*\).*/\1 \2 \3/p' "$WORK/$MODE-manifests.out")

  audit_bytes=$( [[ -d $data/audit ]] && du -sb "$data/audit" | cut -f1 || echo 0)
  stop_server
  rm -rf "$data"

  local v
  for v in get_rps get_p50 get_p99 head_rps head_p50 head_p99 blob_mib mput mput_p50 mput_p99 audit_bytes; do
    printf -v "${MODE}_$v" '%s' "${!v}"
  done
}

bench on "$PORT_BASE"
bench off "$((PORT_BASE + 1))"

# cost: throughput rows lose (off - on) / off, latency rows gain (on - off) / off
lost() { awk -v on="$1" -v off="$2" 'BEGIN { if (off == 0) print "n/a"; else printf "%.1f %%", (off - on) / off * 100 }'; }
slower() { awk -v on="$1" -v off="$2" 'BEGIN { if (off == 0) print "n/a"; else printf "%+.1f %% latency", (on - off) / off * 100 }'; }
num() { awk -v n="$1" 'BEGIN { s = sprintf("%.0f", n); while (s ~ /[0-9][0-9][0-9][0-9]/) sub(/[0-9][0-9][0-9]($|,)/, ",&", s); print s }'; }

TABLE=$(cat <<EOF
| workload | audit on | audit off | cost (% lost) |
|---|---|---|---|
| manifest GET by tag, 64 conns ${DURATION} (req/s) | $(num "$on_get_rps") | $(num "$off_get_rps") | $(lost "$on_get_rps" "$off_get_rps") |
| manifest GET p50 / p99 (ms) | $on_get_p50 / $on_get_p99 | $off_get_p50 / $off_get_p99 | $(slower "$on_get_p50" "$off_get_p50") p50, $(slower "$on_get_p99" "$off_get_p99") p99 |
| blob HEAD, 64 conns ${DURATION} (req/s) | $(num "$on_head_rps") | $(num "$off_head_rps") | $(lost "$on_head_rps" "$off_head_rps") |
| blob HEAD p50 / p99 (ms) | $on_head_p50 / $on_head_p99 | $off_head_p50 / $off_head_p99 | $(slower "$on_head_p50" "$off_head_p50") p50, $(slower "$on_head_p99" "$off_head_p99") p99 |
| blob push, 16 x 32 MiB concurrent, median of 3 (MiB/s) | $on_blob_mib | $off_blob_mib | $(lost "$on_blob_mib" "$off_blob_mib") |
| manifest PUT, 2,000 distinct tags, 16 clients (manifests/s) | $(num "$on_mput") | $(num "$off_mput") | $(lost "$on_mput" "$off_mput") |
| manifest PUT p50 / p99 (ms) | $on_mput_p50 / $on_mput_p99 | $off_mput_p50 / $off_mput_p99 | $(slower "$on_mput_p50" "$off_mput_p50") p50, $(slower "$on_mput_p99" "$off_mput_p99") p99 |
EOF
)

echo "$TABLE"

mkdir -p bench/results
{
  echo "# Audit log cost (bench/audit.sh)"
  echo
  echo "Measured $(date -u +%Y-%m-%dT%H:%MZ) at commit $(git rev-parse --short HEAD) on $(nproc) cores" \
    "($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')," \
    "$(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo) RAM," \
    "data on $(df -T "${TMPDIR:-/tmp}" | awk 'NR == 2 { print $2 }')," \
    "$(java -version 2>&1 | head -1 | tr -d '"'), $(wrk --version 2>&1 | head -1 | cut -d' ' -f1-2))."
  echo "Client and server share the machine; one server at a time, audit on first."
  echo "The audit log written by the audit-on run: $((on_audit_bytes / 1024)) KiB."
  echo
  echo "$TABLE"
} >bench/results/audit.md
echo "wrote bench/results/audit.md" >&2
